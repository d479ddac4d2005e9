import ArgumentParser
import CLOTCore
import Foundation
import Optimized
import Reference

/// `clot bench --suite solver`: the ASOT decode at every N of `--sizes` and K of `--clusters`.
extension Bench {
    /// The K values of `--clusters`, or `fallback` when it is not given.
    func clusterCounts(default fallback: Int) throws -> [Int] {
        guard let clusters else { return [fallback] }
        return try clusters.split(separator: ",").map { text in
            guard let k = Int(text.trimmingCharacters(in: .whitespaces)), k >= 2 else {
                throw InputError("--clusters", "'\(text)' is not a cluster count ≥ 2")
            }
            return k
        }
    }

    /// The N values of `--sizes`.
    func frameCounts() throws -> [Int] {
        try sizes.split(separator: ",").map { text in
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 2 else {
                throw InputError("--sizes", "'\(text)' is not a frame count ≥ 2")
            }
            return n
        }
    }

    /// The solver suite: returns its rows after printing its table. At each N the Optimized
    /// decodes of every K take turns (one of each per round), so the per-cell figures of
    /// different K are compared on the same stretch of a shared machine's time.
    func runSolver() throws -> [BenchRow] {
        let ns = try frameCounts(), ks = try clusterCounts(default: 8)
        var settings = ASOTSettings()
        settings.epsilon = 0.01
        settings.alpha = 0.6
        settings.radius = 0.04
        let header = "ASOT solver, K = \(ks.map(String.init).joined(separator: ", ")), eps 0.01, alpha 0.6, radius 0.04, "
            + "25 iterations; solver threads \(Optimized.solverThreads); "
            + "median of \(repeats) (Reference) / ≥ \(repeats) and ≥ 0.5 s of runs (Optimized, every K in turn) after a warm-up"
        Console.progress(header)
        var rows: [BenchRow] = []
        for n in ns {
            let costs = ks.map { Self.uniformCost(frames: n, clusters: $0) }
            let singles = costs.map(\.float32)
            let optimized = interleavedTimes(singles.map { cost in { _ = Optimized.solveASOT(cost: cost, settings: settings) } },
                                             filling: 0.5)
            for (i, k) in ks.enumerated() {
                var reference: Double?
                if n <= referenceLimit {
                    let runs = n >= 10000 ? min(repeats, 3) : repeats
                    reference = median(times(runs) { _ = Reference.solveASOT(cost: costs[i], settings: settings) })
                }
                let row = BenchRow(n: n, k: k, optimizedSeconds: median(optimized[i]), referenceSeconds: reference)
                rows.append(row)
                Console.progress(row.line)
            }
        }
        if let officialAsot {
            try timeOfficial(source: officialAsot, sizes: ns, clusters: ks, rows: &rows)
        }
        print(header)
        print(summary(rows))
        return rows
    }

    /// A uniform random N × K cost in [0, 1), seeded by N (so every K's first column is alike).
    static func uniformCost(frames n: Int, clusters k: Int) -> Matrix<Double> {
        var generator = MersenneTwister(seed: UInt32(n))
        return Matrix(rows: n, columns: k, elements: (0..<(n * k)).map { _ in generator.uniform() })
    }

    /// Seconds of each run of every body, the bodies taking turns, one run of each per round:
    /// at least `repeats` rounds, and enough for the fastest body to fill `budget` seconds (at
    /// most 2000 rounds), after one warm-up of each that sets the count.
    func interleavedTimes(_ bodies: [() -> Void], filling budget: Double) -> [[Double]] {
        let fastest = max(bodies.map { seconds(of: $0) }.min() ?? 1, 1e-6)
        let rounds = min(2000, max(repeats, Int((budget / fastest).rounded(.up))))
        var samples = Array(repeating: [Double](), count: bodies.count)
        for _ in 0..<rounds {
            for (i, body) in bodies.enumerated() { samples[i].append(seconds(of: body)) }
        }
        return samples
    }

