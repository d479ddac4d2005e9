import ArgumentParser
import CLOTCore
import Foundation
import Implementations
import Optimized

/// `clot bench`: medians over repeated runs, and ratios between implementations measured in
/// the same run. Build with `-c release` (`make bench`): debug timings mean nothing.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark the ASOT solver and the training step on both backends (median seconds, ratios).",
        discussion: """
        --suite solver (the default) times the ASOT decode of a uniform random N×K cost (seeded) \
        at every N of --sizes and K of --clusters (default 8) with eps 0.01, alpha 0.6, radius 0.04 and the default marginals — the conditions of the \
        official timing quoted in REPRODUCE.md — on the Optimized and Reference backends, and \
        reports medians after one warm-up (Reference over --repeats runs; Optimized over at least \
        --repeats runs and at least half a second of them, so a millisecond decode is not judged on \
        a 20 ms window of a noisy machine, the K values of one N taking turns run by run), the \
        Optimized time per plan entry (ns/cell = time / (N·K)) and its ratio to K = 8's, \
        Reference/Optimized ratios, and how time grows with N. \
        With --official-asot SRC it also times the official PyTorch solver (python3 with torch \
        needed) in the same run, via scripts/bench_official_asot.py, and checks the targets \
        (at N = 5000: Optimized ≥ 100× faster than the official solver and ≥ 20× faster than \
        Reference; 20000 vs 2000 within 12×; per cell at any K ≤ 1.3× K = 8's). The Optimized solver uses up to \
        CLOT_SOLVER_THREADS threads (default 2; the second only while a core is free for it); the \
        header says how many.

        --suite step times ONE training step (forward with dropout, the ASOT pseudo-labels of \
        every stage, the loss, its gradient and the Adam update) on a seeded batch of 2 videos × \
        256 frames at Breakfast sizes (MLP 64-128-40, 2 decoder layers, 8 heads, 150 SW \
        projections; K = n_seg = 7, or each K of --clusters) with Breakfast's train settings (eps 0.07, alpha 0.4, radius \
        0.04, lambda_actions 0.1, rho 0.2), for the ASOT baseline and the full CLOT model, on both \
        backends: medians (Reference over --repeats steps, Optimized over 10 × --repeats, after one \
        warm-up, in --repeats interleaved rounds so that a shared machine's drift reaches every \
        column alike), the Reference/Optimized and clot/asot ratios, and the target they are held \
        to (Optimized ≥ 20× faster than Reference). \
        --suite gemm times the products of one CLOT step, shape by shape, and the training step \
        itself, with the fixed-order sgemm every result uses (the same bits on every CPU) and with \
        OpenBLAS's sgemm (the kernel it picks for this CPU), interleaved, and prints what the fixed \
        order costs. --suite all runs the solver and step suites. \
        --suite protocol times a whole reproduction on synthetic data of the published sizes \
        (Breakfast's Table 1, one YTI activity; REPRODUCE.md §5 states the sizes and what is assumed).

        Example:
          swift build -c release && .build/release/clot bench --sizes 1000,5000 --repeats 5
          .build/release/clot bench --sizes 5000 --clusters 8,12,19,22,48 --reference-limit 0
          OPENBLAS_NUM_THREADS=1 .build/release/clot bench --suite step --clusters 7,19,22
        """)

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case solver, step, gemm, all, `protocol`
    }

    @Option(help: "What to time: solver (ASOT decode), step (one training step), gemm (fixed-order vs OpenBLAS sgemm), all, or protocol (a whole reproduction).")
    var suite: Suite = .solver

    @Option(help: "Comma-separated frame counts N.")
    var sizes: String = "1000,2000,5000,10000,20000"
    @Option(help: "Comma-separated cluster counts K (default: 8 for the solver, 7 for the training step).")
    var clusters: String?
    @Option(help: "Timed runs per size (after one warm-up).") var repeats: Int = 5
    @Option(help: "Largest N the Reference backend is run at (it is O(N²K) per iteration).")
    var referenceLimit: Int = 20000
    @Option(help: "Path to the official ASOT src/ folder, to time it in the same run.")
    var officialAsot: String?
    @Option(help: "Write the table as JSON here.") var jsonOut: String?
    @Option(help: "OpenBLAS threads for --suite gemm's comparison (1: no idle worker threads spinning between calls).") var threads: Int = 1
    /// Diagnostic: run only the Optimized step of this configuration (asot or clot), --repeats
    /// × 100 times, and print its median (for profilers: nothing else runs).
    @Option(help: .hidden) var profileStep: String?
    @OptionGroup var protocolOptions: BenchProtocolOptions

    func run() throws {
        guard repeats >= 1 else { throw InputError("--repeats", "needs at least 1, got \(repeats)") }
        guard threads >= 1 else { throw InputError("--threads", "needs at least 1, got \(threads)") }
        if let profileStep { return try runProfileStep(profileStep) }
        if suite == .protocol { return try runProtocol(protocolOptions) }
        var solverRows: [BenchRow]?
        var stepRows: [StepBenchRow]?
        if suite == .gemm {
            let rows = runGEMM()
            if let jsonOut {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try FileSystem.writeAtomically(Array(try encoder.encode(rows)), to: jsonOut)
            }
            return
        }
        if suite != .step { solverRows = try runSolver() }
        if suite != .solver {
            if solverRows != nil { print("") }
            stepRows = runStep(clusters: try clusterCounts(default: 7))
        }
        if let jsonOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data: Data
            switch suite {
            case .solver: data = try encoder.encode(solverRows ?? [])
            case .step, .gemm, .all, .protocol: data = try encoder.encode(BenchReport(solver: solverRows, step: stepRows))
            }
            try FileSystem.writeAtomically(Array(data), to: jsonOut)
        }
    }

    // MARK: the training-step suite

    /// Breakfast's train settings (the official `-ua` runs: eps 0.07, alpha 0.4, radius 0.04,
    /// lambda_actions 0.1; frames balanced).
    static var stepSettings: ASOTSettings {
        var s = ASOTSettings()
        s.epsilon = 0.07
        s.alpha = 0.4
        s.radius = 0.04
        s.lambdaActions = 0.1
        return s
    }

    /// The two models timed: the ASOT baseline and full CLOT, at Breakfast sizes, with K clusters.
    static func stepConfigurations(clusters k: Int = 7) -> [(name: String, configuration: ModelConfiguration)] {
        var clot = ModelConfiguration()
        clot.layerSizes = [64, 128, 40]
        clot.clusters = k
        clot.segmentOffset = 0
        clot.decoderLayers = 2
        clot.heads = 8
        clot.rho = 0.2
        var asot = ModelConfiguration.asot(layerSizes: [64, 128, 40], clusters: k)
        asot.rho = 0.2
        return [("asot", asot), ("clot", clot)]
    }

    /// Times one training step per backend and configuration; prints the table and returns its rows.
    ///
    /// The timings interleave: each of `repeats` rounds runs one Reference step and then
    /// ten Optimized steps of each model at each K, so a shared machine's drift (its speed moves by up
    /// to 2× over seconds) reaches every column alike, and the ratios compare steps taken
    /// minutes apart by none. Each model trains on as in `train`, one state per backend.
    func runStep(clusters ks: [Int]) -> [StepBenchRow] {
        let videos = 2, frames = 256
        let optimizedPerRound = 10
        let summary = "median of \(repeats) (Reference) / \(optimizedPerRound * repeats) (Optimized) steps after a warm-up, "
            + "in \(repeats) interleaved rounds"
        let kList = ks.map(String.init).joined(separator: ", ")
        Console.progress("training step, batch \(videos) × \(frames) frames, MLP 64-128-40, K = n_seg = \(kList), 2 decoder layers, "
                         + "8 heads; solver threads \(Optimized.solverThreads); \(summary)")
        let models = ks.flatMap { k in
            Self.stepConfigurations(clusters: k).map {
                (name: $0.name, k: k, steps: Self.stepRunners($0.configuration, videos: videos, frames: frames))
            }
        }
        for model in models {
            model.steps.reference()
            model.steps.optimized()
        }
        var referenceTimes = Array(repeating: [Double](), count: models.count)
        var optimizedTimes = referenceTimes
        for round in 1...max(1, repeats) {
            for (i, model) in models.enumerated() {
                referenceTimes[i].append(seconds(of: model.steps.reference))
                for _ in 0..<optimizedPerRound { optimizedTimes[i].append(seconds(of: model.steps.optimized)) }
            }
            Console.progress("round \(round)/\(max(1, repeats)) done")
        }
        let rows = models.indices.map { i in
            StepBenchRow(configuration: models[i].name, clusters: models[i].k, videos: videos, frames: frames,
                         referenceSeconds: median(referenceTimes[i]), optimizedSeconds: median(optimizedTimes[i]))
        }
        print("Training step, batch \(videos) × \(frames) frames, Breakfast sizes (MLP 64-128-40, K = n_seg = \(kList), "
              + "2 decoder layers, 8 heads, 150 SW projections), train eps 0.07 alpha 0.4 radius 0.04 lambda_actions 0.1 "
              + "rho 0.2, dropout on; solver threads \(Optimized.solverThreads); \(summary)")
        print(stepSummary(rows))
        return rows
    }

    /// One training step of `c` per call, for each implementation, from the same initial
    /// parameters, features (seeded Gaussians) and generator seed; each call continues the training.
    static func stepRunners(_ c: ModelConfiguration, videos: Int, frames: Int) -> (reference: () -> Void, optimized: () -> Void) {
        (stepRunner(.reference, c, videos: videos, frames: frames), stepRunner(.optimized, c, videos: videos, frames: frames))
    }

    /// `Implementation.trainingSteps` on the bench's batch: `videos` × `frames` seeded Gaussian
    /// features, every frame real, the initial parameters of seed 2025, Adam at 1e-3, seed 7.
    static func stepRunner(_ implementation: Implementation, _ c: ModelConfiguration, videos: Int, frames: Int) -> () -> Void {
        var generator = MersenneTwister(seed: 2025)
        let initial = ModelParameters<Double>.initial(c, using: &generator)
        let features = Matrix(rows: videos * frames, columns: c.layerSizes[0],
                              elements: (0..<(videos * frames * c.layerSizes[0])).map { _ in generator.gaussian() })
        return implementation.trainingSteps(c, parameters: initial, features: features, mask: Array(repeating: true, count: videos * frames),
                                            videos: videos, settings: stepSettings, learningRate: 1e-3, seed: 7)
    }

    /// Seconds one call of `body` takes.
    func seconds(of body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        return (clock.now - start).seconds
    }

    /// `--profile-step NAME`: only the Optimized step of one configuration, many times.
    func runProfileStep(_ name: String) throws {
        guard let c = Self.stepConfigurations(clusters: try clusterCounts(default: 7)[0]).first(where: { $0.name == name })?.configuration else {
            throw InputError("--profile-step", "'\(name)' is not asot or clot")
        }
        let step = Self.stepRunner(.optimized, c, videos: 2, frames: 256)
        let samples = times(100 * repeats, step)
        // The fastest tenth as well: on a shared machine it moves less than the median between runs.
        let decile = samples.sorted()[samples.count / 10]
        print("\(name): Optimized \(format(median(samples) * 1000, digits: 3)) ms (median of \(100 * repeats)), "
              + "\(format(decile * 1000, digits: 3)) ms (10th percentile)")
    }

    func stepSummary(_ rows: [StepBenchRow]) -> String {
        var lines = [Table.render(
            header: ["model", "K", "Reference ms", "Optimized ms", "Ref/Opt"],
            rows: rows.map { r in
                [r.configuration, String(r.clusters), format(r.referenceSeconds * 1000, digits: 2),
                 format(r.optimizedSeconds * 1000, digits: 3), format(r.referenceSeconds / r.optimizedSeconds, digits: 1) + "×"]
            })]
        for k in Set(rows.map(\.clusters)).sorted() {
            guard let asot = rows.first(where: { $0.configuration == "asot" && $0.clusters == k }),
                  let clot = rows.first(where: { $0.configuration == "clot" && $0.clusters == k }) else { continue }
            lines.append("clot/asot at K = \(k): Reference \(format(clot.referenceSeconds / asot.referenceSeconds, digits: 2))×, "
                         + "Optimized \(format(clot.optimizedSeconds / asot.optimizedSeconds, digits: 2))×")
        }
        let slowest = rows.map { $0.referenceSeconds / $0.optimizedSeconds }.min() ?? 0
        lines.append("target Optimized ≥ 20× faster than Reference: \(slowest >= 20 ? "met" : "MISSED") "
                     + "(lowest ratio \(format(slowest, digits: 1))×)")
        return lines.joined(separator: "\n")
    }

    /// Seconds of each of `count` runs after one untimed warm-up.
    func times(_ count: Int, _ body: () -> Void) -> [Double] {
        body()
        return (0..<count).map { _ in seconds(of: body) }
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func format(_ x: Double, digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
}

/// One configuration's training-step medians.
struct StepBenchRow: Codable {
    var configuration: String
    var clusters: Int
    var videos: Int, frames: Int
    /// The median seconds of a training step on each backend.
    var referenceSeconds: Double, optimizedSeconds: Double
}

/// `--json-out` of `--suite step` and `--suite all`.
struct BenchReport: Codable {
    var solver: [BenchRow]?
    var step: [StepBenchRow]?
}
