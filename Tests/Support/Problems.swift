import CLOTCore

/// Seeded test problems that look like real frame-to-action costs: K random unit action
/// embeddings, frames as noisy copies of them along a piecewise-constant label sequence,
/// cost = 1 − cosine similarity + the temporal prior ρ|t/N − k/K|.
public struct StructuredProblem {
    public var cost: Matrix<Double>
    /// The label sequence the frames were drawn from.
    public var labels: [Int]

    public init(frames n: Int, clusters k: Int, seed: UInt32, noise: Double = 0.8, rho: Double = 0.2, dimension d: Int = 16) {
        var g = MersenneTwister(seed: seed)
        var actions = Matrix<Double>.zeros(k, d)
        for a in 0..<k {
            let v = (0..<d).map { _ in g.gaussian() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<d { actions[a, j] = v[j] / norm }
        }
        // Segments in temporal order of random lengths, cycling through a permutation of actions.
        let order = g.permutation(k)
        var labels: [Int] = []
        var segment = 0
        while labels.count < n {
            let length = 1 + g.integer(in: 0..<(max(2, 2 * n / k)))
            labels += Array(repeating: order[segment % k], count: min(length, n - labels.count))
            segment += 1
        }
        var cost = Matrix<Double>.zeros(n, k)
        for t in 0..<n {
            var f = (0..<d).map { actions[labels[t], $0] + noise * g.gaussian() / Double(d).squareRoot() }
            let norm = f.reduce(0) { $0 + $1 * $1 }.squareRoot()
            f = f.map { $0 / norm }
            for a in 0..<k {
                var dot = 0.0
                for j in 0..<d { dot += f[j] * actions[a, j] }
                cost[t, a] = 1 - dot + rho * abs(Double(t) / Double(n) - Double(a) / Double(k))
            }
        }
        self.cost = cost
        self.labels = labels
    }
}
