import CLOTCore

extension Reference {
    /// The balanced projection of ASOT: entropic OT (Sinkhorn) of the cost G onto the
    /// polytope {T ≥ 0 : T1 = dx on unmasked rows, Tᵀ1 = dy} [Cuturi 2013], run for
    /// `iterations` alternating scalings from b = 1, in the log domain:
    ///
    ///     log a_i = log dx − LSE_j(−G_ij/ε + log b_j)       (masked rows: a_i = 0)
    ///     log b_j = log dy − LSE_i(−G_ij/ε + log a_i)
    ///     T_ij    = exp(log a_i − G_ij/ε + log b_j)
    ///
    /// The official `project_to_polytope_KL` runs the same iterates in the kernel domain
    /// (K = exp(−G/ε) / max K, with its potentials absorbed once |log a| or |log b| > 7);
    /// scaling K and absorbing potentials change a and b but not T, so in exact arithmetic the
    /// two agree. They part ways where the official kernel underflows: in float32 at ε = 0.01
    /// every entry with G ≳ 1.04 becomes 0 and a frame can lose all its mass (argmax then
    /// reads cluster 0). This Double log-domain form never underflows and stays finite for
    /// ε down to 1e-3 with costs in [0, 2]; `Optimized` reproduces the official float32 kernel.
    /// With one iteration (the official default) only the columns meet their marginal.
    ///
    /// [Cuturi 2013]: https://papers.nips.cc/paper/4927
    /// - Returns: N × K plan.
    ///
    /// Postconditions: T ≥ 0, zero on masked rows; every column sums to dy to rounding (the
    /// last scaling is the columns'); the rows sum to dx only as `iterations` grows.
    ///
    /// Edge Cases: `iterations` < 1 runs one. An all-equal G gives dy/n on every real entry
    /// (n unmasked rows; dx·dy when dx = 1/n) from the first iteration. Every row masked: T = 0.
    public static func balancedProjection(cost g: Matrix<Double>, mask: [Bool], epsilon: Double,
                                          rowMass dx: Double, columnMass dy: Double, iterations: Int) -> Matrix<Double> {
        let n = g.rows, k = g.columns
        var logA = [Double](repeating: -.infinity, count: n)
        var logB = [Double](repeating: 0, count: k)
        for _ in 0..<max(iterations, 1) {
            for i in 0..<n where mask[i] {
                logA[i] = log(dx) - logSumExp((0..<k).map { -g[i, $0] / epsilon + logB[$0] })
            }
            for j in 0..<k {
                let terms = (0..<n).filter { mask[$0] }.map { -g[$0, j] / epsilon + logA[$0] }
                logB[j] = terms.isEmpty ? 0 : log(dy) - logSumExp(terms)
            }
        }
        var t = Matrix<Double>.zeros(n, k)
        for i in 0..<n where mask[i] {
            for j in 0..<k { t[i, j] = exp(logA[i] - g[i, j] / epsilon + logB[j]) }
        }
        return t
    }

    /// log Σ exp(x_i), computed stably around the maximum.
    static func logSumExp(_ x: [Double]) -> Double {
        guard let m = x.max(), m > -.infinity else { return -.infinity }
        var sum = 0.0
        for v in x { sum += exp(v - m) }
        return m + log(sum)
    }
}
