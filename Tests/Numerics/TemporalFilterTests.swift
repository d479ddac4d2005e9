import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// The temporal box filter Cv and the action structure Ck of the Gromov–Wasserstein term
/// (ASOT Eq. 5–6, Documentation/Method.md §3):
///
///     (Cv Y)_t = (1/r)·Σ_{0<|s−t|≤R} Y_s,  R = ⌊N r⌋,   (T Ck)_tk = Σ_j T_tj − T_tk
///
/// hand-computed on tiny inputs, and the O(N·K) prefix-sum form of `Optimized` against the
/// plain windowed sum of `Reference`.
@Suite struct TemporalFilterTests {
    /// Hand-computed cases are sums of a few small integers divided by an exact binary
    /// fraction: exact in Double, so the tolerance is only a guard against reordering.
    static let handTolerance = 1e-13

    /// Float32 prefix-sum filter against the Double windowed sum: the prefix sums are kept in
    /// Double, so the error is Y = rowsum − T_tk and the final product rounded to Float, a few
    /// Float ulps (1.2e-7 each) relative; 1e-5 leaves a wide margin.
    static let filterRelativeTolerance = 1e-5

    static func column(_ values: [Double]) -> Matrix<Double> {
        Matrix(rows: values.count, columns: 1, elements: values)
    }

    @Test("N = 4, r = ½ (R = 2): each frame sums the others within two steps, times 2")
    func handComputedWindow() {
        // t = 0: Y1 + Y2 = 5;  t = 1: Y0 + Y2 + Y3 = 8;  t = 2: Y0 + Y1 + Y3 = 7;  t = 3: Y1 + Y2 = 5
        let out = Reference.applyTemporalFilter(Self.column([1, 2, 3, 4]), radius: 0.5)
        for (t, expected) in [10.0, 16, 14, 10].enumerated() {
            expectClose(out[t, 0], expected, tolerance: Self.handTolerance, "t = \(t)")
        }
    }

    @Test("an impulse spreads to the R neighbours on each side, never to itself")
    func impulseResponse() {
        // N = 10, r = ¼: R = ⌊2.5⌋ = 2, weight 1/r = 4.
        var y = Matrix<Double>.zeros(10, 2)
        y[5, 0] = 1
        y[0, 1] = 1   // at the boundary: only the right side exists
        let out = Reference.applyTemporalFilter(y, radius: 0.25)
        for t in 0..<10 {
            expectClose(out[t, 0], [3, 4, 6, 7].contains(t) ? 4 : 0, tolerance: Self.handTolerance, "column 0, t = \(t)")
            expectClose(out[t, 1], [1, 2].contains(t) ? 4 : 0, tolerance: Self.handTolerance, "column 1, t = \(t)")
        }
    }

