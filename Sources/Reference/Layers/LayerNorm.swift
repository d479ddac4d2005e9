import CLOTCore

extension Reference {
    /// Layer normalisation over the last dimension, torch's `nn.LayerNorm(D)` (eps 1e-5,
    /// biased variance), after every residual of the CLOT decoder (Documentation/Method.md §5):
    ///
    ///     μ_r = (1/D) Σ_c x_rc,   σ²_r = (1/D) Σ_c (x_rc − μ_r)²
    ///     x̂_rc = (x_rc − μ_r) / √(σ²_r + ε),   y_rc = γ_c x̂_rc + β_c
    ///
    /// [Ba et al. 2016]: https://arxiv.org/abs/1607.06450
    /// Rows are independent: a batch is one (B·N) × D matrix.
    public enum LayerNorm: LayerNormLayer {
        /// torch's default ε.
        public static let defaultEpsilon = 1e-5

        /// γ and β (D each). The gradients have the same shape.
        public typealias Parameters = ModelParameters<Double>.Norm

        /// What `backward` needs from the forward pass: x̂ and 1/√(σ²_r + ε) per row.
        public typealias Cache = NormCache<Double>

        /// y = γ ⊙ x̂ + β.
        /// - Parameters:
        ///   - x: R × D.
        ///   - parameters: γ, β (D each).
        /// - Returns: y (R × D) and the cache for `backward`.
        public static func forward(_ x: Matrix<Double>, parameters: Parameters,
                                   epsilon: Double = defaultEpsilon) -> (output: Matrix<Double>, cache: Cache) {
            let d = x.columns
            precondition(parameters.gamma.count == d, "LayerNorm of width \(parameters.gamma.count) given \(d) features")
            var xhat = x, y = x
            var inverse = [Double](repeating: 0, count: x.rows)
            for r in 0..<x.rows {
                var mean = 0.0
                for c in 0..<d { mean += x[r, c] }
                mean /= Double(d)
                var variance = 0.0
                for c in 0..<d { variance += (x[r, c] - mean) * (x[r, c] - mean) }
                variance /= Double(d)
                inverse[r] = 1 / (variance + epsilon).squareRoot()
                for c in 0..<d {
                    xhat[r, c] = (x[r, c] - mean) * inverse[r]
                    y[r, c] = parameters.gamma[c] * xhat[r, c] + parameters.beta[c]
                }
            }
            return (y, Cache(normalized: xhat, inverseStandardDeviation: inverse))
        }

        /// The gradients, with g = ∂L/∂y and ĝ = γ ⊙ g:
        ///
        ///     ∂L/∂x_rc = (ĝ_rc − mean_c ĝ_r − x̂_rc · mean_c(ĝ_r ⊙ x̂_r)) / √(σ²_r + ε)
        ///     ∂L/∂γ_c = Σ_r g_rc x̂_rc,   ∂L/∂β_c = Σ_r g_rc
        ///
        /// - Returns: ∂L/∂x (R × D) and ∂L/∂(γ, β).
        public static func backward(cache: Cache, parameters: Parameters,
                                    outputGradient dy: Matrix<Double>) -> (input: Matrix<Double>, parameters: Parameters) {
            let xhat = cache.normalized
            let d = xhat.columns
            precondition(dy.rows == xhat.rows && dy.columns == d, "shapes differ")
            var dx = dy
            var dgamma = [Double](repeating: 0, count: d), dbeta = [Double](repeating: 0, count: d)
            for r in 0..<xhat.rows {
                var meanG = 0.0, meanGX = 0.0
                for c in 0..<d {
                    let g = parameters.gamma[c] * dy[r, c]
                    meanG += g
                    meanGX += g * xhat[r, c]
                    dgamma[c] += dy[r, c] * xhat[r, c]
                    dbeta[c] += dy[r, c]
                }
                meanG /= Double(d)
                meanGX /= Double(d)
                for c in 0..<d {
                    let g = parameters.gamma[c] * dy[r, c]
                    dx[r, c] = (g - meanG - xhat[r, c] * meanGX) * cache.inverseStandardDeviation[r]
                }
            }
            return (dx, Parameters(gamma: dgamma, beta: dbeta))
        }
    }
}
