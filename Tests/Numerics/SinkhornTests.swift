import CLOTCore
import Foundation
import Implementations
import Reference
import Testing
import TestSupport

/// The balanced projection of ASOT, entropic OT by Sinkhorn scaling [Cuturi 2013]
/// (`Reference.balancedProjection`, and the balanced mode of both solvers): marginals after
/// convergence and after the official single iteration, and closed forms.
///
/// The projection on its own is tested on Reference only: the Optimized Sinkhorn iterations
/// are internal to its fused solver (they work in place on the solver's workspace) and have no
/// entry point of their own. The balanced mode of the solvers, below, runs on both.
///
/// Tolerances: marginals after 2000 Sinkhorn iterations in Double are a convergence check
/// (`Tolerance.converged`: at ε = 0.07 with costs in [0, 2.2] and N ≤ 60 the marginal error is
/// far below 1e-6 after a few hundred iterations); the marginal a Sinkhorn half-step sets
/// exactly keeps only the rounding of a sum of ≤ 60 terms (`Tolerance.rounding`); the row
/// marginal after one iteration on a non-uniform cost misses by percents, far above
/// `Tolerance.visible`.
///
/// [Cuturi 2013]: https://papers.nips.cc/paper/4927
@Suite struct SinkhornTests {

    static let epsilon = 0.07

    /// max_i |n·(T1)_i − 1| over the real rows and max_j |K·(Tᵀ1)_j − 1|: the relative
    /// misses of the two marginals dx = 1/n and dy = 1/K.
    static func marginalMisses(_ t: Matrix<Double>, mask: [Bool]) -> (rows: Double, columns: Double) {
        let n = Double(mask.filter { $0 }.count), k = Double(t.columns)
        let rows = OTProblems.rowSums(t).enumerated().filter { mask[$0.offset] }.map { $0.element * n }
        let columns = OTProblems.columnSums(t).map { $0 * k }
        return (OTProblems.worstDeviation(rows, from: 1), OTProblems.worstDeviation(columns, from: 1))
    }

    static func project(_ g: Matrix<Double>, mask: [Bool]? = nil, iterations: Int, epsilon: Double = epsilon) -> Matrix<Double> {
        let mask = mask ?? Array(repeating: true, count: g.rows)
        let n = Double(mask.filter { $0 }.count)
        return Reference.balancedProjection(cost: g, mask: mask, epsilon: epsilon, rowMass: 1 / n,
                                            columnMass: 1 / Double(g.columns), iterations: iterations)
    }

    // MARK: The projection itself

    @Test("run to convergence, the projection meets both marginals", arguments: 0..<4)
    func convergedMeetsBothMarginals(seed: Int) {
        for structured in [true, false] {
            let g = OTProblems.cost(frames: 40 + 5 * seed, clusters: 3 + seed, seed: seed, structured: structured)
            let t = Self.project(g, iterations: 2000)
            let miss = Self.marginalMisses(t, mask: Array(repeating: true, count: g.rows))
            #expect(miss.rows <= Tolerance.converged, "seed \(seed) structured \(structured): rows miss \(miss.rows)")
            #expect(miss.columns <= Tolerance.converged, "seed \(seed) structured \(structured): columns miss \(miss.columns)")
            #expect(t.elements.allSatisfy { $0 >= 0 && $0.isFinite })
        }
    }

    @Test("with the official single iteration only the columns meet their marginal", arguments: 0..<6)
    func singleIterationMeetsColumnsOnly(seed: Int) {
        for structured in [true, false] {
            let g = OTProblems.cost(frames: 50, clusters: 2 + seed, seed: seed, structured: structured)
            let t = Self.project(g, iterations: 1)
            let miss = Self.marginalMisses(t, mask: Array(repeating: true, count: g.rows))
            #expect(miss.columns <= Tolerance.rounding, "seed \(seed) structured \(structured): columns miss \(miss.columns)")
            #expect(miss.rows > Tolerance.visible, "seed \(seed) structured \(structured): rows miss only \(miss.rows)")
        }
    }

