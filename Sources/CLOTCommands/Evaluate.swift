import ArgumentParser
import CLOTCore
import Foundation

/// `clot evaluate`: the papers' evaluation protocol on prediction files.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score predicted segmentations against ground truth (MoF, F1, mIoU).",
        discussion: """
        Implements the ASOT/CLOT evaluation protocol exactly: Hungarian matching that maximises \
        overlap, MoF, mIoU over GT classes, and the official sampled F1 (15 frames per segment, \
        50 repeats, seeded; reproduced draw for draw for the same seed) beside its seed-free \
        expectation f1_expected. The sample depends on --seed (default 0); `clot train` samples \
        with the run's own --seed, so to reproduce a run's F1 pass its seed (metrics.json "seed").

        --pred and --gt are both files or both folders; in folders, files pair by name (a \
        trailing .txt is ignored). Predictions hold one integer cluster id per line; ground \
        truth holds action names (pass --mapping) or integers.

        Example:
          clot evaluate --pred out/predictions --gt data/Breakfast/groundTruth \\
                        --mapping data/Breakfast/mapping/mapping.txt --level video
        """)

    @Option(name: .customLong("pred"), help: "Prediction file or folder.")
    var predictions: String

    @Option(name: .customLong("gt"), help: "Ground-truth file or folder.")
    var groundTruth: String

    @Option(help: "mapping.txt that turns action names into ids.")
    var mapping: String?

    // `.unconditional`: the value may start with a dash, as YTI's `--exclude -1` does.
    @Option(parsing: .unconditional, help: "A ground-truth class id to leave out (YTI: -1).")
    var exclude: Int?

    @Option(help: "activity (all videos pooled, one matching) or video (per video, averaged).")
    var level: EvaluationLevel = .activity

    @Option(parsing: .unconditional,
            help: "Seed of the sampled F1, 0 to 4294967295. A training run samples its F1 with its own --seed: pass that seed to reproduce its metrics.json.",
            transform: ArgumentChecks.seed)
    var seed: UInt32 = 0

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let (report, mapping) = try evaluate()
        print(json ? try report.json() : report.table(names: mapping))
    }

    /// Loads and pairs the files and scores them: the report `run` prints, and the mapping
    /// its table names classes with.
    func evaluate() throws -> (report: EvaluationReport, mapping: ActionMapping?) {
        let mapping = try self.mapping.map(ActionMapping.read)
        let sequences = try LabelPairing.load(predictions: predictions, groundTruth: groundTruth, mapping: mapping)
        let evaluation = EvaluationProtocol(excludedClass: exclude, seed: seed)
        let report: EvaluationReport
        switch level {
        case .activity:
            let result = try evaluation.evaluateActivity(sequences)
            report = EvaluationReport(level: level, scores: result.scores, videos: sequences.count,
                                      frames: result.frames, seed: seed, exclude: exclude,
                                      matching: result.matching.pairs, perVideo: nil)
        case .video:
            let result = try evaluation.evaluateVideos(sequences)
            report = EvaluationReport(level: level, scores: result.scores, videos: sequences.count,
                                      frames: sequences.reduce(0) { $0 + $1.groundTruth.count }, seed: seed,
                                      exclude: exclude, matching: nil,
                                      perVideo: result.perVideo.map { .init(name: $0.name, scores: $0.scores) })
        }
        return (report, mapping)
    }
}

extension EvaluationLevel: ExpressibleByArgument {}

/// What `clot evaluate --json` prints.
struct EvaluationReport: Encodable {
    var level: EvaluationLevel
    var scores: SegmentationScores
    var videos: Int, frames: Int
    var seed: UInt32
    var exclude: Int?
    var matching: [LabelMatching.Pair]?
    var perVideo: [PerVideo]?
    var provenance = Provenance.current(nil)

    struct PerVideo: Encodable {
        var name: String
        var scores: SegmentationScores
        /// The scores' own keys (mof, f1, f1_expected, miou) beside the name, in one object.
        func encode(to encoder: Encoder) throws {
            try scores.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(name, forKey: .name)
        }
        enum Key: String, CodingKey { case name }
    }

    enum Key: String, CodingKey {
        case level, videos, frames, seed, exclude, matching, perVideo = "per_video", provenance
        case f1Protocol = "f1_protocol"
    }

