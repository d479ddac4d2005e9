import CLOTCore
import Foundation
import Optimized

/// `clot bench --suite gemm`: what the fixed-order matrix product (the same bits on every CPU)
/// costs against OpenBLAS's own pick of kernel on this machine, measured in the same run.
extension Bench {
    /// The shapes (op(A), op(B), m, n, k) of one Breakfast-sized CLOT training step's products,
    /// weighted by how often a step calls each (encoder and decoder projections and their
    /// gradients, the per-head attention products, feature dispatching and the refinement).
    /// `heads`: the operands and result that are 5 wide are one head's columns of 40-wide rows,
    /// as attention passes them (leading dimension 40).
    static let stepShapes: [(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, perStep: Int, heads: Bool)] = [
        (false, true, 512, 128, 64, 1, false), (true, false, 128, 64, 512, 1, false),
        (false, true, 512, 40, 128, 1, false), (false, false, 512, 128, 40, 1, false), (true, false, 40, 128, 512, 1, false),
        (false, true, 512, 40, 40, 4, false), (false, false, 512, 40, 40, 4, false), (true, false, 40, 40, 512, 4, false),
        (false, true, 7, 256, 5, 64, true), (false, false, 7, 5, 256, 64, true), (true, false, 256, 5, 7, 64, true),
        (false, true, 256, 7, 40, 8, false), (false, true, 512, 7, 40, 2, false), (false, false, 14, 40, 40, 12, false),
    ]

    /// Times each shape and one training step of each model with both engines, interleaved
    /// round by round; prints both tables and returns the step rows.
    func runGEMM() -> [GEMMBenchRow] {
        guard let openBLAS = OpenBLAS.shared else {
            print("OpenBLAS is not installed (libopenblas.so.0): there is no other sgemm to compare the fixed order with")
            return []
        }
        openBLAS.threads = threads
        let engines = Optimized.GEMMEngine.allCases
        let previous = Optimized.gemmEngine
        defer { Optimized.gemmEngine = previous }
        print("sgemm: fixed order (the same bits on every CPU) against OpenBLAS \(openBLAS.version), "
              + "its kernel \(openBLAS.coreName), \(openBLAS.threads) thread(s); median of \(repeats) rounds, "
              + "each timing every shape with both engines in turn")
        var shapeTimes = Array(repeating: Array(repeating: [Double](), count: engines.count), count: Self.stepShapes.count)
        for _ in 0..<max(1, repeats) {
            for (s, shape) in Self.stepShapes.enumerated() {
                for (e, engine) in engines.enumerated() {
                    shapeTimes[s][e].append(timeGEMM(shape.transposeA, shape.transposeB, shape.m, shape.n, shape.k,
                                                     headWidth: shape.heads ? 5 : nil, engine: engine))
                }
            }
        }
        var rows: [[String]] = []
        var weighted = [0.0, 0.0]
        for (s, shape) in Self.stepShapes.enumerated() {
            let t = shapeTimes[s].map(median)
            for e in engines.indices { weighted[e] += t[e] * Double(shape.perStep) }
            rows.append(["\(shape.transposeA ? "T" : "N")\(shape.transposeB ? "T" : "N") \(shape.m)×\(shape.n)×\(shape.k)",
                         String(shape.perStep), format(t[0] * 1e6, digits: 2), format(t[1] * 1e6, digits: 2),
                         format(t[0] / t[1], digits: 2) + "×"])
        }
        rows.append(["per clot step", "", format(weighted[0] * 1e6, digits: 1), format(weighted[1] * 1e6, digits: 1),
                     format(weighted[0] / weighted[1], digits: 2) + "×"])
        print(Table.render(header: ["op(A)op(B) m×n×k", "calls/step", "fixed µs", "OpenBLAS µs", "fixed/OpenBLAS"], rows: rows))
        print("")
        return runStepWithEngines()
    }

    /// Seconds per product of one shape (seeded operands), averaged over about 10 ms of calls.
    /// With `headWidth`, every dimension of that width is stored in rows of 8 heads.
    func timeGEMM(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, headWidth: Int?,
                  engine: Optimized.GEMMEngine) -> Double {
        func leading(_ columns: Int) -> Int { columns == headWidth ? 8 * columns : columns }
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k), (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let lda = leading(aColumns), ldb = leading(bColumns), ldc = leading(n)
        var generator = MersenneTwister(seed: UInt32(m * 31 + n * 7 + k))
        let a = (0..<(aRows * lda)).map { _ in Float(generator.uniform()) }, b = (0..<(bRows * ldb)).map { _ in Float(generator.uniform()) }
        var c = [Float](repeating: 0, count: m * ldc)
        let calls = max(1, 2_000_000 / (m * n * k))
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    seconds(of: {
                        for _ in 0..<calls {
                            Optimized.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                           ap, lda: lda, bp, ldb: ldb, cp, ldc: ldc, engine: engine)
                        }
                    }) / Double(calls)
                }
            }
        }
    }

    /// One training step of the ASOT and CLOT models (as `--suite step`) with each engine.
    func runStepWithEngines() -> [GEMMBenchRow] {
        let engines = Optimized.GEMMEngine.allCases
        let models = Self.stepConfigurations().map { model in
            (name: model.name, steps: engines.map { _ in Self.stepRunners(model.configuration, videos: 2, frames: 256).optimized })
        }
        var times = Array(repeating: Array(repeating: [Double](), count: engines.count), count: models.count)
        for model in models {
            for (e, engine) in engines.enumerated() { Optimized.gemmEngine = engine; model.steps[e]() }
        }
        for round in 1...max(1, repeats) {
            for (m, model) in models.enumerated() {
                for (e, engine) in engines.enumerated() {
                    Optimized.gemmEngine = engine
                    for _ in 0..<10 { times[m][e].append(seconds(of: model.steps[e])) }
                }
            }
            Console.progress("round \(round)/\(max(1, repeats)) done")
        }
        let result = models.indices.map { m in
            GEMMBenchRow(configuration: models[m].name, fixedOrderSeconds: median(times[m][0]), openBLASSeconds: median(times[m][1]))
        }
        print("Optimized training step (batch 2 × 256, Breakfast sizes, as --suite step) with each sgemm; "
              + "median of \(10 * repeats) steps in \(repeats) interleaved rounds")
        print(Table.render(header: ["model", "fixed order ms", "OpenBLAS ms", "fixed/OpenBLAS"], rows: result.map { r in
            [r.configuration, format(r.fixedOrderSeconds * 1000, digits: 3), format(r.openBLASSeconds * 1000, digits: 3),
             format(r.fixedOrderSeconds / r.openBLASSeconds, digits: 2) + "×"]
        }))
        return result
    }
}

/// One model's training step with the fixed-order sgemm and with OpenBLAS's.
struct GEMMBenchRow: Codable {
    var configuration: String
    var fixedOrderSeconds: Double
    var openBLASSeconds: Double
}
