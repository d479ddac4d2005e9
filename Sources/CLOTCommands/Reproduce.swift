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
        Runs `clot train` for each (dataset, activity, method, seed) under --data, skipping runs \
        whose metrics.json already exists (so a second call resumes). Dataset numbers are the \
        unweighted mean over activities of each seed's final-epoch scores (the ASOT code trains \
        and scores each activity separately and aggregates nothing itself), then mean ± std over \
        seeds. Writes OUTPUT/results.json and OUTPUT/results.md: Table 1 (activity level), \
        Table 2 (video level) and with --ablations Table 3, each measured number beside the \
        paper's, marking data that is only a subset of the benchmark. --choice NAME=VALUE \
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
    @Option(help: "Comma-separated seeds.") var seeds: String = "0,1,2,3,4"
    @Option(help: "Epochs (default: each dataset's).") var epochs: Int?
    @Option(help: "optimized or reference.") var backend: Backend = .optimized
    @Option(help: "Output folder.") var output: String
    @Option(help: "A reconstruction choice NAME=VALUE, or 'released', for every CLOT run (repeatable).") var choice: [String] = []

    func run() throws {
        Optimized.blasThreads = 1
        let plan = try planRuns()
        guard !plan.isEmpty else { throw InputError(data, "no dataset in the standard layout found", hint: "see REPRODUCE.md §1") }
        try FileSystem.prepareOutputDirectory(output)
        var results: [ReproductionTable.RunResult] = []
        for (index, entry) in plan.enumerated() {
            let folder = "\(output)/runs/\(entry.configuration.dataset.rawValue)/\(entry.configuration.activity)/\(entry.configuration.variantName)/seed-\(entry.configuration.seed)"
            let metricsPath = folder + "/metrics.json"
            let report: TrainingRun.Report
            if FileSystem.isFile(metricsPath), let data = FileManager.default.contents(atPath: metricsPath),
               let existing = try? JSONDecoder().decode(TrainingRun.Report.self, from: data) {
                Console.progress("[\(index + 1)/\(plan.count)] skip (done): \(folder)")
                report = existing
            } else {
                Console.progress("[\(index + 1)/\(plan.count)] \(folder)")
                report = try TrainingRun(configuration: entry.configuration, backend: backend, videos: entry.videos, output: folder,
                                         mapping: entry.mapping).run()
            }
            results.append(.init(report: report, benchmarkActivities: entry.benchmarkActivities))
        }
        let tables = try ReproductionTable(results: results, paper: PaperTables.load(from: BundledFiles.paperTablesPath))
        try tables.write(to: output)
        let runReports = results.map { "runs/\($0.report.dataset)/\($0.report.activityName)/\($0.report.variant)/seed-\($0.report.seed)/report.html" }
        try FileSystem.writeAtomically(HTMLReport.reproduction(tables, runReports: runReports), to: output + "/report.html")
        print(tables.markdown)
    }

    struct PlannedRun {
        var configuration: RunConfiguration
        var videos: [Video]
        var mapping: ActionMapping
        var benchmarkActivities: Int?
    }

    func planRuns() throws -> [PlannedRun] {
        let seedList = try seeds.split(separator: ",").map { text -> UInt32 in
            guard let s = UInt32(text.trimmingCharacters(in: .whitespaces)) else { throw InputError("--seeds", "'\(text)' is not a seed") }
            return s
        }
        let reconstruction = try ReconstructionChoices.parsing(choice)
        let methodList = try methods.split(separator: ",").map { text -> Method in
            guard let m = Method(rawValue: String(text).trimmingCharacters(in: .whitespaces)) else {
                throw InputError("--methods", "unknown method '\(text)'", hint: "clot, asot")
            }
            return m
        }
        let wanted = try datasets.map { try $0.split(separator: ",").map { try DatasetName(parsing: String($0)) } }
        let activityFilter = activities.map { Set($0.split(separator: ",").map(String.init)) }
        var plan: [PlannedRun] = []
        for name in DatasetName.allCases where wanted?.contains(name) ?? true {
            let layout = DatasetLayout(root: data, dataset: name)
            guard FileSystem.isDirectory(layout.groundTruthDirectory), FileSystem.isFile(layout.mappingPath) else { continue }
            let found = name.hasSingleActivity ? ["all"] : try layout.activities()
            for activity in found where activityFilter?.contains(activity) ?? true {
                let (videos, mapping) = try layout.loadActivity(activity)
                let k = DatasetDefaults.clusters(dataset: name, activity: activity) ?? Set(videos.flatMap(\.labels)).count
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
                        plan.append(PlannedRun(configuration: configuration, videos: videos, mapping: mapping, benchmarkActivities: ReproductionTable.benchmarkActivities[name]))
                    }
                }
            }
        }
        return plan
    }
}
