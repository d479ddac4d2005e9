import CLOTCore
import Foundation
import Optimized
import Reference
import Testing
import TestSupport

/// Sliced Wasserstein (CLOT Eq. 8–9, Documentation/Method.md §4; Bonneel et al. 2015)
///
///     SW_p(μ, ν) = ( (1/L) Σ_l W_p^p(θ_l#μ, θ_l#ν) )^{1/p}
///
/// and the released `gsw.py` cost matrix (CLOT Eq. 10): metric properties, the exact 1-D
/// case, convergence in L, and `Optimized` (Float32, sgemm projections) against `Reference`.
///
/// [Bonneel et al. 2015]: https://doi.org/10.1007/s10851-014-0506-3
@Suite struct SlicedWassersteinTests {
    /// Identities that hold exactly in real arithmetic and differ only by rounding of sums of
    /// ≤ a few hundred O(1) terms in Double: 1e-12 relative.
    static let identityTolerance = 1e-12
    /// Optimized SW against Reference: Float32 projections (d-term dot products, ~1e-7 relative
    /// each), sorted and merged in Double: 1e-4 relative (Tolerance.float32).
    static let optimizedRelative = Tolerance.float32
    /// Optimized cost matrix against Reference: entries ~0.03–0.3 built from Float32 slices
    /// (‖x − rθ‖ via the expanded square, ~1e-7 relative) then L2-normalised; 1e-5 absolute is
    /// a few hundred Float ulps of those entries.
    static let costMatrixAbsolute = 1e-5

    static let powers: [Double] = [1, 2, 3]

    /// Two random clouds of n and m points in d dimensions (the second shifted and stretched so
    /// the distance is not tiny) and L directions, all from one seed.
    static func clouds(seed: Int, n: Int = 40, m: Int = 30, d: Int = 5, directions l: Int = 50)
        -> (x: Matrix<Double>, y: Matrix<Double>, theta: Matrix<Double>) {
        var g = MersenneTwister(seed: seed)
        let x = OTProblems.gaussianMatrix(n, d, using: &g)
        var y = OTProblems.gaussianMatrix(m, d, using: &g)
        for i in y.elements.indices { y.elements[i] = 1.5 * y.elements[i] + 0.7 }
        let theta = randomSphereDirections(count: l, dimension: d, using: &g)
        return (x, y, theta)
    }

    /// Exact 1-D W_p^p by replication: copying each of the n points m times and each of the
    /// m points n times gives two samples of size n·m with the same empirical measures, which
    /// are then matched in sorted order. An oracle independent of the quantile merge.
    static func replicatedW1DPower(_ x: [Double], _ y: [Double], p: Double) -> Double {
        let xs = x.flatMap { Array(repeating: $0, count: y.count) }.sorted()
        let ys = y.flatMap { Array(repeating: $0, count: x.count) }.sorted()
        return zip(xs, ys).reduce(0) { $0 + Foundation.pow(abs($1.0 - $1.1), p) } / Double(xs.count)
    }

    // MARK: Metric properties

    @Test("symmetric: SW(x, y) = SW(y, x)", arguments: 0..<6)
    func symmetric(seed: Int) {
        let (x, y, theta) = Self.clouds(seed: seed)
        for p in Self.powers {
            let forward = Reference.slicedWasserstein(x, y, directions: theta, p: p)
            let backward = Reference.slicedWasserstein(y, x, directions: theta, p: p)
            expectClose(forward, backward, tolerance: Self.identityTolerance * forward, "p \(p)")
            #expect(forward > 0.1, "p \(p): distance \(forward) too small to test anything")
            let fast = Optimized.slicedWasserstein(x.float32, y.float32, directions: theta.float32, p: p)
            let fastBack = Optimized.slicedWasserstein(y.float32, x.float32, directions: theta.float32, p: p)
            expectClose(fast, fastBack, tolerance: Self.identityTolerance * fast, "Optimized p \(p)")
        }
    }

