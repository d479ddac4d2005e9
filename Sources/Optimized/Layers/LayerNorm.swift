import CLOTCore

extension Optimized {
    /// LayerNorm over the last dimension (torch `nn.LayerNorm`, ε = 1e-5, biased variance) in
    /// Float32; the same API as `Reference.LayerNorm`. Mean and variance take two passes over
    /// the row (no E[x²] − E[x]² cancellation).
    public enum LayerNorm: LayerNormLayer {
        public static let defaultEpsilon: Float = 1e-5

        public typealias Parameters = ModelParameters<Float>.Norm

        /// What `backward` needs from the forward pass: x̂ and 1/√(σ²_r + ε) per row.
        public typealias Cache = NormCache<Float>

        public static func forward(_ x: Matrix<Float>, parameters: Parameters,
                                   epsilon: Float = defaultEpsilon) -> (output: Matrix<Float>, cache: Cache) {
            let d = x.columns
            precondition(parameters.gamma.count == d, "LayerNorm of width \(parameters.gamma.count) given \(d) features")
            var xhat = x, y = x
            var inverse = [Float](repeating: 0, count: x.rows)
            let scale = 1 / Float(d)
            parameters.gamma.withUnsafeBufferPointer { gamma in
                parameters.beta.withUnsafeBufferPointer { beta in
                    xhat.elements.withUnsafeMutableBufferPointer { hp in
                        y.elements.withUnsafeMutableBufferPointer { yp in
                            for r in 0..<x.rows {
                                let h = hp.baseAddress! + r * d, out = yp.baseAddress! + r * d
                                var mean: Float = 0
                                for c in 0..<d { mean += h[c] }
                                mean *= scale
                                var variance: Float = 0
                                for c in 0..<d {
                                    h[c] -= mean
                                    variance += h[c] * h[c]
                                }
                                let rstd = 1 / (variance * scale + epsilon).squareRoot()
                                inverse[r] = rstd
                                for c in 0..<d {
                                    h[c] *= rstd
                                    out[c] = gamma[c] * h[c] + beta[c]
                                }
                            }
                        }
                    }
                }
            }
            return (y, Cache(normalized: xhat, inverseStandardDeviation: inverse))
        }

        /// ∂L/∂x_rc = (ĝ_rc − mean ĝ_r − x̂_rc mean(ĝ_r ⊙ x̂_r)) rstd_r, ĝ = γ ⊙ ∂L/∂y;
        /// ∂γ = Σ_r ∂L/∂y ⊙ x̂, ∂β = Σ_r ∂L/∂y.
        public static func backward(cache: Cache, parameters: Parameters,
                                    outputGradient dy: Matrix<Float>) -> (input: Matrix<Float>, parameters: Parameters) {
            let d = cache.normalized.columns, rows = cache.normalized.rows
            precondition(dy.rows == rows && dy.columns == d && parameters.gamma.count == d, "shapes differ")
            var dx = dy
            var dgamma = [Float](repeating: 0, count: d), dbeta = [Float](repeating: 0, count: d)
            let scale = 1 / Float(d)
            parameters.gamma.withUnsafeBufferPointer { gamma in
                cache.normalized.elements.withUnsafeBufferPointer { hp in
                    dx.elements.withUnsafeMutableBufferPointer { gp in
                        dgamma.withUnsafeMutableBufferPointer { dg in
                            dbeta.withUnsafeMutableBufferPointer { db in
                                for r in 0..<rows {
                                    let h = hp.baseAddress! + r * d, g = gp.baseAddress! + r * d
                                    var meanG: Float = 0, meanGX: Float = 0
                                    for c in 0..<d {
                                        dg[c] += g[c] * h[c]
                                        db[c] += g[c]
                                        let gh = gamma[c] * g[c]
                                        meanG += gh
                                        meanGX += gh * h[c]
                                    }
                                    meanG *= scale
                                    meanGX *= scale
                                    let rstd = cache.inverseStandardDeviation[r]
                                    for c in 0..<d { g[c] = (gamma[c] * g[c] - meanG - h[c] * meanGX) * rstd }
                                }
                            }
                        }
                    }
                }
            }
            return (dx, Parameters(gamma: dgamma, beta: dbeta))
        }
    }
}
