import CLOTCore
import Foundation
import Optimized
import Testing
import TestSupport

/// The fixed-order matrix product: every entry is exactly the FMA chain its definition states
/// (so the blocking, the vector width and the packing cannot change a bit), and it agrees with
/// OpenBLAS's sgemm to Float32 rounding.
@Suite("fixed-order sgemm")
struct GEMMTests {
    /// One product's operands: op(A) m × k, op(B) k × n, in buffers with extra columns (leading
    /// dimensions past the width) and an offset, as the layers pass attention heads.
    struct Problem: CustomStringConvertible {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int
        var alpha: Float, beta: Float
        var lda: Int, ldb: Int, ldc: Int
        var a: [Float], b: [Float], c: [Float]

        init(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float = 1, beta: Float = 0,
             padding: Int = 0, seed: UInt32) {
            var g = MersenneTwister(seed: seed)
            (self.transposeA, self.transposeB, self.m, self.n, self.k, self.alpha, self.beta) = (transposeA, transposeB, m, n, k, alpha, beta)
            lda = (transposeA ? m : k) + padding
            ldb = (transposeB ? k : n) + padding
            ldc = n + padding
            a = (0..<((transposeA ? k : m) * lda)).map { _ in Float(g.gaussian()) }
            b = (0..<((transposeB ? n : k) * ldb)).map { _ in Float(g.gaussian()) }
            c = (0..<(m * ldc)).map { _ in Float(g.gaussian()) }
        }

        var description: String {
            "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") \(m)×\(n)×\(k) α \(alpha) β \(beta) ld \(lda),\(ldb),\(ldc)"
        }

        /// The definition, one entry at a time: s = fma chain over p in order, then α·s (+ β·c).
        func definition() -> [Float] {
            var out = c
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k {
                        let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                        let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                        s = s.addingProduct(x, y)
                    }
                    out[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j]
                }
            }
            return out
        }

        func product(_ engine: Optimized.GEMMEngine) -> [Float] {
            var out = c
            Optimized.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a, lda: lda, b, ldb: ldb, beta: beta, &out, ldc: ldc, engine: engine)
            return out
        }
    }

    /// Shapes around every blocking edge: rows 1…13 (blocks of 6 and 8 and their remainders),
    /// columns 1…40 (8- and 16-wide panels, partial ones), depths 0…70, the step's real shapes.
    static let problems: [Problem] = {
        var list: [Problem] = []
        var seed: UInt32 = 1
        for (m, n, k) in [(1, 1, 1), (5, 7, 3), (6, 16, 9), (7, 5, 256), (256, 5, 7), (7, 256, 5), (13, 17, 31),
                          (40, 40, 70), (8, 8, 0), (12, 24, 1), (9, 33, 12), (64, 40, 128)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    seed += 1
                    list.append(Problem(transposeA, transposeB, m, n, k, seed: seed))
                }
            }
        }
        list.append(Problem(false, true, 11, 21, 19, alpha: -2, beta: 0, padding: 3, seed: 100))
        list.append(Problem(true, false, 14, 9, 23, alpha: 0.5, beta: 1, padding: 5, seed: 101))
        list.append(Problem(false, false, 17, 6, 40, alpha: 1, beta: -0.25, padding: 2, seed: 102))
        list.append(Problem(true, true, 7, 40, 5, alpha: 3, beta: 1, padding: 1, seed: 103))
        return list
    }()

    @Test("every entry is the FMA chain of its definition, bit for bit", arguments: problems)
    func equalsDefinition(_ problem: Problem) {
        let expected = problem.definition(), actual = problem.product(.fixedOrder)
        #expect(actual.map(\.bitPattern) == expected.map(\.bitPattern), "\(problem)")
    }

    /// OpenBLAS sums in another order; both are within k·ε·Σ|a||b| of the exact product, so
    /// they differ by at most twice that (ε = 2⁻²⁴, plus the α/β roundings).
    @Test("agrees with OpenBLAS's sgemm to Float32 rounding", .enabled(if: OpenBLAS.shared != nil, "OpenBLAS is not installed"),
          arguments: problems)
    func agreesWithOpenBLAS(_ problem: Problem) {
        let fixed = problem.product(.fixedOrder), blas = problem.product(.openBLAS)
        for i in 0..<problem.m {
            for j in 0..<problem.n {
                var magnitude: Float = 0
                for p in 0..<problem.k {
                    let x = problem.transposeA ? problem.a[p * problem.lda + i] : problem.a[i * problem.lda + p]
                    let y = problem.transposeB ? problem.b[j * problem.ldb + p] : problem.b[p * problem.ldb + j]
                    magnitude += abs(x * y)
                }
                let index = i * problem.ldc + j
                let bound = 2 * Float(problem.k + 2) * Float.ulpOfOne * (abs(problem.alpha) * magnitude + abs(problem.beta * problem.c[index]))
                #expect(abs(fixed[index] - blas[index]) <= bound, "\(problem) entry (\(i), \(j))")
            }
        }
    }

    @Test("entries outside the m × n block are never written")
    func writesOnlyTheBlock() {
        let problem = Problem(false, false, 9, 10, 7, padding: 6, seed: 7)
        let out = problem.product(.fixedOrder)
        for i in 0..<problem.m {
            for j in problem.n..<problem.ldc {
                #expect(out[i * problem.ldc + j].bitPattern == problem.c[i * problem.ldc + j].bitPattern)
            }
        }
    }

    @Test("β = 0 does not read C: a NaN there is overwritten, as in BLAS")
    func betaZeroIgnoresC() {
        var problem = Problem(true, false, 6, 9, 4, seed: 8)
        problem.c = problem.c.map { _ in .nan }
        #expect(problem.product(.fixedOrder).allSatisfy { !$0.isNaN })
    }

    @Test("the same bits from two threads at once")
    func sameBitsConcurrently() async {
        let problem = Problem(false, true, 64, 40, 128, seed: 9)
        let expected = problem.product(.fixedOrder)
        await withTaskGroup(of: [Float].self) { group in
            for _ in 0..<4 { group.addTask { problem.product(.fixedOrder) } }
            for await result in group { #expect(result.map(\.bitPattern) == expected.map(\.bitPattern)) }
        }
    }
}
