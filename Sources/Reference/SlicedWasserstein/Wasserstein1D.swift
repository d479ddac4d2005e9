import CLOTCore

extension Reference {
    /// W_p^p between two empirical measures on the line, through their quantile functions
    /// (Peyré & Cuturi 2019, Remark 2.30):
    ///
    ///     W_p^p(μ, ν) = ∫₀¹ | F_μ⁻¹(u) − F_ν⁻¹(u) |^p du
    ///
    /// Both quantile functions are step functions (steps at the cumulative weights), so the
    /// integral is a finite sum over the merged steps. Sizes may differ; weights default to
    /// uniform and are normalised to sum 1.
    ///
    /// [Peyré & Cuturi 2019]: https://doi.org/10.1561/2200000073
    /// - Complexity: O((n + m) log(n + m)).
    ///
    /// Postconditions: ≥ 0, symmetric, and 0 for identical samples; integer weights equal
    /// replicated points.
    ///
    /// Edge Cases: n = m with uniform weights: (1/n) Σ_i |x_(i) − y_(i)|^p of the sorted
    /// samples. One point against one point: |x − y|^p. A zero weight removes its point.
    public static func wasserstein1DPower(_ x: [Double], _ y: [Double], xWeights: [Double]? = nil,
                                          yWeights: [Double]? = nil, p: Double) -> Double {
        precondition(!x.isEmpty && !y.isEmpty && p >= 1)
        let (xs, xc) = sortedWithCumulativeWeights(x, xWeights)
        let (ys, yc) = sortedWithCumulativeWeights(y, yWeights)
        var i = 0, j = 0
        var position = 0.0, total = 0.0
        while i < xs.count && j < ys.count {
            let next = min(xc[i], yc[j])
            total += (next - position) * pow(abs(xs[i] - ys[j]), p)
            position = next
            if xc[i] <= next { i += 1 }
            if yc[j] <= next { j += 1 }
        }
        return total
    }

    /// Values sorted ascending with the cumulative sums of their normalised weights
    /// (the last forced to exactly 1).
    static func sortedWithCumulativeWeights(_ values: [Double], _ weights: [Double]?) -> ([Double], [Double]) {
        let w = weights ?? Array(repeating: 1, count: values.count)
        precondition(w.count == values.count && w.allSatisfy { $0 >= 0 })
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = w.reduce(0, +)
        var cumulative = 0.0
        var steps = order.map { index -> Double in
            cumulative += w[index] / total
            return cumulative
        }
        steps[steps.count - 1] = 1
        return (order.map { values[$0] }, steps)
    }
}
