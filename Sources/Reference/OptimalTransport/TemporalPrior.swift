import CLOTCore

extension Reference {
    /// The temporal prior of ASOT (Xu & Gould 2024, §3; Documentation/Method.md §3):
    ///
    ///     P_tk = ρ · | t/N − k/K |,   t ∈ [0, N), k ∈ [0, K)
    ///
    /// It is added to the frame-to-action cost so early frames prefer early clusters.
    /// N is the padded length (256 in training), as the official code passes it.
    /// - Returns: N × K.
    ///
    /// Postconditions: 0 ≤ P ≤ ρ, linear in ρ, zero exactly where t/N = k/K (the diagonal when
    /// N = K); along a row it falls towards the nearest k/K and rises after it.
    ///
    /// Edge Cases: K = 1: P_t0 = ρ·t/N. N = 1: the single row ρ·k/K. ρ = 0: all zeros.
    public static func temporalPrior(frames n: Int, clusters k: Int, rho: Double) -> Matrix<Double> {
        var prior = Matrix<Double>.zeros(n, k)
        for t in 0..<n {
            for j in 0..<k {
                prior[t, j] = rho * abs(Double(t) / Double(n) - Double(j) / Double(k))
            }
        }
        return prior
    }
}
