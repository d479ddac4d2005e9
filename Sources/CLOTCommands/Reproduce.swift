import ArgumentParser
import CLOTCore
import Foundation
import Optimized

/// `clot reproduce`: every (dataset, activity, method, seed) found under a root, aggregated
/// into the papers' tables beside the published numbers.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train and evaluate every dataset/activity/method/seed found, and tabulate against the papers.",
        discussion: """
        Runs `clot train` for each (dataset, activity, method, seed) under --data, one folder \
        per run (OUTPUT/runs/<dataset>/<activity>/<variant>/seed-<s>). A run whose folder holds \
        a finished result with the same fingerprint — settings, epochs, seed, backend, \
        arithmetic and the input files' names, sizes and content hashes — is reused; any other \
        is re-run, and the progress line names what changed (an interrupted run continues from \
        its checkpoint). Runs made by another commit of clot with the same fingerprint are \
        reused and named in the tables; --rerun-other-commits re-runs them. Each run's folder \
        is locked while it runs, and the tables are written together at the end.

        Dataset numbers are the unweighted mean over activities of each seed's final-epoch \
        scores (the ASOT code trains and scores each activity separately and aggregates nothing \
        itself), then mean ± std over seeds. Writes OUTPUT/results.json, OUTPUT/results.md and \
        OUTPUT/report.html: Table 1 (activity level), Table 2 (video level) and with \
        --ablations Table 3, each measured number beside the paper's, marking data that is only \
        a subset of the benchmark, and stating the epochs, seeds, backend, arithmetic and data \
        fingerprints that produced them. --choice NAME=VALUE \
        (repeatable; see clot train --choices) sets a reconstruction choice for every CLOT run; \
        such runs are named clot+NAME=VALUE and results.json records their choices.

        Example:
          clot reproduce --data ../shared/data --seeds 0,1,2,3,4 --output runs/reproduce
          clot reproduce --data ../shared/data --methods clot --choice refinement-segments=renormalised --output runs/choice
        """)

    @Option(help: "Root folder with one folder per dataset (Breakfast, YTI, FS, desktop_assembly).") var data: String
    @Option(help: "Comma-separated datasets (default: every one found; FSeval runs where FS has mappingeval.txt).") var datasets: String?
    @Option(help: "Comma-separated activities (default: all found).") var activities: String?
    @Option(help: "Comma-separated methods.") var methods: String = "clot,asot"
    @Flag(help: "Also run CLOT's ablations (Table 3).") var ablations = false
    @Flag(help: "Also run CLOT with the autoregressive decoder (supplement Table 5).") var decoders = false
    @Option(help: "Comma-separated seeds, each 0 to 4294967295.") var seeds: String = "0,1,2,3,4"
    @Option(parsing: .unconditional, help: "Epochs (default: each dataset's).") var epochs: Int?
    @Option(help: "optimized or reference.") var backend: Backend = .optimized
    @Flag(help: "Re-run finished runs that another commit of clot made, instead of reusing them.") var rerunOtherCommits = false
    @Option(help: "Output folder.") var output: String
    @Option(help: "A reconstruction choice NAME=VALUE, or 'released', for every CLOT run (repeatable).") var choice: [String] = []

    func run() throws {
        Interruption.install()
        try ArgumentChecks.epochs(epochs)
        let plan = try planRuns()
        guard !plan.isEmpty else {
            if let activities { throw InputError("--activities", "'\(activities)' matches no activity of the datasets under \(data)") }
            throw InputError(data, "no dataset in the standard layout found", hint: "see REPRODUCE.md §1")
        }
        // The whole reproduction holds OUTPUT while it runs (a second `clot reproduce` into it is
        // refused); each unit also locks its own folder, so running units side by side needs no
        // more than a shorter hold here, around writing the tables.
        let lock = try claimFolder(output, purpose: "clot reproduce", marks: [FolderLock.fileName, "results.json", "results.md", "runs"])
        // The tables describe the runs as they are after this call: the old ones go first.
        for table in ["results.json", "results.md", "report.html"] { try RunFolder.remove(output + "/" + table) }
        var outcomes: [ReproductionUnit.Outcome] = []
        for (index, unit) in plan.enumerated() {
            try Interruption.check("before run \(index + 1) of \(plan.count) (\(index) finished, each in its folder); "
                                   + "the same command continues")
            do {
                outcomes.append(try unit.execute(root: output, backend: backend, rerunOtherCommits: rerunOtherCommits) {
                    Console.progress("[\(index + 1)/\(plan.count)] \($0)")
                })
            } catch let stop as Interrupted {
                throw Interrupted(signal: stop.signal, place: "during run \(index + 1) of \(plan.count) (\(unit.folder)), \(index) finished; "
                                  + "the same command continues, this run from its last checkpoint")
            }
        }
        let tables = try ReproductionTable(outcomes: outcomes, paper: PaperTables.load(from: BundledFiles.paperTablesPath))
        try tables.write(to: output)
        withExtendedLifetime(lock) {}
        print(tables.markdown)
    }

    /// Every unit, in a fixed order; each activity's data is loaded once and shared by its units.
    func planRuns() throws -> [ReproductionUnit] {
        let seedList = try seeds.split(separator: ",").map { text -> UInt32 in
            guard let s = UInt32(text.trimmingCharacters(in: .whitespaces)) else {
                throw InputError("--seeds", "'\(text)' is not a seed", hint: "a seed is an integer from 0 to \(UInt32.max)")
            }
            return s
        }
        let reconstruction = try ReconstructionChoices.parsing(choice)
        guard !seedList.isEmpty else { throw InputError("--seeds", "lists no seed") }
        if let twice = seedList.first(where: { s in seedList.filter { $0 == s }.count > 1 }) {
            throw InputError("--seeds", "lists seed \(twice) twice")
        }
        let methodList = try methods.split(separator: ",").map { text -> Method in
            guard let m = Method(rawValue: String(text).trimmingCharacters(in: .whitespaces)) else {
                throw InputError("--methods", "unknown method '\(text)'", hint: "clot, asot")
            }
            return m
        }.reduce(into: [Method]()) { list, m in if !list.contains(m) { list.append(m) } }
        guard !methodList.isEmpty else { throw InputError("--methods", "lists no method", hint: "clot, asot") }
        let wanted = try datasets.map { try $0.split(separator: ",").map { try DatasetName(parsing: String($0)) } }
        if wanted?.isEmpty == true { throw InputError("--datasets", "lists no dataset") }
        let activityFilter = activities.map { Set($0.split(separator: ",").map(String.init)) }
        var plan: [ReproductionUnit] = []
        for name in DatasetName.allCases where wanted?.contains(name) ?? true {
            let layout = DatasetLayout(root: data, dataset: name)
            guard FileSystem.isDirectory(layout.groundTruthDirectory), FileSystem.isFile(layout.mappingPath) else { continue }
            let found = name.hasSingleActivity ? ["all"] : try layout.activities()
            for activity in found where activityFilter?.contains(activity) ?? true {
                let inputs = try RunInputs.load(layout, activity: activity)
                let k = DatasetDefaults.clusters(dataset: name, activity: activity) ?? Set(inputs.videos.flatMap(\.labels)).count
                // Every table carries the untrained (k-means-initialised) model as a baseline.
                var variants: [(method: Method, ablation: Ablation?, autoregressive: Bool, epochs: Int?)] =
                    methodList.map { ($0, nil, false, epochs) }
                if methodList.contains(.asot) && epochs != 0 { variants.append((.asot, nil, false, 0)) }
                if ablations { variants += Ablation.allCases.map { (.clot, $0, false, epochs) } }
                if decoders { variants.append((.clot, nil, true, epochs)) }
                for variant in variants {
                    for seed in seedList {
                        let configuration = RunConfiguration(dataset: name, activity: activity, method: variant.method,
                                                             ablation: variant.ablation, autoregressiveDecoder: variant.autoregressive,
                                                             clusters: k, seed: seed, epochs: variant.epochs,
                                                             choices: reconstruction)
                        try inputs.check(configuration)
                        plan.append(ReproductionUnit(configuration: configuration, inputs: inputs,
                                                     benchmarkActivities: ReproductionTable.benchmarkActivities[name]))
                    }
                }
            }
        }
        return plan
    }
}