    /// Runs scripts/bench_official_asot.py and merges its medians.
    func timeOfficial(source: String, sizes: [Int], clusters: [Int], rows: inout [BenchRow]) throws {
        let output = NSTemporaryDirectory() + "/clot-official-bench-\(ProcessInfo.processInfo.processIdentifier).json"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/bench_official_asot.py", "--asot-src", source,
                             "--sizes", sizes.map(String.init).joined(separator: ","),
                             "--clusters", clusters.map(String.init).joined(separator: ","), "--json-out", output]
        Console.progress("timing the official solver: python3 scripts/bench_official_asot.py …")
        process.standardOutput = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) else {
            throw InputError("--official-asot", "the official benchmark failed (exit \(process.terminationStatus))",
                             hint: "it needs python3 with torch, and the official src/ folder")
        }
        struct Official: Decodable { struct Row: Decodable { var N: Int; var K: Int; var median_seconds: Double }; var rows: [Row] }
        let official = try JSONDecoder().decode(Official.self, from: data)
        for i in rows.indices {
            rows[i].officialSeconds = official.rows.first { $0.N == rows[i].n && $0.K == rows[i].k }?.median_seconds
        }
    }

    func summary(_ rows: [BenchRow]) -> String {
        let baseline = { (n: Int) in rows.first { $0.n == n && $0.k == 8 }?.nanosecondsPerCell }
        var lines = [Table.render(
            header: ["N", "K", "Optimized s", "ns/cell", "cell/K=8", "Reference s", "Ref/Opt", "official s", "official/Opt"],
            rows: rows.map { r in
                [String(r.n), String(r.k), format(r.optimizedSeconds), format(r.nanosecondsPerCell, digits: 2),
                 baseline(r.n).map { format(r.nanosecondsPerCell / $0, digits: 2) + "×" } ?? "–",
                 r.referenceSeconds.map { format($0) } ?? "–",
                 r.referenceSeconds.map { format($0 / r.optimizedSeconds, digits: 1) + "×" } ?? "–",
                 r.officialSeconds.map { format($0) } ?? "–",
                 r.officialSeconds.map { format($0 / r.optimizedSeconds, digits: 1) + "×" } ?? "–"]
            })]
        for k in Set(rows.map(\.k)).sorted() { lines += targetLines(rows.filter { $0.k == k }, k: k) }
        for r in rows where r.k > 8 {
            guard let base = baseline(r.n) else { continue }
            let ratio = r.nanosecondsPerCell / base
            lines.append("target per cell at K = \(r.k) ≤ 1.3× K = 8 (N = \(r.n)): \(ratio <= 1.3 ? "met" : "MISSED") "
                         + "(\(format(ratio, digits: 2))×)")
        }
        return lines.joined(separator: "\n")
    }

    /// The growth and speed targets, on one K's rows.
    func targetLines(_ rows: [BenchRow], k: Int) -> [String] {
        var lines: [String] = []
        if let small = rows.first(where: { $0.n == 2000 }), let large = rows.first(where: { $0.n == 20000 }) {
            let growth = large.optimizedSeconds / small.optimizedSeconds
            lines.append("growth N 2000 → 20000 at K = \(k): Optimized \(format(growth, digits: 1))× (linear would be 10×); "
                         + "target ≤ 12×: \(growth <= 12 ? "met" : "MISSED")")
        }
        guard let row = rows.first(where: { $0.n == 5000 }) else { return lines }
        if let reference = row.referenceSeconds {
            let ratio = reference / row.optimizedSeconds
            lines.append("target Optimized ≥ 20× faster than Reference at N = 5000, K = \(k): "
                         + "\(ratio >= 20 ? "met" : "MISSED") (\(format(ratio, digits: 1))×)")
        }
        if let official = row.officialSeconds {
            let ratio = official / row.optimizedSeconds
            lines.append("target Optimized ≥ 100× faster than the official solver at N = 5000, K = \(k): "
                         + "\(ratio >= 100 ? "met" : "MISSED") (\(format(ratio, digits: 1))×)")
        }
        return lines
    }
}

struct BenchRow: Codable {
    var n: Int, k: Int
    var optimizedSeconds: Double
    /// Optimized seconds per entry of the plan, time / (N·K), in nanoseconds.
    var nanosecondsPerCell: Double
    var referenceSeconds: Double?
    var officialSeconds: Double?

    init(n: Int, k: Int, optimizedSeconds: Double, referenceSeconds: Double?) {
        self.n = n
        self.k = k
        self.optimizedSeconds = optimizedSeconds
        nanosecondsPerCell = optimizedSeconds * 1e9 / Double(n * k)
        self.referenceSeconds = referenceSeconds
    }

    var line: String {
        "N = \(n), K = \(k): Optimized \(String(format: "%.5f", optimizedSeconds)) s "
            + "(\(String(format: "%.2f", nanosecondsPerCell)) ns/cell)"
            + (referenceSeconds.map { String(format: ", Reference %.4f s (%.1f×)", $0, $0 / optimizedSeconds) } ?? "")
    }
}
