import ArgumentParser
import CLOTCore
import Foundation

/// The options of `clot bench --suite protocol`.
struct BenchProtocolOptions: ParsableArguments {
    @Option(name: .customLong("protocol-data"),
            help: "Folder for the synthetic data (--suite protocol): reused when it holds the same data, else written; default a temporary folder, removed afterwards.")
    var data: String?
    @Option(name: .customLong("protocol-datasets"), help: "--suite protocol: Breakfast (the whole Table 1), YTI (one activity), or both.")
    var datasets: String = "Breakfast,YTI"
    @Option(name: .customLong("protocol-scale"), help: "--suite protocol: videos per activity × this (1: the published counts).")
    var scale: Double = 1
    @Option(name: .customLong("jobs"), help: "--suite protocol: runs at once (default: the reproduction's default, the CPUs available).")
    var jobs: Int?
    @Flag(name: .customLong("protocol-keep-data"), help: "--suite protocol: keep the temporary data folder.")
    var keepData = false
    @Flag(name: .customLong("protocol-generate-only"), help: .hidden)
    var generateOnly = false
}

/// `clot bench --suite protocol`: the whole Breakfast Table 1 (10 activities, 1712 videos,
/// both methods, 5 seeds, 15 epochs, and the untrained baseline) and one YouTube Instructions
/// activity, on synthetic data of the published sizes in the official text format
/// (`SyntheticBenchmark`), timed end to end: load, train, decode, score.
extension Bench {
    func runProtocol(_ options: BenchProtocolOptions) throws {
        guard options.scale > 0 else { throw InputError("--protocol-scale", "needs a positive factor, got \(options.scale)") }
        let wanted = try options.datasets.split(separator: ",").map { try DatasetName(parsing: String($0)) }
        var benchmarks: [SyntheticBenchmark] = []
        if wanted.contains(.breakfast) { benchmarks.append(.breakfast(scale: options.scale)) }
        if wanted.contains(.yti) { benchmarks.append(.ytiActivity(scale: options.scale)) }
        guard !benchmarks.isEmpty else { throw InputError("--protocol-datasets", "lists neither Breakfast nor YTI") }
        let root = options.data ?? NSTemporaryDirectory() + "/clot-bench-protocol-\(getpid())"
        try FileSystem.makeDirectories(root)
        defer { if options.data == nil && !options.keepData { try? FileManager.default.removeItem(atPath: root) } }
        for benchmark in benchmarks {
            let clock = ContinuousClock(), start = clock.now
            let summary: SyntheticBenchmark.Summary
            if let existing = benchmark.existing(under: root) {
                summary = existing
                Console.progress("\(benchmark.dataset.rawValue): reusing the synthetic data in \(root)")
            } else {
                Console.progress("\(benchmark.dataset.rawValue): writing synthetic data into \(root)")
                summary = try benchmark.write(under: root, threads: WorkerPool.availableCores)
            }
            Console.progress("\(benchmark.dataset.rawValue): \(summary.videos) videos, \(summary.frames) frames, "
                             + String(format: "%.2f GB of text, %.1f s", Double(summary.bytes) / 1e9, (clock.now - start).seconds))
        }
        if options.generateOnly { return }
    }
}
