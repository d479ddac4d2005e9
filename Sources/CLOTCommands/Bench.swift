import ArgumentParser
import CLOTCore
import Foundation
import Optimized
import Reference

/// `clot bench`: medians over repeated runs, and ratios between implementations measured in
/// the same run. Build with `-c release` (`make bench`): debug timings mean nothing.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark the ASOT solver on both backends (median seconds, ratios).",
        discussion: """
        Times the ASOT decode of a uniform random N×K cost (seeded) with eps 0.01, alpha 0.6, \
        radius 0.04 and the default marginals — the conditions of the official timing quoted in \
        REPRODUCE.md — on the Optimized and Reference backends, and reports the median of \
        --repeats runs after one warm-up, Reference/Optimized ratios, and how time grows with N. \
        With --official-asot SRC it also times the official PyTorch solver (python3 with torch \
        needed) in the same run, via scripts/bench_official_asot.py.

        Example:
          swift build -c release && .build/release/clot bench --sizes 1000,5000 --repeats 5
        """)

    @Option(help: "Comma-separated frame counts N.")
    var sizes: String = "1000,2000,5000,10000,20000"
    @Option(help: "Clusters K.") var clusters: Int = 8
    @Option(help: "Timed runs per size (after one warm-up).") var repeats: Int = 5
    @Option(help: "Largest N the Reference backend is run at (it is O(N²K) per iteration).")
    var referenceLimit: Int = 20000
    @Option(help: "Path to the official ASOT src/ folder, to time it in the same run.")
    var officialAsot: String?
    @Option(help: "Write the table as JSON here.") var jsonOut: String?

    func run() throws {
        let ns = try sizes.split(separator: ",").map { text -> Int in
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 2 else {
                throw InputError("--sizes", "'\(text)' is not a frame count ≥ 2")
            }
            return n
        }
        guard clusters >= 2 else { throw InputError("--clusters", "needs at least 2, got \(clusters)") }
        guard repeats >= 1 else { throw InputError("--repeats", "needs at least 1, got \(repeats)") }
        var settings = ASOTSettings()
        settings.epsilon = 0.01
        settings.alpha = 0.6
        settings.radius = 0.04
        Console.progress("ASOT solver, K = \(clusters), eps 0.01, alpha 0.6, radius 0.04, 25 iterations; "
              + "OpenBLAS threads \(Optimized.blasThreads); median of \(repeats) after a warm-up")
        var rows: [BenchRow] = []
        for n in ns {
            var generator = MersenneTwister(seed: UInt32(n))
            let cost = Matrix(rows: n, columns: clusters, elements: (0..<(n * clusters)).map { _ in generator.uniform() })
            let single = cost.float32
            let optimized = median(times(repeats) { _ = Optimized.solveASOT(cost: single, settings: settings) })
            var reference: Double?
            if n <= referenceLimit {
                let runs = n >= 10000 ? min(repeats, 3) : repeats
                reference = median(times(runs) { _ = Reference.solveASOT(cost: cost, settings: settings) })
            }
            let row = BenchRow(n: n, k: clusters, optimizedSeconds: optimized, referenceSeconds: reference, officialSeconds: nil)
            rows.append(row)
            Console.progress(row.line)
        }
        if let officialAsot {
            try timeOfficial(source: officialAsot, sizes: ns, rows: &rows)
        }
        print("ASOT solver, K = \(clusters), eps 0.01, alpha 0.6, radius 0.04, 25 iterations, "
              + "OpenBLAS threads \(Optimized.blasThreads), median of \(repeats) runs after a warm-up")
        print(summary(rows))
        if let jsonOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileSystem.writeAtomically(Array(try encoder.encode(rows)), to: jsonOut)
        }
    }

    /// Seconds of each of `count` runs after one untimed warm-up.
    func times(_ count: Int, _ body: () -> Void) -> [Double] {
        body()
        let clock = ContinuousClock()
        return (0..<count).map { _ in
            let start = clock.now
            body()
            return (clock.now - start).seconds
        }
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Runs scripts/bench_official_asot.py and merges its medians.
    func timeOfficial(source: String, sizes: [Int], rows: inout [BenchRow]) throws {
        let output = NSTemporaryDirectory() + "/clot-official-bench-\(ProcessInfo.processInfo.processIdentifier).json"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/bench_official_asot.py", "--asot-src", source,
                             "--sizes", sizes.map(String.init).joined(separator: ","), "--json-out", output]
        Console.progress("timing the official solver: python3 scripts/bench_official_asot.py …")
        process.standardOutput = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) else {
            throw InputError("--official-asot", "the official benchmark failed (exit \(process.terminationStatus))",
                             hint: "it needs python3 with torch, and the official src/ folder")
        }
        struct Official: Decodable { struct Row: Decodable { var N: Int; var median_seconds: Double }; var rows: [Row] }
        let official = try JSONDecoder().decode(Official.self, from: data)
        for i in rows.indices {
            rows[i].officialSeconds = official.rows.first { $0.N == rows[i].n }?.median_seconds
        }
    }

    func summary(_ rows: [BenchRow]) -> String {
        var lines = [Table.render(
            header: ["N", "Optimized s", "Reference s", "Ref/Opt", "official s", "official/Opt"],
            rows: rows.map { r in
                [String(r.n), format(r.optimizedSeconds), r.referenceSeconds.map { format($0) } ?? "–",
                 r.referenceSeconds.map { format($0 / r.optimizedSeconds, digits: 1) + "×" } ?? "–",
                 r.officialSeconds.map { format($0) } ?? "–",
                 r.officialSeconds.map { format($0 / r.optimizedSeconds, digits: 1) + "×" } ?? "–"]
            })]
        if let small = rows.first(where: { $0.n == 2000 }), let large = rows.first(where: { $0.n == 20000 }) {
            lines.append("growth N 2000 → 20000: Optimized \(format(large.optimizedSeconds / small.optimizedSeconds, digits: 1))× (linear would be 10×)")
        }
        return lines.joined(separator: "\n")
    }

    func format(_ x: Double, digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
}

struct BenchRow: Codable {
    var n: Int, k: Int
    var optimizedSeconds: Double
    var referenceSeconds: Double?
    var officialSeconds: Double?

    var line: String {
        "N = \(n): Optimized \(String(format: "%.5f", optimizedSeconds)) s"
            + (referenceSeconds.map { String(format: ", Reference %.4f s (%.1f×)", $0, $0 / optimizedSeconds) } ?? "")
    }
}
