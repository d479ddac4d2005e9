import CLOTCore

extension Optimized {
    /// The temporal prior ρ·|t/N − k/K| (ASOT §3), in Float32 as the official code builds it.
    /// Agrees with `Reference.temporalPrior` to Float rounding.
    ///
    /// Postconditions and Edge Cases: those of `Reference.temporalPrior`, to Float rounding.
    public static func temporalPrior(frames n: Int, clusters k: Int, rho: Float) -> Matrix<Float> {
        var prior = Matrix<Float>.zeros(n, k)
        prior.elements.withUnsafeMutableBufferPointer { p in
            for t in 0..<n {
                let position = Float(t) / Float(n)
                for j in 0..<k { p[t * k + j] = rho * abs(position - Float(j) / Float(k)) }
            }
        }
        return prior
    }
}
