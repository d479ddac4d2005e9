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
        fingerprints that produced them; they describe the runs, not the command, so they are \
        the same however the runs were made. --choice NAME=VALUE \
        (repeatable; see clot train --choices) sets a reconstruction choice for every CLOT run; \
        such runs are named clot+NAME=VALUE and results.json records their choices.

        Each activity's data is parsed once, by the first of its runs that trains, and shared by \
        all of them (a finished run is checked against the files' content hashes without \
        parsing). --jobs J runs J runs at once in this process (default: the CPUs it may use); \
        the results are the same bits for every J. --shard I/N runs only shard I of N: a fixed \
        share of the runs balanced by expected cost, into the shared output folder, writing no \
        tables; in a Slurm job array the array task selects the shard when --shard is not \
        given. Afterwards `clot reproduce` without --shard finds every run done and writes the \
        tables (README, "Running the full benchmark").

        Example:
          clot reproduce --data ~/datasets --seeds 0,1,2,3,4 --output runs/reproduce
          clot reproduce --data ~/datasets --methods clot --choice refinement-segments=renormalised --output runs/choice
          clot reproduce --data ~/datasets --shard 3/10 --jobs 2 --output runs/reproduce
        """)

    @Option(help: "Root folder with one folder per dataset (Breakfast, YTI, FS, desktop_assembly).") var data: String
    @Option(help: "Comma-separated datasets (default: every one found; FSeval runs where FS has mappingeval.txt).") var datasets: String?
    @Option(help: "Comma-separated activities (default: all found).") var activities: String?
    @Option(help: "Comma-separated methods.") var methods: String = "clot,asot"
    @Flag(help: "Also run CLOT's ablations (Table 3).") var ablations = false
    @Flag(help: "Also run CLOT with the autoregressive decoder (supplement Table 5).") var decoders = false
    @Option(help: "Comma-separated seeds, each 0 to 4294967295.") var seeds: String = "0,1,2,3,4"
    @Option(parsing: .unconditional, help: "Epochs (default: each dataset's).") var epochs: Int?
    @Option(help: Implementation.optionHelp) var backend: Implementation = .optimized
    @Flag(help: "Re-run finished runs that another commit of clot made, instead of reusing them.") var rerunOtherCommits = false
    @Option(help: "Output folder.") var output: String
    @Option(help: "A reconstruction choice NAME=VALUE, or 'released', for every CLOT run (repeatable).") var choice: [String] = []
    @Option(help: "Runs at once (default: the CPUs this process may use).") var jobs: Int?
    @Option(help: "Run only shard I of N (1-based), e.g. 3/10; default: the Slurm array task's, else all runs.") var shard: String?

    func run() throws {
        Interruption.install()
        try ArgumentChecks.epochs(epochs)
        let jobs = self.jobs ?? WorkerPool.availableCores
        guard jobs >= 1 else { throw InputError("--jobs", "needs at least 1, got \(jobs)") }
        let shard = try shard.map { try ReproductionShard(parsing: $0) }
            ?? ReproductionShard.fromSlurm(ProcessInfo.processInfo.environment)
        let plan = try planRuns()
        guard !plan.isEmpty else {
            if let activities { throw InputError("--activities", "'\(activities)' matches no activity of the datasets under \(data)") }
            throw InputError(data, "no dataset in the standard layout found", hint: "see REPRODUCE.md §1")
        }
        guard let shard else { return try runAll(plan, jobs: jobs) }
        // A shard shares OUTPUT with the others: it locks only the folders of its runs, and
        // leaves the tables to the command that gathers every run.
        try checkFolder(output, marks: Self.outputMarks)
        let mine = shard.select(costs: plan.map(\.expectedCost)).map { plan[$0] }
        Console.progress("shard \(shard.index)/\(shard.count): \(mine.count) of \(plan.count) runs, "
                         + String(format: "%.0f%% of the expected cost", 100 * mine.reduce(0) { $0 + $1.expectedCost }
                                  / plan.reduce(0) { $0 + $1.expectedCost }))
        _ = try execute(mine, jobs: jobs)
        Console.progress("shard \(shard.index)/\(shard.count) done; `clot reproduce` with the same options and no --shard writes the tables")
    }

    static let outputMarks: Set<String> = [FolderLock.fileName, "results.json", "results.md", "runs"]

    /// Every run of the plan, then the tables.
    private func runAll(_ plan: [ReproductionUnit], jobs: Int) throws {
        // The whole reproduction holds OUTPUT while it runs (a second unsharded `clot
        // reproduce` into it is refused); each unit also locks its own folder.
        let lock = try claimFolder(output, purpose: "clot reproduce", marks: Self.outputMarks)
        // The tables describe the runs as they are after this call: the old ones go first.
        for table in ["results.json", "results.md", "report.html"] { try RunFolder.remove(output + "/" + table) }
        let outcomes = try execute(plan, jobs: jobs)
        let tables = try ReproductionTable(outcomes: outcomes, paper: PaperTables.load(from: BundledFiles.paperTablesPath))
        try tables.write(to: output)
        withExtendedLifetime(lock) {}
        print(tables.markdown)
    }

    /// Runs or reuses the units, `jobs` at a time, and returns their outcomes in plan order.
    /// Which job runs which unit never changes a result: each unit has its own seed, folder
    /// and generator, and the data they share is only read.
    private func execute(_ units: [ReproductionUnit], jobs: Int) throws -> [ReproductionUnit.Outcome] {
        for unit in units { unit.source.expectRun() }
        let board = ProgressBoard(jobs: jobs, total: units.count)
        defer { board.close() }
        let output = self.output, backend = self.backend, rerunOtherCommits = self.rerunOtherCommits
        let total = units.count
        return try WorkerPool.map(Array(units.enumerated()), threads: jobs) { item, slot in
            let (index, unit) = item
            defer { unit.source.runFinished() }
            try Interruption.check("before run \(index + 1) of \(total) (finished runs are each in their folder); "
                                   + "the same command continues")
            do {
                let outcome = try unit.execute(root: output, backend: backend, rerunOtherCommits: rerunOtherCommits,
                                               status: { line, final in if !final { board.update(slot: slot, line) } }) {
                    board.started(slot: slot, "[\(index + 1)/\(total)] \($0)")
                }
                board.finished(slot: slot, Self.summary(outcome))
                return outcome
            } catch let stop as Interrupted {
                throw Interrupted(signal: stop.signal, place: "during run \(index + 1) of \(total) (\(unit.folder)); "
                                  + "the same command continues, each unfinished run from its last checkpoint")
            }
        }
    }

    /// A finished unit's line: its folder and scores.
    private static func summary(_ outcome: ReproductionUnit.Outcome) -> String {
        let s = outcome.report.activity
        let how: String
        switch outcome.status {
        case .ran: how = String(format: "in %.1f s", outcome.report.wallSeconds)
        case .reused: how = "(reused)"
        }
        return outcome.unit.folder + String(format: ": MoF %.1f F1 %.1f mIoU %.1f ", 100 * s.mof, 100 * s.f1, 100 * s.miou) + how
    }

    /// Every unit, in a fixed order; each activity's units share one `SharedActivity`.
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
                let source = try SharedActivity(layout: layout, activity: activity)
                let k = try DatasetDefaults.clusters(dataset: name, activity: activity) ?? source.clusterCount()
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
                        try RunInputs.checkClusters(configuration, videos: source.videoNames.count)
                        plan.append(ReproductionUnit(configuration: configuration, source: source,
                                                     benchmarkActivities: ReproductionTable.benchmarkActivities[name]))
                    }
                }
            }
        }
        return plan
    }
}
