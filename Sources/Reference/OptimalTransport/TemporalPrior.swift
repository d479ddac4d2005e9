import CLOTCore

extension Reference {
    /// The temporal prior of ASOT (Xu & Gould 2024, §3; Documentation/Method.md §3):
    ///
    ///     P_tk = ρ · | t/N − k/K |,   t ∈ [0, N), k ∈ [0, K)
    ///
    /// It is added to the frame-to-action cost so early frames prefer early clusters.
    /// N is the padded length (256 in training), as the official code passes it.
    /// - Returns: N × K.
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