    @Test("zero on identical clouds", arguments: 0..<4)
    func zeroOnIdentical(seed: Int) {
        let (x, _, theta) = Self.clouds(seed: seed)
        for p in Self.powers {
            #expect(Reference.slicedWasserstein(x, x, directions: theta, p: p) == 0)
            #expect(Optimized.slicedWasserstein(x.float32, x.float32, directions: theta.float32, p: p) == 0)
        }
    }

    @Test("invariant to the order of points", arguments: 0..<6)
    func orderInvariant(seed: Int) {
        let (x, y, theta) = Self.clouds(seed: seed)
        var g = MersenneTwister(seed: 1000 + seed)
        let xs = x.selectingRows(g.permutation(x.rows)), ys = y.selectingRows(g.permutation(y.rows))
        for p in Self.powers {
            let a = Reference.slicedWasserstein(x, y, directions: theta, p: p)
            let b = Reference.slicedWasserstein(xs, ys, directions: theta, p: p)
            expectClose(a, b, tolerance: Self.identityTolerance * a, "p \(p)")
            let fa = Optimized.slicedWasserstein(x.float32, y.float32, directions: theta.float32, p: p)
            let fb = Optimized.slicedWasserstein(xs.float32, ys.float32, directions: theta.float32, p: p)
            expectClose(fa, fb, tolerance: Self.identityTolerance * fa, "Optimized p \(p)")
        }
    }

    @Test("scales linearly with the data: SW(cx, cy) = |c|·SW(x, y)", arguments: 0..<4)
    func linearScaling(seed: Int) {
        let (x, y, theta) = Self.clouds(seed: seed)
        for c in [0.5, 3.0, -2.0] {
            let cx = x.map { c * $0 }, cy = y.map { c * $0 }
            for p in Self.powers {
                let base = Reference.slicedWasserstein(x, y, directions: theta, p: p)
                let scaled = Reference.slicedWasserstein(cx, cy, directions: theta, p: p)
                expectClose(scaled, abs(c) * base, tolerance: Self.identityTolerance * abs(c) * base, "c \(c) p \(p)")
            }
        }
    }

    /// Translating a cloud by v shifts every projection by ⟨v, θ⟩, so each slice's W_p is
    /// exactly |⟨v, θ_l⟩| and SW_p = ((1/L) Σ_l |⟨v, θ_l⟩|^p)^{1/p}.
    @Test("a translated copy is at the closed-form distance", arguments: 0..<4)
    func translation(seed: Int) {
        var g = MersenneTwister(seed: 200 + seed)
        let x = OTProblems.gaussianMatrix(25, 4, using: &g)
        let v = (0..<4).map { _ in g.gaussian() }
        let shifted = Matrix(rows: 25, columns: 4, elements: x.elements.enumerated().map { $0.element + v[$0.offset % 4] })
        let theta = randomSphereDirections(count: 30, dimension: 4, using: &g)
        for p in Self.powers {
            let mean = (0..<30).reduce(0.0) { total, l in
                let dot = (0..<4).reduce(0.0) { $0 + v[$1] * theta[l, $1] }
                return total + Foundation.pow(abs(dot), p)
            } / 30
            let expected = Foundation.pow(mean, 1 / p)
            // Sorted differences of O(3) values each lose ~1e-16·3: relative 1e-12 is loose.
            expectClose(Reference.slicedWasserstein(x, shifted, directions: theta, p: p), expected,
                        tolerance: Self.identityTolerance * expected + 1e-14, "p \(p)")
        }
    }

