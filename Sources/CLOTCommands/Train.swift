import ArgumentParser
import CLOTCore
import Foundation
import Optimized

/// `clot train`: train ASOT or CLOT on one activity of a dataset and evaluate it.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train CLOT or ASOT on one activity and evaluate it with the papers' protocol.",
        discussion: """
        Runs the official training loop (ASOT's src/train.py) with the dataset's defaults \
        (REPRODUCE.md): k-means initialisation of the action embeddings, epochs of 256-frame \
        samples, pseudo-labels from the ASOT solver, Adam; then predicts every whole video with \
        the eval settings and reports MoF, F1 and mIoU at activity and video level after the final \
        epoch. Writes OUTPUT/metrics.json, OUTPUT/predictions/<video>.txt and OUTPUT/report.html, \
        all together, metrics.json last; a previous run's files in OUTPUT are replaced. --epochs 0 \
        evaluates the k-means-initialised, untrained model (the official --eval). --choices lists the \
        reconstruction choices (where the sources admit more than one reading; argued in \
        Documentation/Choices.md); --choice NAME=VALUE sets one, --choice released sets the \
        released modules' readings; metrics.json records every choice in force.

        OUTPUT is locked while the run lives: a second run into it is refused. A checkpoint is \
        saved after every epoch. Ctrl-C (SIGINT) or SIGTERM stops at the next step with the \
        checkpoint intact; --resume continues it, and --resume --epochs E with E the checkpoint's \
        epoch scores the model as it stands. Either gives exactly what a fresh run with the same \
        --epochs gives. The F1 sample is seeded with --seed: clot evaluate --seed S reproduces it.

        Example:
          clot train --data fixtures/sample --dataset Breakfast --activity coffee \\
                     --method clot --epochs 15 --seed 0 --output runs/coffee-clot
          clot train --choices
        """)

    @Option(help: "Root folder holding <Dataset>/features, groundTruth, mapping (required).") var data: String?
    @Option(help: "Breakfast, YTI, FS, FSeval or desktop_assembly (required).") var dataset: String?
    @Option(help: "Activity (e.g. coffee); 'all' for 50 Salads and Desktop Assembly.") var activity: String = "all"
    @Option(parsing: .unconditional, help: "Number of clusters K (default: the official run scripts' value for the activity).") var clusters: Int?
    @Option(help: "clot or asot.") var method: Method = .clot
    @Option(help: "One of no-swd, no-fd, no-decoder, no-refinement (CLOT Table 3).") var ablation: Ablation?
    @Option(help: "parallel or autoregressive (supplement Table 5).") var decoder: DecoderKind = .parallel
    @Option(parsing: .unconditional, help: "Epochs (default: the dataset's).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Random seed, 0 to 4294967295 (also seeds the sampled F1).",
            transform: ArgumentChecks.seed) var seed: UInt32 = 0
    @Option(help: "optimized (Float32, fast) or reference (Double, plain Swift; slow).") var backend: Backend = .optimized
    @Option(parsing: .unconditional, help: "OpenBLAS threads; no result depends on it (kept for scripts that pass it).") var threads: Int = 1
    @Option(help: "Output folder (required).") var output: String?
    @Flag(help: "Continue a stopped run from OUTPUT/checkpoint.plist (saved after every epoch); with --epochs at the checkpoint's epoch, score it as it stands.") var resume = false
    @Option(help: "A reconstruction choice NAME=VALUE, or 'released' (repeatable; clot only; see --choices).") var choice: [String] = []
    @Flag(help: "List the reconstruction choices (NAME = DEFAULT (also: …) — source) and exit.") var choices = false

    enum DecoderKind: String, ExpressibleByArgument { case parallel, autoregressive }

    func run() throws {
        if choices {
            print(ReconstructionChoices.listing.joined(separator: "\n"))
            return
        }
        let report = try train()
        print(ResultTable.run(report))
        let folder = output ?? "."
        print("\nwritten: \(folder)/metrics.json, \(folder)/report.html, \(folder)/predictions/")
        print("F1 was sampled with seed \(report.seed): `clot evaluate --seed \(report.seed)` on the predictions reproduces it.")
    }

    func train() throws -> TrainingRun.Report {
        guard let data else { throw InputError("--data", "is required", hint: "the root folder holding <Dataset>/features") }
        guard let dataset else { throw InputError("--dataset", "is required", hint: "Breakfast, YTI, FS, FSeval or desktop_assembly") }
        guard let output else { throw InputError("--output", "is required", hint: "the folder the run writes") }
        let reconstruction = try ReconstructionChoices.parsing(choice)
        if method == .asot && !choice.isEmpty {
            throw InputError("--choice", "the ASOT baseline has none of CLOT's reconstruction choices", hint: "use --method clot")
        }
        let name = try DatasetName(parsing: dataset)
        guard threads >= 1 else { throw InputError("--threads", "needs at least 1, got \(threads)") }
        try ArgumentChecks.epochs(epochs)
        if method == .asot && (ablation != nil || decoder == .autoregressive) {
            throw InputError("--method asot", "has no decoder or CLOT components to ablate", hint: "use --method clot")
        }
        let layout = DatasetLayout(root: data, dataset: name)
        let activityKey = name.hasSingleActivity ? "all" : activity
        if !name.hasSingleActivity && activity == "all" {
            throw InputError("--activity", "\(name.rawValue) needs one activity",
                             hint: "activities here: " + ((try? layout.activities().joined(separator: ", ")) ?? "none"))
        }
        let inputs = try RunInputs.load(layout, activity: activityKey)
        let k = try resolveClusters(name, inputs.videos)
        let configuration = RunConfiguration(dataset: name, activity: activityKey, method: method, ablation: ablation,
                                             autoregressiveDecoder: decoder == .autoregressive, clusters: k, seed: seed, epochs: epochs,
                                             choices: reconstruction)
        return try TrainingRun(configuration: configuration, backend: backend, inputs: inputs, output: output,
                               resume: resume ? .required : .never,
                               purpose: "clot train \(configuration.variantName) \(name.rawValue) \(activityKey) seed \(seed)").run()
    }

    func resolveClusters(_ name: DatasetName, _ videos: [Video]) throws -> Int {
        if let clusters {
            guard clusters >= 2 else { throw InputError("--clusters", "needs at least 2, got \(clusters)") }
            return clusters
        }
        if let k = DatasetDefaults.clusters(dataset: name, activity: activity) { return k }
        let counted = Set(videos.flatMap(\.labels)).count
        Console.progress("warning: no official K for activity '\(activity)'; using the \(counted) classes in its ground truth")
        guard counted >= 2 else { throw InputError("--clusters", "the ground truth has \(counted) class; pass --clusters") }
        return counted
    }
}

extension Method: ExpressibleByArgument {}
extension Ablation: ExpressibleByArgument {}
