import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// The reconstruction choices at the command line: `clot train --choices` lists exactly what the
/// configuration holds, `--choice` reaches every reading, the outputs record them, and every
/// alternative changes a run.
@Suite("reconstruction choices", .serialized)
struct ChoicesTests {
    static let sample = fixturesDirectory + "/sample"

    // MARK: the catalogue against the configuration

    @Test("the catalogue has one entry per stored choice, and its names are the JSON keys")
    func catalogueMatchesTheStruct() throws {
        let names = ReconstructionChoices.catalogue.map(\.name)
        #expect(Set(names).count == names.count, "a name is listed twice")
        // Every stored property is in the catalogue (a property missing from the coding keys
        // would be neither encoded nor listed: the counts would differ).
        #expect(Mirror(reflecting: ReconstructionChoices()).children.count == names.count)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ReconstructionChoices())) as! [String: Any]
        #expect(Set(json.keys) == Set(names))
    }

    /// Every stored property of ModelConfiguration is either a setting the sources state (sizes and
    /// hyperparameters from Table 6 and the run scripts, the ablation switches, the released SW
    /// constants) or `choices`: a new setting must be classified here, so none escapes the list.
    @Test("ModelConfiguration holds the stated settings and the choices, nothing else")
    func configurationIsClassified() {
        let stated: Set<String> = ["layerSizes", "clusters", "segmentOffset", "decoderLayers", "heads", "decoderDropout",
                                   "autoregressiveDecoder", "temperature", "rho", "memoryPositionSpan",
                                   "useSlicedWasserstein", "useFeatureDispatching", "useDecoder", "useRefinement",
                                   "slicedWassersteinProjections", "slicedWassersteinRadius"]
        let labels = Set(Mirror(reflecting: ModelConfiguration()).children.compactMap(\.label))
        #expect(labels == stated.union(["choices"]), "unclassified: \(labels.symmetricDifference(stated.union(["choices"])))")
    }

    @Test("--choices prints one line per choice: NAME = DEFAULT  (also: …)  — source")
    func listing() throws {
        let command = try ClotCommand.parseAsRoot(["train", "--choices"]) as! Train
        #expect(command.choices)
        let lines = ReconstructionChoices.listing
        #expect(lines.count == ReconstructionChoices.catalogue.count)
        for (line, choice) in zip(lines, ReconstructionChoices.catalogue) {
            #expect(line.hasPrefix("\(choice.name) = \(choice.defaultValue)  (also: "), "\(line)")
            #expect(line.contains(")  — ") && !choice.source.isEmpty, "\(line)")
        }
    }

    @Test("every listed reading can be set, reads back, and changes the configuration")
    func everyReadingIsReachable() throws {
        let defaults = ReconstructionChoices()
        for choice in ReconstructionChoices.catalogue {
            var same = defaults
            try same.set(choice.name, to: choice.defaultValue)
            #expect(same == defaults, "\(choice.name): setting the default changed something")
            for alternative in choice.alternatives {
                var c = defaults
                try c.set(choice.name, to: alternative)
                #expect(choice.value(c) == alternative, "\(choice.name) reads back \(choice.value(c)), not \(alternative)")
                #expect(c != defaults, "\(choice.name)=\(alternative) changes nothing")
                #expect(c.differencesFromDefaults == ["\(choice.name)=\(alternative)"])
                let decoded = try JSONDecoder().decode(ReconstructionChoices.self, from: JSONEncoder().encode(c))
                #expect(decoded == c, "\(choice.name)=\(alternative) does not survive JSON")
            }
        }
    }

    @Test("bad --choice arguments are one-line errors naming the flag")
    func badArguments() throws {
        for (arguments, part) in [(["nonsense=1"], "unknown choice"), (["fd-padding=sometimes"], "fd-padding"),
                                  (["encoder-dropout=1"], "encoder-dropout"), (["ffn-width=0"], "ffn-width"),
                                  (["refinement-temperature=-1"], "refinement-temperature"), (["fd-padding"], "NAME=VALUE")] {
            #expect(throws: InputError.self) { try ReconstructionChoices.parsing(arguments) }
            do { _ = try ReconstructionChoices.parsing(arguments) } catch let error as InputError {
                #expect(error.description.hasPrefix("--choice") && error.description.contains(part), "\(error)")
            }
        }
        let asot = ErrorMessageTests.trainArguments(Self.sample, temporaryDirectory(), ["--method", "asot", "--choice", "fd-padding=masked"])
        ErrorMessageTests.expectFailure(asot, mentions: ["--choice", "ASOT"])
    }