    func encode(to encoder: Encoder) throws {
        try scores.encode(to: encoder)   // mof, f1, f1_expected, miou at the top level
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeWithNulls([.level: level, .videos: videos, .frames: frames, .seed: seed, .exclude: exclude,
                               .f1Protocol: "15 samples per segment, 50 repeats, official sampler"])
        try c.encodeIfPresent(matching, forKey: .matching)
        try c.encodeIfPresent(perVideo, forKey: .perVideo)
        try c.encode(provenance, forKey: .provenance)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table(names mapping: ActionMapping?) -> String {
        var lines: [String] = []
        let levelText = level == .activity ? "activity level (all videos pooled, one matching)" : "video level (matched per video, averaged)"
        lines.append("\(videos) videos, \(frames) frames — \(levelText)" + (exclude.map { ", class \($0) excluded" } ?? ""))
        lines.append("")
        lines.append(Table.render(
            header: ["", "MoF", "F1", "F1 (expected)", "mIoU"],
            rows: [["score"] + [scores.mof, scores.f1, scores.f1Expected, scores.miou].map(Table.percent)]))
        if let perVideo {
            lines.append("")
            lines.append(Table.render(
                header: ["video", "MoF", "F1", "F1 (expected)", "mIoU"],
                rows: perVideo.map { [$0.name] + [$0.scores.mof, $0.scores.f1, $0.scores.f1Expected, $0.scores.miou].map(Table.percent) }))
        }
        if let matching {
            let name: (Int) -> String = { id in mapping?.entries.first { $0.id == id }?.name ?? String(id) }
            lines.append("")
            lines.append("matching: " + matching.map { "\($0.predicted)→\(name($0.groundTruth))" }.joined(separator: ", "))
        }
        lines.append("")
        lines.append("F1: the official sampled score (seed \(seed)); F1 (expected): its seed-free expectation.")
        lines.append("A training run samples F1 with its own seed: pass --seed S (metrics.json \"seed\") to reproduce its F1.")
        return lines.joined(separator: "\n")
    }
}

/// Pairs prediction files with ground-truth files.
enum LabelPairing {
    static func load(predictions: String, groundTruth: String, mapping: ActionMapping?) throws -> [LabelledSequence] {
        let predIsDir = FileSystem.isDirectory(predictions), gtIsDir = FileSystem.isDirectory(groundTruth)
        for path in [predictions, groundTruth] where !FileManager.default.fileExists(atPath: path) {
            throw InputError(path, "does not exist")
        }
        guard predIsDir == gtIsDir else {
            throw InputError(predIsDir ? groundTruth : predictions, "is a file but the other side is a folder",
                             hint: "--pred and --gt must both be files or both be folders")
        }
        if !predIsDir {
            return [try sequence(name: (groundTruth as NSString).lastPathComponent, pred: predictions, gt: groundTruth, mapping: mapping)]
        }
        let predFiles = try byVideoName(predictions), gtFiles = try byVideoName(groundTruth)
        guard !gtFiles.isEmpty else { throw InputError(groundTruth, "holds no label files") }
        if let missing = gtFiles.keys.sorted().first(where: { predFiles[$0] == nil }) {
            throw InputError(predictions, "has no prediction for '\(missing)'", hint: "every ground-truth file needs a partner")
        }
        if let extra = predFiles.keys.sorted().first(where: { gtFiles[$0] == nil }) {
            throw InputError(groundTruth, "has no ground truth for prediction '\(extra)'")
        }
        return try gtFiles.keys.sorted().map { name in
            try sequence(name: name, pred: predFiles[name]!, gt: gtFiles[name]!, mapping: mapping)
        }
    }

    private static func byVideoName(_ directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for entry in try FileSystem.contents(of: directory) where !entry.hasPrefix(".") {
            let path = directory + "/" + entry
            guard FileSystem.isFile(path) else { continue }
            let key = entry.hasSuffix(".txt") ? String(entry.dropLast(4)) : entry
            if files[key] != nil { throw InputError(path, "two files for video '\(key)'") }
            files[key] = path
        }
        return files
    }

    private static func sequence(name: String, pred: String, gt: String, mapping: ActionMapping?) throws -> LabelledSequence {
        let p = try TextFiles.parseIntegerLabels(FileSystem.readText(pred), source: pred)
        let g = try TextFiles.readLabels(gt, mapping: mapping)
        guard p.count == g.count else {
            throw InputError(pred, "has \(p.count) labels but \(gt) has \(g.count)",
                             hint: "one prediction per ground-truth frame")
        }
        return LabelledSequence(name: name, predicted: p, groundTruth: g)
    }
}
