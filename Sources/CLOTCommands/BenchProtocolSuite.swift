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
        for benchmark in benchmarks {
            let measured = try Self.timeReproduction(benchmark, root: root, jobs: options.jobs)
            Console.progress(measured.line)
            print(measured.line)
        }
    }

    /// What one reproduction cost.
    struct ProtocolTiming {
        var dataset: DatasetName
        var runs: Int
        var jobs: Int
        var wall: Double
        /// User plus system seconds of every thread.
        var cpu: Double
        /// The process's peak resident memory during the reproduction, in bytes.
        var peakBytes: Int
        /// Seconds spent parsing the data (all activities), and the runs' recorded phases summed.
        var parse: Double
        var phases: TrainingRun.Report.Phases

        var line: String {
            "\(dataset.rawValue): \(runs) runs, --jobs \(jobs): wall "
                + String(format: "%.1f s, CPU %.1f s (%.2f cores), peak memory %.2f GB; ", wall, cpu, cpu / wall, Double(peakBytes) / 1e9)
                + String(format: "parse %.1f s; summed over runs: k-means %.1f s, train %.1f s, decode %.1f s, score %.1f s",
                         parse, phases.initialise, phases.train, phases.predict, phases.evaluate)
        }
    }

    /// Runs `clot reproduce` on the benchmark's data (every activity, both methods, seeds 0–4,
    /// the dataset's epochs) into a fresh folder and times it: wall clock, CPU time and peak
    /// memory of this process (its high-water mark is reset first), and the runs' phases.
    static func timeReproduction(_ benchmark: SyntheticBenchmark, root: String, jobs: Int?) throws -> ProtocolTiming {
        let output = NSTemporaryDirectory() + "/clot-bench-protocol-runs-\(getpid())-\(benchmark.dataset.rawValue)"
        try? FileManager.default.removeItem(atPath: output)
        defer { try? FileManager.default.removeItem(atPath: output) }
        var arguments = ["reproduce", "--data", root, "--datasets", benchmark.dataset.rawValue, "--seeds", "0,1,2,3,4", "--output", output]
        if let jobs { arguments += ["--jobs", String(jobs)] }
        guard let command = try ClotCommand.parseAsRoot(arguments) as? Reproduce else { throw InputError("bench", "cannot build the reproduction") }
        // The peak resident size from here on ("5" to clear_refs resets VmHWM; Linux).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let parseBefore = SharedActivity.parseSeconds
        let cpuBefore = cpuSeconds()
        let clock = ContinuousClock(), start = clock.now
        let stdout = dup(1)
        let devnull = open("/dev/null", O_WRONLY)
        dup2(devnull, 1)   // the tables' markdown; the bench prints its own line
        defer { fflush(nil); dup2(stdout, 1); close(stdout); close(devnull) }
        try command.run()
        fflush(nil)
        let wall = (clock.now - start).seconds
        let cpu = cpuSeconds() - cpuBefore
        struct Results: Decodable { struct Run: Decodable { var folder: String }; var runs: [Run] }
        let results = try JSONDecoder().decode(Results.self, from: Data(contentsOf: URL(fileURLWithPath: output + "/results.json")))
        var phases = TrainingRun.Report.Phases(initialise: 0, train: 0, predict: 0, evaluate: 0)
        for run in results.runs {
            let report = try JSONDecoder().decode(TrainingRun.Report.self,
                                                  from: Data(contentsOf: URL(fileURLWithPath: output + "/" + run.folder + "/metrics.json")))
            if let p = report.phases {
                phases.initialise += p.initialise; phases.train += p.train; phases.predict += p.predict; phases.evaluate += p.evaluate
            }
        }
        return ProtocolTiming(dataset: benchmark.dataset, runs: results.runs.count, jobs: command.jobs ?? WorkerPool.availableCores,
                              wall: wall, cpu: cpu, peakBytes: peakResidentBytes(), parse: SharedActivity.parseSeconds - parseBefore,
                              phases: phases)
    }

    /// User plus system CPU seconds of this process, every thread.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// VmHWM from /proc/self/status (the resident high-water mark), else getrusage's maximum.
    static func peakResidentBytes() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
            return kilobytes * 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