    @Test("the released preset: the released modules' readings, later --choice arguments override it")
    func releasedPreset() throws {
        let released = try ReconstructionChoices.parsing(["released"])
        #expect(released == .released)
        #expect(released.fdPadding == .included && !released.fdRenormalise && !released.segmentRenormalise)
        #expect(released.refinementSegments == .raw && released.ffnWidth == .fixed(2048) && released.swDirections == .perBatch)
        #expect(released.memoryPositions == .sinusoid && released.positionIndex == .absolute)
        let overridden = try ReconstructionChoices.parsing(["released", "fd-renormalise=yes"])
        #expect(overridden.fdRenormalise && !overridden.segmentRenormalise)
    }

    // MARK: runs

    static func train(_ extra: [String], output: String) throws -> TrainingRun.Report {
        let command = try ClotCommand.parseAsRoot(["train", "--data", sample, "--dataset", "Breakfast", "--activity", "coffee",
                                                   "--method", "clot", "--epochs", "1", "--seed", "3", "--output", output] + extra) as! Train
        return try command.train()
    }

    @Test("metrics.json records the choices in force; the run is named by the ones that differ")
    func metricsRecordChoices() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try Self.train(["--choice", "refinement-segments=renormalised", "--choice", "sw-weight=2"], output: out)
        let report = try JSONDecoder().decode(TrainingRun.Report.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json")))
        #expect(report.config.model.choices.refinementSegments == .renormalised && report.config.model.choices.swWeight == 2)
        #expect(report.variant == "clot+refinement-segments=renormalised+sw-weight=2")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        let recorded = ((json["config"] as! [String: Any])["model"] as! [String: Any])["choices"] as! [String: Any]
        #expect(Set(recorded.keys) == Set(ReconstructionChoices.catalogue.map(\.name)))
        #expect(recorded["refinement-segments"] as? String == "renormalised")
    }

    /// Two epochs per alternative on a synthetic Breakfast activity of two 40-frame videos
    /// (padded to 256 in training, so `fd-padding` matters; the bundled sample's videos are all
    /// longer than 256 frames, where it cannot): the loss trace or the predictions differ from
    /// the default run's (the same seed, so any difference is the choice's).
    @Test("each alternative gives a run that differs from the default")
    func alternativesChangeTheRun() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try SyntheticDatasets.write(.breakfast, root: root)
        func run(_ extra: [String]) throws -> (losses: [Double], predictions: String) {
            let out = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: out) }
            let command = try ClotCommand.parseAsRoot(["train", "--data", root, "--dataset", "Breakfast", "--activity", "coffee",
                                                       "--method", "clot", "--epochs", "2", "--seed", "3", "--output", out] + extra) as! Train
            let report = try command.train()
            return (report.perEpoch.map(\.loss), try TrainingTests.predictionChecksum(out))
        }
        let reference = try run([])
        for variant in ChoiceVariants.alternatives {
            let alternative = try run(["--choice", variant])
            #expect(alternative.losses != reference.losses || alternative.predictions != reference.predictions,
                    "\(variant): same losses and predictions as the default")
        }
    }

    @Test("reproduce --choice: CLOT runs carry the choice, ASOT runs stay the baseline, results.json records it")
    func reproduceRecordsChoices() throws {
        let root = temporaryDirectory(), out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: out) }
        try SyntheticDatasets.write(.breakfast, root: root)
        var command = try ClotCommand.parseAsRoot(["reproduce", "--data", root, "--activities", "coffee", "--seeds", "0",
                                                   "--epochs", "1", "--methods", "asot,clot", "--choice", "decoder-target=learned",
                                                   "--output", out])
        try command.run()
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
        let rows = (results["levels"] as! [String: Any])["activity"] as! [[String: Any]]
        let variants = Set(rows.map { $0["variant"] as! String })
        #expect(variants == ["asot", "asot-untrained", "clot+decoder-target=learned"])
        for row in rows {
            let choices = row["choices"] as? [String: Any]
            if (row["variant"] as! String).hasPrefix("clot") {
                #expect(choices?["decoder-target"] as? String == "learned")
            } else {
                #expect(choices == nil, "the ASOT baseline has no choices in force")
            }
        }
    }
}
