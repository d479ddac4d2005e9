import CLOTCore

extension Reference {
    /// The sliced Wasserstein distance (CLOT Eq. 8–9; Bonneel et al. 2015):
    ///
    ///     SW_p(μ, ν) = ( (1/L) Σ_l W_p^p(θ_l#μ, θ_l#ν) )^{1/p}
    ///
    /// between the empirical measures on the rows of `x` (n × d) and `y` (m × d) (uniform unless
    /// weights are given), with
    /// the given unit directions θ_l (L × d, e.g. `randomSphereDirections`). It is symmetric,
    /// zero on identical clouds, invariant to the order of points, scales linearly with the
    /// data, and equals W_p exactly in one dimension. POT's `sliced_wasserstein_distance`
    /// computes the same given the same projections.
    ///
    /// [Bonneel et al. 2015]: https://doi.org/10.1007/s10851-014-0506-3
    ///
    /// Postconditions: SW_p ≥ 0; SW_p(x, y) = SW_p(y, x); SW_p(c·x, c·y) = |c|·SW_p(x, y);
    /// non-decreasing in p.
    ///
    /// Edge Cases: identical clouds give 0. d = 1 with the direction ±1 gives the exact 1-D
    /// W_p. A cloud translated by v is at ((1/L) Σ_l |⟨v, θ_l⟩|^p)^{1/p}. L = 1 gives the W_p
    /// of the one projection.
    public static func slicedWasserstein(_ x: Matrix<Double>, _ y: Matrix<Double>, directions: Matrix<Double>, p: Double = 2,
                                         xWeights: [Double]? = nil, yWeights: [Double]? = nil) -> Double {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        var total = 0.0
        for l in 0..<directions.rows {
            let theta = directions.row(l)
            total += wasserstein1DPower(project(x, on: theta), project(y, on: theta), xWeights: xWeights, yWeights: yWeights, p: p)
        }
        return pow(total / Double(directions.rows), 1 / p)
    }

    /// ⟨x_i, θ⟩ for every row.
    static func project(_ x: Matrix<Double>, on theta: [Double]) -> [Double] {
        (0..<x.rows).map { i in
            var dot = 0.0
            for j in 0..<x.columns { dot += x[i, j] * theta[j] }
            return dot
        }
    }
}