    @Test("padded rows get no mass; real rows meet dx = 1/n after convergence", arguments: 0..<3)
    func maskedRows(seed: Int) {
        let n = 48, real = 31 + seed
        let g = OTProblems.structuredCost(frames: n, clusters: 4, seed: seed)
        let mask = OTProblems.mask(frames: n, real: real)
        for iterations in [1, 2000] {
            let t = Self.project(g, mask: mask, iterations: iterations)
            for i in real..<n { #expect(t.row(i).allSatisfy { $0 == 0 }, "padded row \(i) has mass") }
            let miss = Self.marginalMisses(t, mask: mask)
            #expect(miss.columns <= (iterations == 1 ? Tolerance.rounding : Tolerance.converged))
            if iterations > 1 { #expect(miss.rows <= Tolerance.converged, "rows miss \(miss.rows)") }
        }
    }

    @Test("a uniform cost gives the independent plan dx·dyᵀ", arguments: [(10, 3, 0.0), (37, 5, 1.3), (64, 8, 2.0)])
    func uniformCostIsProductPlan(frames n: Int, clusters k: Int, value: Double) {
        let g = Matrix<Double>(rows: n, columns: k, repeating: value)
        for iterations in [1, 5, 100] {
            let t = Self.project(g, iterations: iterations)
            let expected = 1 / (Double(n) * Double(k))
            // Each entry is exp of a sum of a few logs: relative rounding ~1e-15.
            for x in t.elements { expectClose(x, expected, tolerance: Tolerance.longChain * expected, "\(n)×\(k), \(iterations) iterations") }
        }
        // Padded: dx = 1/n over the real rows only.
        let mask = OTProblems.mask(frames: n, real: n - 3)
        let t = Self.project(g, mask: mask, iterations: 1)
        for i in 0..<n {
            for x in t.row(i) { expectClose(x, mask[i] ? 1 / (Double(n - 3) * Double(k)) : 0, tolerance: Tolerance.longChain / Double(n)) }
        }
    }

    /// G_ij = f_i + h_j: a absorbs e^{f/ε} and b absorbs e^{h/ε}, so one iteration already lands
    /// on dx·dyᵀ (a_i = dx e^{f_i/ε}/S, b_j = dy e^{h_j/ε}·S/(n·dx), S = Σ_j e^{−h_j/ε}).
    @Test("an additively separable cost f_i + h_j gives dx·dyᵀ after one iteration", arguments: 0..<4)
    func separableCostIsProductPlan(seed: Int) {
        var rng = MersenneTwister(seed: seed)
        let n = 30, k = 6
        let f = (0..<n).map { _ in rng.uniform() }, h = (0..<k).map { _ in rng.uniform() }
        let g = Matrix(rows: n, columns: k, elements: (0..<(n * k)).map { f[$0 / k] + h[$0 % k] })
        let t = Self.project(g, iterations: 1)
        let expected = 1 / Double(n * k)
        // exp of (log sums of up to 30 terms spanning e^{±14}): relative rounding ≲ 1e-13.
        for x in t.elements { expectClose(x, expected, tolerance: Tolerance.rounding * expected, "seed \(seed)") }
    }

    /// 2 × 2 with uniform marginals: T = [[p, ½ − p], [½ − p, p]] and the Gibbs form forces
    /// T₀₀T₁₁ / (T₀₁T₁₀) = exp(−Δ/ε), Δ = G₀₀ + G₁₁ − G₀₁ − G₁₀, so p = q / (2(1 + q)) with
    /// q = exp(−Δ/(2ε)).
    @Test("2 × 2 closed form after convergence", arguments: [(0.1, 0.07), (1.0, 0.07), (-0.5, 0.2), (2.0, 1.0)])
    func twoByTwoClosedForm(delta: Double, epsilon: Double) {
        let g = Matrix<Double>([[delta, 0.3], [0.2, 0.5]])
        let difference = g[0, 0] + g[1, 1] - g[0, 1] - g[1, 0]
        let q = Foundation.exp(-difference / (2 * epsilon))
        let p = q / (2 * (1 + q))
        // Sinkhorn contracts the 2 × 2 error by ((1 − q)/(1 + q))² per iteration: ≈ 1 − 4q, only
        // 1 − 3e-3 at Δ/ε = 14, so this near-degenerate case needs ~10⁴ iterations to reach 1e-6.
        let t = Self.project(g, iterations: 20_000, epsilon: epsilon)
        let expected = [[p, 0.5 - p], [0.5 - p, p]]
        for i in 0..<2 {
            for j in 0..<2 { expectClose(t[i, j], expected[i][j], tolerance: Tolerance.converged, "Δ \(difference) ε \(epsilon)") }
        }
    }

    @Test("adding a per-row constant to G leaves the plan unchanged at any iteration count", arguments: 0..<3)
    func rowShiftInvariance(seed: Int) {
        var rng = MersenneTwister(seed: 50 + seed)
        let g = OTProblems.uniformCost(frames: 25, clusters: 4, seed: seed)
        var shifted = g
        for i in 0..<g.rows {
            let shift = rng.uniform() - 0.5
            for j in 0..<g.columns { shifted[i, j] += shift }
        }
        for iterations in [1, 3] {
            let difference = Self.project(g, iterations: iterations).maxAbsDifference(Self.project(shifted, iterations: iterations))
            // Entries ~1/100; shifting by ≤ ½ at ε = 0.07 moves the exponents by ≤ 7, rounding ≲ 1e-15 of them.
            #expect(difference <= Tolerance.longChain, "seed \(seed), \(iterations) iterations: \(difference)")
        }
    }

    @Test("no NaN or Inf at ε = 1e-3 with costs in [0, 2]", arguments: 0..<4)
    func finiteAtSmallEpsilon(seed: Int) {
        for structured in [true, false] {
            let g = OTProblems.cost(frames: 40, clusters: 5, seed: seed, structured: structured)
            for iterations in [1, 50] {
                let t = Self.project(g, iterations: iterations, epsilon: 1e-3)
                #expect(t.isFinite, "seed \(seed) structured \(structured) iterations \(iterations)")
                #expect(t.elements.allSatisfy { $0 >= 0 })
                #expect(Self.marginalMisses(t, mask: Array(repeating: true, count: g.rows)).columns <= Tolerance.rounding)
            }
        }
    }

    // MARK: The balanced mode of the solvers

    /// The solvers return n·T: real rows should sum to 1 and columns to n/K.
    static func solvedMisses<S: BinaryFloatingPoint>(_ plan: Matrix<S>, real n: Int) -> (rows: Double, columns: Double) {
        let rows = OTProblems.rowSums(plan).prefix(n)
        let columns = OTProblems.columnSums(plan).map { $0 * Double(plan.columns) / Double(n) }
        return (OTProblems.worstDeviation(Array(rows), from: 1), OTProblems.worstDeviation(columns, from: 1))
    }

    /// Balanced mode with the projection run to convergence. Sinkhorn on G(T) at ε = 0.07 can
    /// need several hundred iterations for 1e-6 (300 left 5e-6 on one seed), so 1000; ten outer
    /// steps keep it fast, and the marginals depend only on the last projection.
    static let convergedSettings: ASOTSettings = {
        var s = OTProblems.settings(.balanced, sinkhornIterations: 1000)
        s.outerIterations = 10
        return s
    }()

    /// Reference: the marginal a half-step sets holds to `Tolerance.rounding`, and after
    /// convergence both to `Tolerance.converged`. Float32: the half-step's marginal holds to Float
    /// rounding of sums of ≤ 36 terms (`Tolerance.floatSum` relative); after convergence both
    /// hold to the same.
    @Test("the solver, balanced: one Sinkhorn iteration fixes only the columns, many fix both",
          arguments: Implementation.allCases, 0..<3)
    func solverBalanced(_ implementation: Implementation, seed: Int) {
        let n = 36, k = 4
        let exact = Tolerance.of(implementation, reference: Tolerance.rounding, optimized: Tolerance.floatSum)
        let converged = Tolerance.of(implementation, reference: Tolerance.converged, optimized: Tolerance.floatSum)
        for structured in [true, false] {
            let cost = OTProblems.cost(frames: n, clusters: k, seed: seed, structured: structured)
            let one = implementation.solveASOT(cost: cost, settings: OTProblems.settings(.balanced, sinkhornIterations: 1))
            let missOne = Self.solvedMisses(one.plan, real: n)
            #expect(missOne.columns <= exact, "\(implementation) seed \(seed): columns miss \(missOne.columns)")
            #expect(missOne.rows > Tolerance.visible, "\(implementation) seed \(seed): rows miss only \(missOne.rows)")
            let many = implementation.solveASOT(cost: cost, settings: Self.convergedSettings)
            let missMany = Self.solvedMisses(many.plan, real: n)
            #expect(missMany.rows <= converged && missMany.columns <= converged,
                    "\(implementation) seed \(seed) structured \(structured): misses \(missMany)")
        }
    }

    /// With α = 0, G = (1 − α)C is constant when C is: the projection returns dx·dyᵀ, so the
    /// solver's n·T is 1/K everywhere, for any iteration count. Double: exp of a sum of a few
    /// logs (`Tolerance.longChain`); Float32 kernel, sums of 30 terms: a few ulps of 0.2
    /// (`Tolerance.floatFewUlps`).
    @Test("the solver, balanced, uniform cost and α = 0: the plan is 1/K everywhere", arguments: Implementation.allCases)
    func solverUniformCost(_ implementation: Implementation) {
        let n = 30, k = 5
        var settings = OTProblems.settings(.balanced)
        settings.alpha = 0
        let cost = Matrix<Double>(rows: n, columns: k, repeating: 0.8)
        let tolerance = Tolerance.of(implementation, reference: Tolerance.longChain, optimized: Tolerance.floatFewUlps)
        for iterations in [1, 20] {
            settings.sinkhornIterations = iterations
            let plan = implementation.solveASOT(cost: cost, settings: settings).plan
            for x in plan.elements { expectClose(x, 1 / Double(k), tolerance: tolerance, "\(implementation) \(iterations) iterations") }
        }
    }
}
