import CLOTCore
import Reference
import TestSupport

/// Seeded inputs and small measurements shared by the optimal-transport property tests
/// (`TemporalPriorTests`, `TemporalFilterTests`, `SinkhornTests`, `ASOTSolverTests`,
/// `ReferenceOptimizedAgreementTests`, `SlicedWassersteinTests`). Every random draw comes from
/// `MersenneTwister`, so a failing seed replays exactly.
enum OTProblems {
    /// A realistic frame-to-action cost (Documentation/Method.md §3): K random unit action embeddings
    /// (D = 16), frames as noisy, row-normalised copies of them along a random piecewise-constant
    /// label sequence, cost = 1 − F Aᵀ + `Reference.temporalPrior(…, rho)`. The similarity part
    /// comes from `StructuredProblem` with ρ = 0, the prior from the specification's own function.
    /// Entries lie in about [0, 2 + ρ].
    static func structuredCost(frames n: Int, clusters k: Int, seed: Int, rho: Double = 0.2) -> Matrix<Double> {
        var cost = StructuredProblem(frames: n, clusters: k, seed: UInt32(truncatingIfNeeded: seed), rho: 0).cost
        let prior = Reference.temporalPrior(frames: n, clusters: k, rho: rho)
        for i in cost.elements.indices { cost.elements[i] += prior.elements[i] }
        return cost
    }

    /// An N × K cost with entries uniform in [0, 2) (the range of 1 − cosine similarity).
    static func uniformCost(frames n: Int, clusters k: Int, seed: Int) -> Matrix<Double> {
        var g = MersenneTwister(seed: 1_000_003 &* seed &+ 17)
        return Matrix(rows: n, columns: k, elements: (0..<(n * k)).map { _ in 2 * g.uniform() })
    }

    /// A cost of either kind, selected by `structured`.
    static func cost(frames n: Int, clusters k: Int, seed: Int, structured: Bool) -> Matrix<Double> {
        structured ? structuredCost(frames: n, clusters: k, seed: seed) : uniformCost(frames: n, clusters: k, seed: seed)
    }

    /// Solver settings in the given marginal mode, everything else at the official defaults.
    static func settings(_ marginals: ASOTSettings.Marginals, epsilon: Double = 0.07,
                         sinkhornIterations: Int = 1) -> ASOTSettings {
        var s = ASOTSettings()
        s.marginals = marginals
        s.epsilon = epsilon
        s.sinkhornIterations = sinkhornIterations
        return s
    }

    /// A padding mask: the first `real` of `n` frames are real.
    static func mask(frames n: Int, real: Int) -> [Bool] {
        (0..<n).map { $0 < real }
    }

    static func rowSums<S: BinaryFloatingPoint>(_ m: Matrix<S>) -> [Double] {
        (0..<m.rows).map { i in (0..<m.columns).reduce(0.0) { $0 + Double(m[i, $1]) } }
    }

    static func columnSums<S: BinaryFloatingPoint>(_ m: Matrix<S>) -> [Double] {
        (0..<m.columns).map { j in (0..<m.rows).reduce(0.0) { $0 + Double(m[$1, j]) } }
    }

    /// The largest |x_i − target| over `values` (0 for none).
    static func worstDeviation(_ values: [Double], from target: Double) -> Double {
        values.reduce(0) { max($0, abs($1 - target)) }
    }

    /// The gap between the largest and second-largest entry of each row: where it is tiny,
    /// the argmax is decided by rounding and may legitimately differ between implementations.
    static func rowMargins<S: BinaryFloatingPoint>(_ m: Matrix<S>) -> [Double] {
        (0..<m.rows).map { i in
            let row = m.row(i).map { Double($0) }.sorted(by: >)
            return row.count > 1 ? row[0] - row[1] : .infinity
        }
    }

    /// The sample standard deviation.
    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return variance.squareRoot()
    }

    /// A matrix of i.i.d. standard normal entries.
    static func gaussianMatrix(_ rows: Int, _ columns: Int, using g: inout MersenneTwister) -> Matrix<Double> {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in g.gaussian() })
    }
}

