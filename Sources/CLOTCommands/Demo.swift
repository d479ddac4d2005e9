import ArgumentParser
import CLOTCore
import Foundation
import Optimized

/// `clot demo`: the README's main job — ASOT and CLOT trained on the bundled real sample.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train ASOT and CLOT on the bundled Breakfast coffee sample and compare them.",
        discussion: """
        Trains the asot and clot methods with the Breakfast defaults (15 epochs, K = 7, seed 0) on \
        the five real coffee videos in fixtures/sample, beside the untrained k-means \
        initialisation, and prints MoF, F1 and mIoU at both levels with the seconds each took. \
        Outputs (metrics.json and predictions per run) go to --output. The sample is found \
        beside the clot executable's checkout (or the working folder's fixtures/sample) unless \
        --data names another root.

        Example:
          clot demo --output demo-output
        """)

    @Option(help: "Root of the data (default: the bundled sample, fixtures/sample of the checkout clot was built in).") var data: String?
    @Option(help: "Where the runs are written.") var output: String = "demo-output"
    @Option(parsing: .unconditional, help: "Epochs per run.") var epochs: Int = 15
    @Option(parsing: .unconditional, help: "Random seed, 0 to 4294967295.", transform: ArgumentChecks.seed) var seed: UInt32 = 0
    @Option(help: "optimized or reference.") var backend: Backend = .optimized

    func run() throws {
        try ArgumentChecks.epochs(epochs)
        let data = try self.data ?? BundledFiles.sampleRoot()
        let inputs = try RunInputs.load(DatasetLayout(root: data, dataset: .breakfast), activity: "coffee")
        let videos = inputs.videos
        Console.progress("clot demo: \(videos.count) Breakfast coffee videos (\(videos.reduce(0) { $0 + $1.frameCount }) frames) from \(data)")
        try FileSystem.prepareOutputDirectory(output)
        var reports: [(String, TrainingRun.Report)] = []
        for (label, method, runEpochs, name) in [("untrained (k-means init)", Method.asot, 0, "untrained"), ("ASOT", .asot, epochs, "asot"),
                                                 ("CLOT", .clot, epochs, "clot")] {
            let configuration = RunConfiguration(dataset: .breakfast, activity: "coffee", method: method, clusters: 7, seed: seed, epochs: runEpochs)
            do {
                reports.append((label, try TrainingRun(configuration: configuration, backend: backend, inputs: inputs, output: output + "/" + name,
                                                       purpose: "clot demo \(name)").run()))
            } catch let stop as Interrupted {
                throw Interrupted(signal: stop.signal, place: "during the demo's \(name) run; run clot demo again to start over")
            }
        }
        print("")
        print("Breakfast coffee sample: \(videos.count) videos, K = 7, seed \(seed), \(epochs) epochs, \(backend.rawValue) backend")
        print("")
        print(Table.render(
            header: ["method", "act MoF", "act F1", "act mIoU", "vid MoF", "vid F1", "vid mIoU", "seconds"],
            rows: reports.map { label, r in
                [label] + [r.activity.mof, r.activity.f1, r.activity.miou, r.video.mof, r.video.f1, r.video.miou].map(Table.percent)
                    + [String(format: "%.1f", r.wallSeconds)]
            }))
        print("")
        print("F1 is the official sampled score; metrics.json also holds its expectation (f1_expected).")
        print("Numbers are after the final epoch (no selection). Outputs (metrics.json, report.html, predictions/): \(output)/{untrained,asot,clot}/")
        print("This is a 5-video sample; the papers' tables average all 10 Breakfast activities (REPRODUCE.md).")
        print("Made by: \(Provenance.current(backend).summary).")
    }
}
