import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// The temporal prior P_tk = ρ·|t/N − k/K| (ASOT §3, Documentation/Method.md §3): hand-computed values,
/// its shape, and `Optimized` (Float32) against `Reference` (Double).
@Suite struct TemporalPriorTests {
    /// Hand-computed entries are a few Double operations on exact binary fractions or tenths:
    /// rounding is below 1e-16; 1e-15 leaves room.
    static let handTolerance = 1e-15

    @Test("hand-computed 4 × 2 prior with ρ = 0.2")
    func handComputed() {
        // t/N ∈ {0, .25, .5, .75}, k/K ∈ {0, .5}
        let expected: [[Double]] = [[0.00, 0.10],
                                    [0.05, 0.05],
                                    [0.10, 0.00],
                                    [0.15, 0.05]]
        let prior = Reference.temporalPrior(frames: 4, clusters: 2, rho: 0.2)
        #expect(prior.rows == 4 && prior.columns == 2)
        for t in 0..<4 {
            for k in 0..<2 { expectClose(prior[t, k], expected[t][k], tolerance: Self.handTolerance, "(\(t), \(k))") }
        }
    }

    @Test("hand-computed 3 × 3 prior with ρ = 1: N = K puts zeros on the diagonal")
    func handComputedSquare() {
        let prior = Reference.temporalPrior(frames: 3, clusters: 3, rho: 1)
        let third = 1.0 / 3.0
        let expected: [[Double]] = [[0, third, 2 * third],
                                    [third, 0, third],
                                    [2 * third, third, 0]]
        for t in 0..<3 {
            for k in 0..<3 { expectClose(prior[t, k], expected[t][k], tolerance: Self.handTolerance, "(\(t), \(k))") }
        }
    }

    @Test("non-negative, at most ρ, linear in ρ, zero where t/N = k/K", arguments: [(10, 5), (97, 8), (256, 4), (7, 3)])
    func shape(frames n: Int, clusters k: Int) {
        let rho = 0.2
        let prior = Reference.temporalPrior(frames: n, clusters: k, rho: rho)
        let tripled = Reference.temporalPrior(frames: n, clusters: k, rho: 3 * rho)
        for t in 0..<n {
            for j in 0..<k {
                #expect(prior[t, j] >= 0 && prior[t, j] <= rho)
                // Scaling ρ scales every entry: one extra rounding of a value ≤ 0.6.
                expectClose(tripled[t, j], 3 * prior[t, j], tolerance: 1e-15)
                // t/N = j/K exactly when t·K = j·N.
                if t * k == j * n { #expect(prior[t, j] == 0, "(\(t), \(j))") }
            }
        }
    }

    @Test("along a row the prior falls towards the nearest k/K and rises after it", arguments: [(50, 5), (97, 8)])
    func unimodalRows(frames n: Int, clusters k: Int) {
        let prior = Reference.temporalPrior(frames: n, clusters: k, rho: 0.2)
        for t in 0..<n {
            let row = prior.row(t)
            let best = row.indices.min { row[$0] < row[$1] }!
            // The grid k/K stops at (K − 1)/K: frames past it are nearest the last cluster.
            let position = Double(t) / Double(n), last = Double(k - 1) / Double(k)
            #expect(abs(Double(best) / Double(k) - position) <= max(0.5 / Double(k), position - last) + 1e-12)
            for j in 0..<best { #expect(row[j] >= row[j + 1]) }
            for j in best..<(k - 1) { #expect(row[j] <= row[j + 1]) }
        }
    }

    /// Float32 builds t/N and k/K with one rounding each (≤ ½ ulp of values ≤ 1), then a
    /// subtraction and a product by ρ rounded to Float: the absolute error is at most about
    /// 2 ulps of 1 times ρ plus ½ ulp of the result, so 4·Float.ulpOfOne·max(ρ, 1) bounds it.
    @Test("Optimized equals Reference to Float rounding", arguments: [(4, 2), (97, 5), (256, 8), (300, 7), (1000, 48)])
    func optimizedMatchesReference(frames n: Int, clusters k: Int) {
        for rho in [0.2, 1.0, 3.5] {
            let reference = Reference.temporalPrior(frames: n, clusters: k, rho: rho)
            let optimized = Optimized.temporalPrior(frames: n, clusters: k, rho: Float(rho))
            #expect(optimized.rows == n && optimized.columns == k)
            let tolerance = 4 * Double(Float.ulpOfOne) * max(rho, 1)
            let worst = optimized.float64.maxAbsDifference(reference)
            #expect(worst <= tolerance, "N \(n) K \(k) ρ \(rho): max |Δ| \(worst)")
        }
    }
}