    @Test("R = ⌊N r⌋ = 0 gives the zero filter in both implementations", arguments: [(10, 0.05), (24, 0.04), (1, 0.5), (3, 0.3)])
    func zeroReach(frames n: Int, radius r: Double) {
        #expect(Int((Double(n) * r).rounded(.towardZero)) == 0)
        var g = MersenneTwister(seed: n)
        let t = Matrix(rows: n, columns: 3, elements: (0..<(3 * n)).map { _ in g.uniform() + 0.1 })
        let reference = Reference.applyTemporalFilter(Reference.multiplyByActionStructure(t), radius: r)
        let optimized = Optimized.applyTemporalFilter(actionStructureOf: t.float32, radius: r)
        #expect(reference.elements.allSatisfy { $0 == 0 })
        #expect(optimized.elements.allSatisfy { $0 == 0 })
        // And the fused cost is then (1 − α)·C exactly as Documentation/Method.md §3 states.
        let cost = Matrix(rows: n, columns: 3, elements: (0..<(3 * n)).map { _ in 2 * g.uniform() })
        let fused = Reference.fusedCost(plan: t, cost: cost, alpha: 0.3, radius: r)
        for i in fused.elements.indices { #expect(fused.elements[i] == (1 - 0.3) * cost.elements[i]) }
    }

    @Test("T·Ck replaces each entry by its row's sum minus itself (hand-computed)")
    func actionStructure() {
        let t = Matrix<Double>([[1, 2, 3], [0.5, 0, 0.25], [4, 4, 4]])
        let expected: [[Double]] = [[5, 4, 3], [0.25, 0.75, 0.5], [8, 8, 8]]
        #expect(Reference.multiplyByActionStructure(t).nestedRows == expected)
    }

    @Test("fused cost, hand-computed: N = 4, K = 2, r = ½, α = ¼")
    func fusedCostHandComputed() {
        // T Ck swaps the two columns (K = 2): Y = [[2, 1], [0, 3], [1, 1], [4, 0]].
        let t = Matrix<Double>([[1, 2], [3, 0], [1, 1], [0, 4]])
        let c = Matrix<Double>([[0, 1], [2, 0], [1, 1], [0.5, 0.5]])
        // Cv Y with R = 2 and weight 2, per column:
        //   column 0 (Y = 2, 0, 1, 4): t0: 0+1 = 1 → 2;  t1: 2+1+4 = 7 → 14;  t2: 2+0+4 = 6 → 12;  t3: 0+1 = 1 → 2
        //   column 1 (Y = 1, 3, 1, 0): t0: 3+1 = 4 → 8;  t1: 1+1+0 = 2 → 4;   t2: 1+3+0 = 4 → 8;   t3: 3+1 = 4 → 8
        let filtered: [[Double]] = [[2, 8], [14, 4], [12, 8], [2, 8]]
        let g = Reference.fusedCost(plan: t, cost: c, alpha: 0.25, radius: 0.5)
        for i in 0..<4 {
            for j in 0..<2 {
                expectClose(g[i, j], 0.25 * filtered[i][j] + 0.75 * c[i, j], tolerance: Self.handTolerance, "(\(i), \(j))")
            }
        }
    }

    @Test("the filter is linear and symmetric: ⟨Cv Y, Z⟩ = ⟨Y, Cv Z⟩", arguments: 0..<5)
    func selfAdjoint(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let n = 40 + g.integer(in: 0..<40), r = 0.05 + 0.3 * g.uniform()
        let y = Matrix(rows: n, columns: 3, elements: (0..<(3 * n)).map { _ in g.gaussian() })
        let z = Matrix(rows: n, columns: 3, elements: (0..<(3 * n)).map { _ in g.gaussian() })
        let cy = Reference.applyTemporalFilter(y, radius: r), cz = Reference.applyTemporalFilter(z, radius: r)
        let lhs = zip(cy.elements, z.elements).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(y.elements, cz.elements).reduce(0) { $0 + $1.0 * $1.1 }
        // Two sums of ~N·K·2R products of O(1/r) values, differently ordered.
        expectClose(lhs, rhs, tolerance: 1e-10 * max(1, abs(lhs)), "seed \(seed)")
    }

    /// N includes sizes with R = 0 (N·r < 1), R = 1, a window of radius ½ that hits both ends
    /// of the sequence at once, and a window wider than the sequence (r = 1.5).
    @Test("prefix-sum Cv(T Ck) equals the windowed sum",
          arguments: [(1, 0.04), (20, 0.04), (24, 0.04), (25, 0.04), (50, 0.04), (97, 0.04), (256, 0.04), (300, 0.04),
                      (7, 0.5), (60, 0.5), (97, 0.5), (10, 1.5), (97, 0.2)])
    func prefixSumMatchesWindowedSum(frames n: Int, radius r: Double) {
        for (seed, k) in [(0, 2), (1, 5), (2, 8)] {
            var g = MersenneTwister(seed: 31 * n + seed)
            // Plan-like input: non-negative entries (Y = T Ck ≥ 0, so the reference has no cancellation).
            let t = Matrix(rows: n, columns: k, elements: (0..<(n * k)).map { _ in Float(g.uniform()) })
            let reference = Reference.applyTemporalFilter(Reference.multiplyByActionStructure(t.float64), radius: r)
            let optimized = Optimized.applyTemporalFilter(actionStructureOf: t, radius: r)
            #expect(optimized.rows == n && optimized.columns == k)
            if Int((Double(n) * r).rounded(.towardZero)) == 0 {
                #expect(optimized.elements.allSatisfy { $0 == 0 } && reference.elements.allSatisfy { $0 == 0 })
                continue
            }
            var worst = 0.0
            for i in reference.elements.indices {
                worst = max(worst, relativeError(optimized.elements[i], reference.elements[i]))
            }
            #expect(worst <= Self.filterRelativeTolerance, "N \(n) K \(k) r \(r): relative error \(worst)")
        }
    }

    /// On a solver's plan most rows are nearly one-hot, so Y = rowsum − T_tk is a small
    /// difference for the dominant column. Measured against the scale of the window (the filter
    /// applied to the row sums, an upper bound of every entry), the error stays at Float rounding.
    @Test("prefix-sum filter on solved plans (near one-hot rows)", arguments: [(97, 5), (256, 8)])
    func prefixSumOnSolvedPlans(frames n: Int, clusters k: Int) {
        let cost = OTProblems.structuredCost(frames: n, clusters: k, seed: n + k).float32
        let plan = Optimized.solveASOT(cost: cost, settings: ASOTSettings()).plan
        for r in [0.04, 0.5] {
            let reference = Reference.applyTemporalFilter(Reference.multiplyByActionStructure(plan.float64), radius: r)
            let optimized = Optimized.applyTemporalFilter(actionStructureOf: plan, radius: r)
            let rowSums = Matrix(rows: n, columns: 1, elements: OTProblems.rowSums(plan))
            let scale = Reference.applyTemporalFilter(rowSums, radius: r)
            var worst = 0.0
            for i in 0..<n {
                for j in 0..<k {
                    worst = max(worst, abs(Double(optimized[i, j]) - reference[i, j]) / scale[i, 0])
                }
            }
            #expect(worst <= Self.filterRelativeTolerance, "N \(n) K \(k) r \(r): error \(worst) of the window's scale")
        }
    }
}