    /// W_p is non-decreasing in p for each slice (Jensen on [0, 1]), and so is SW_p.
    @Test("SW_p is non-decreasing in p", arguments: 0..<4)
    func monotoneInP(seed: Int) {
        let (x, y, theta) = Self.clouds(seed: seed)
        let values = Self.powers.map { Reference.slicedWasserstein(x, y, directions: theta, p: $0) }
        #expect(values[0] <= values[1] * (1 + Self.identityTolerance) && values[1] <= values[2] * (1 + Self.identityTolerance),
                "\(values)")
    }

    // MARK: One dimension

    /// On the line the sphere S⁰ is {−1, +1}, and W_p(−μ, −ν) = W_p(μ, ν), so SW_p is W_p exactly.
    @Test("d = 1: SW_p equals the exact 1-D W_p", arguments: 0..<6)
    func oneDimensionIsExact(seed: Int) {
        var g = MersenneTwister(seed: 300 + seed)
        let n = 5 + g.integer(in: 0..<30), m = 5 + g.integer(in: 0..<30)
        let x = (0..<n).map { _ in g.gaussian() }, y = (0..<m).map { _ in 2 * g.gaussian() + 1 }
        let theta = randomSphereDirections(count: 7, dimension: 1, using: &g)
        #expect(theta.elements.allSatisfy { abs($0) == 1 })
        for p in Self.powers {
            let exact = Foundation.pow(Reference.wasserstein1DPower(x, y, p: p), 1 / p)
            let oracle = Foundation.pow(Self.replicatedW1DPower(x, y, p: p), 1 / p)
            let sliced = Reference.slicedWasserstein(Matrix(rows: n, columns: 1, elements: x), Matrix(rows: m, columns: 1, elements: y),
                                                     directions: theta, p: p)
            expectClose(exact, oracle, tolerance: Self.identityTolerance * oracle, "n \(n) m \(m) p \(p): quantile merge vs replication")
            expectClose(sliced, exact, tolerance: Self.identityTolerance * exact, "n \(n) m \(m) p \(p)")
            let fast = Optimized.slicedWasserstein(Matrix(rows: n, columns: 1, elements: x.map { Float($0) }),
                                                   Matrix(rows: m, columns: 1, elements: y.map { Float($0) }),
                                                   directions: theta.float32, p: p)
            #expect(abs(fast - exact) <= Self.optimizedRelative * exact, "Optimized n \(n) m \(m) p \(p): \(fast) vs \(exact)")
        }
    }

    /// x = {0, 1}, y = {0, 1, 3}: the quantile functions differ by 1 on (1/3, 1/2] and by 2 on
    /// (2/3, 1], so W_p^p = 1/6 + 2^p/3: W_1 = 5/6, W_2² = 3/2, W_3³ = 17/6.
    @Test("hand-computed 1-D W_p with unequal sizes")
    func handComputedUnequalSizes() {
        let x: [Double] = [1, 0], y: [Double] = [3, 0, 1]
        for (p, expected) in [(1.0, 5.0 / 6), (2.0, 1.5), (3.0, 17.0 / 6)] {
            expectClose(Reference.wasserstein1DPower(x, y, p: p), expected, tolerance: 1e-15, "p \(p)")
            expectClose(Reference.wasserstein1DPower(y, x, p: p), expected, tolerance: 1e-15, "p \(p) swapped")
            let sliced = Reference.slicedWasserstein(Matrix(rows: 2, columns: 1, elements: x), Matrix(rows: 3, columns: 1, elements: y),
                                                     directions: Matrix(rows: 1, columns: 1, elements: [1]), p: p)
            expectClose(sliced, Foundation.pow(expected, 1 / p), tolerance: 1e-14, "SW p \(p)")
            let fast = Optimized.slicedWasserstein(Matrix(rows: 2, columns: 1, elements: x.map { Float($0) }),
                                                   Matrix(rows: 3, columns: 1, elements: y.map { Float($0) }),
                                                   directions: Matrix(rows: 1, columns: 1, elements: [-1]), p: p)
            // Exact small integers in Float; only the merge's position arithmetic (in Double) rounds.
            expectClose(fast, Foundation.pow(expected, 1 / p), tolerance: 1e-14, "Optimized SW p \(p)")
        }
    }

    @Test("integer weights equal replicated points", arguments: 0..<3)
    func weightsAreReplication(seed: Int) {
        var g = MersenneTwister(seed: 400 + seed)
        let x = (0..<6).map { _ in g.gaussian() }, y = (0..<4).map { _ in g.gaussian() }
        let counts = (0..<6).map { _ in 1 + g.integer(in: 0..<3) }
        let replicated = zip(x, counts).flatMap { Array(repeating: $0.0, count: $0.1) }
        for p in Self.powers {
            let weighted = Reference.wasserstein1DPower(x, y, xWeights: counts.map(Double.init), p: p)
            let plain = Reference.wasserstein1DPower(replicated, y, p: p)
            expectClose(weighted, plain, tolerance: Self.identityTolerance * plain, "p \(p) counts \(counts)")
        }
    }

    // MARK: Convergence in L

    /// The estimate is a mean over L i.i.d. slices, so its spread across direction seeds falls
    /// like 1/√L: from L = 10 to L = 500 the standard deviation should shrink ~7×; the test
    /// asks for 3× so it cannot fail by chance on 20 seeds.
    @Test("the spread of SW estimates across seeds shrinks as L grows", arguments: Self.powers)
    func convergesInL(p: Double) {
        var data = MersenneTwister(seed: 77)
        let x = OTProblems.gaussianMatrix(30, 6, using: &data)
        var y = OTProblems.gaussianMatrix(30, 6, using: &data)
        for i in y.elements.indices where i % 6 < 2 { y.elements[i] = 3 * y.elements[i] + 1 }   // anisotropic difference
        func spread(_ l: Int) -> (mean: Double, std: Double) {
            let estimates = (0..<20).map { seed -> Double in
                var g = MersenneTwister(seed: 10_000 + seed)
                return Reference.slicedWasserstein(x, y, directions: randomSphereDirections(count: l, dimension: 6, using: &g), p: p)
            }
            return (estimates.reduce(0, +) / 20, OTProblems.standardDeviation(estimates))
        }
        let coarse = spread(10), fine = spread(500)
        #expect(fine.std * 3 < coarse.std, "p \(p): std at L=500 \(fine.std), at L=10 \(coarse.std)")
        // And the coarse estimates scatter around the fine one.
        #expect(abs(coarse.mean - fine.mean) < 3 * coarse.std, "p \(p): means \(coarse.mean) vs \(fine.mean)")
    }

    // MARK: Optimized against Reference

    @Test("Optimized SW agrees with Reference within 1e-4 relative", arguments: 0..<6)
    func optimizedMatchesReference(seed: Int) {
        var g = MersenneTwister(seed: 500 + seed)
        let n = 20 + g.integer(in: 0..<100), m = 5 + g.integer(in: 0..<40), d = [1, 3, 16, 64][seed % 4]
        let (x, y, theta) = Self.clouds(seed: seed, n: n, m: m, d: d, directions: 150)
        // Round the inputs to Float first, so both sides see the same numbers.
        let xf = x.float32, yf = y.float32, tf = theta.float32
        for p in Self.powers {
            let reference = Reference.slicedWasserstein(xf.float64, yf.float64, directions: tf.float64, p: p)
            let optimized = Optimized.slicedWasserstein(xf, yf, directions: tf, p: p)
            #expect(abs(optimized - reference) <= Self.optimizedRelative * reference,
                    "n \(n) m \(m) d \(d) p \(p): \(optimized) vs \(reference)")
        }
    }

    // MARK: The released cost matrix

    /// Unit-norm frame features and cluster centres as in CLOT (the slices use radius r = 2).
    static func costInputs(seed: Int, frames n: Int, clusters k: Int, d: Int = 16, directions l: Int = 150)
        -> (x: Matrix<Double>, y: Matrix<Double>, theta: Matrix<Double>) {
        var g = MersenneTwister(seed: 600 + seed)
        func unitRows(_ rows: Int) -> Matrix<Double> {
            var m = OTProblems.gaussianMatrix(rows, d, using: &g)
            for i in 0..<rows {
                let norm = m.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
                for j in 0..<d { m[i, j] /= norm }
            }
            return m
        }
        let x = unitRows(n), y = unitRows(k)
        return (x, y, randomSphereDirections(count: l, dimension: d, using: &g))
    }

    @Test("cost matrix: invariant to the order of frames and clusters, non-negative", arguments: 0..<4)
    func costMatrixOrderInvariant(seed: Int) {
        let (x, y, theta) = Self.costInputs(seed: seed, frames: 40, clusters: 6)
        var g = MersenneTwister(seed: 700 + seed)
        let cost = Reference.slicedCostMatrix(frames: x, clusters: y, directions: theta)
        let shuffled = Reference.slicedCostMatrix(frames: x.selectingRows(g.permutation(40)),
                                                  clusters: y.selectingRows(g.permutation(6)), directions: theta)
        #expect(cost.rows == 40 && cost.columns == 6)
        // Sorting makes row i the i-th quantile whatever the input order: equal to rounding.
        #expect(cost.maxAbsDifference(shuffled) <= Self.identityTolerance, "\(cost.maxAbsDifference(shuffled))")
        #expect(cost.elements.allSatisfy { $0 >= 0 && $0.isFinite })
        // The released values fall in about 0.03–0.24 (Documentation/Method.md §4), against [0, 2] for the cosine cost.
        #expect(cost.elements.max()! < 1, "max \(cost.elements.max()!)")
    }

    @Test("cost matrix, unsorted: permuting the frames permutes the rows", arguments: 0..<3)
    func unsortedCostMatrixIsEquivariant(seed: Int) {
        let (x, y, theta) = Self.costInputs(seed: seed, frames: 30, clusters: 5)
        var g = MersenneTwister(seed: 800 + seed)
        let order = g.permutation(30)
        let cost = Reference.slicedCostMatrix(frames: x, clusters: y, directions: theta, sorted: false)
        let permuted = Reference.slicedCostMatrix(frames: x.selectingRows(order), clusters: y, directions: theta, sorted: false)
        #expect(permuted.maxAbsDifference(cost.selectingRows(order)) == 0)
    }

    @Test("cost matrix of a cloud against itself has a zero diagonal", arguments: 0..<3)
    func costMatrixZeroDiagonal(seed: Int) {
        let (x, _, theta) = Self.costInputs(seed: seed, frames: 12, clusters: 1)
        for sorted in [true, false] {
            let cost = Reference.slicedCostMatrix(frames: x, clusters: x, directions: theta, sorted: sorted)
            for i in 0..<12 { #expect(cost[i, i] == 0, "sorted \(sorted) (\(i), \(i)) = \(cost[i, i])") }
            // Off the diagonal distinct points (or quantiles) are at positive distance.
            #expect((0..<12).allSatisfy { i in (0..<12).allSatisfy { j in i == j || cost[i, j] > 0 } })
        }
    }

    @Test("Optimized cost matrix agrees with Reference within 1e-5", arguments: 0..<4)
    func costMatrixOptimizedMatchesReference(seed: Int) {
        let n = [40, 97, 256, 10][seed], k = [6, 8, 12, 3][seed]
        let (x, y, theta) = Self.costInputs(seed: seed, frames: n, clusters: k)
        let xf = x.float32, yf = y.float32, tf = theta.float32
        for sorted in [true, false] {
            let reference = Reference.slicedCostMatrix(frames: xf.float64, clusters: yf.float64, directions: tf.float64, sorted: sorted)
            let optimized = Optimized.slicedCostMatrix(frames: xf, clusters: yf, directions: tf, sorted: sorted)
            #expect(optimized.rows == n && optimized.columns == k)
            let difference = optimized.float64.maxAbsDifference(reference)
            #expect(difference <= Self.costMatrixAbsolute, "N \(n) K \(k) sorted \(sorted): max |Δ| \(difference)")
            #expect(optimized.elements.allSatisfy { $0 >= 0 })
        }
    }
}
