import CLOTCore

extension Reference {
    /// CLOT's refinement by cross-attention (paper Eq. 3; official `src/cross-att.py`). Per
    /// video, frame features F (T × D), segment embeddings S (n_seg × D; which S, raw or
    /// renormalised, is the choice `refinement-segments`) and a temperature τ_r:
    ///
    ///     W   = softmax(F Sᵀ / √D / τ_r)       row-wise, over the n_seg segments (T × n_seg)
    ///     F_R = rownorm(F + W S)               rownorm(x) = x / max(‖x‖, 1e-12)
    ///
    /// As released: no learned projections, no masks, and τ_r has no default. Only F and S
    /// enter (the paper's text also names the cluster centres). A padded frame is
    /// a query row only, so it cannot change a real frame's output and needs no mask.
    ///
    /// Batch convention: B videos stacked by rows, batch-first (the module takes (B, T, D)):
    /// F is (B·T) × D, S is (B·n_seg) × D (video b, segment j is row b·n_seg + j), W is
    /// (B·T) × n_seg.
    public enum CrossAttentionRefinement: RefinementLayer {
        /// The forward pass's cache (`RefinementCache`: F, S, W and F + W S) and the gradients
        /// of F and S (`RefinementGradients`): the state both backends share.
        public typealias Cache = RefinementCache<Double>
        public typealias Gradients = RefinementGradients<Double>

        /// F_R = rownorm(F + softmax(F Sᵀ/√D/τ_r) S), per video.
        /// - Parameters:
        ///   - features: F, (B·T) × D.
        ///   - segments: S, (B·n_seg) × D.
        ///   - temperature: τ_r > 0.
        ///   - batch: B; both row counts must be multiples of it.
        /// - Returns: F_R ((B·T) × D) and the cache (its `weights` are W).
        /// - Postconditions: unit rows (x / max(‖x‖, 1e-12)); each row of `cache.weights` sums to 1.
        /// - Edge Cases: one segment per video gives W = 1 and F_R = rownorm(F + S); bad shapes or
        ///   τ_r ≤ 0 are precondition failures.
        /// - Complexity: O(B T n_seg D).
        public static func forward(features: Matrix<Double>, segments: Matrix<Double>, temperature: Double,
                                   batch: Int = 1) -> (output: Matrix<Double>, cache: Cache) {
            let d = features.columns
            let (t, n) = Cache.shape(features: features, segments: segments, temperature: temperature, batch: batch)

            // Logits F Sᵀ; the softmax at temperature √D·τ_r is softmax(F Sᵀ / √D / τ_r).
            var logits = Matrix<Double>.zeros(batch * t, n)
            for b in 0..<batch {
                for i in 0..<t {
                    for j in 0..<n {
                        var dot = 0.0
                        for e in 0..<d { dot += features[b * t + i, e] * segments[b * n + j, e] }
                        logits[b * t + i, j] = dot
                    }
                }
            }
            let w = SoftmaxWithTemperature.forward(logits, temperature: effectiveTemperature(d, temperature))
            var u = features
            for b in 0..<batch {
                for i in 0..<t {
                    for j in 0..<n {
                        for e in 0..<d { u[b * t + i, e] += w[b * t + i, j] * segments[b * n + j, e] }
                    }
                }
            }
            return (RowNormalize.forward(u), Cache(batch: batch, temperature: temperature, features: features,
                                                   segments: segments, weights: w, unnormalised: u))
        }

        /// The gradients of F_R. With U = F + W S, ∂U = rownorm's backward of ∂F_R, and
        /// L = F Sᵀ the logits at temperature τ' = √D·τ_r:
        ///
        ///     ∂F ← ∂U,   ∂W = ∂U Sᵀ,   ∂S ← Wᵀ ∂U
        ///     ∂L_ij = W_ij (∂W_ij − Σ_l W_il ∂W_il) / τ'
        ///     ∂F ← ∂F + ∂L S,   ∂S ← ∂S + ∂Lᵀ F
        ///
        /// - Parameters:
        ///   - cache: from `forward`.
        ///   - outputGradient: ∂L/∂F_R, (B·T) × D.
        public static func backward(cache: Cache, outputGradient dy: Matrix<Double>) -> Gradients {
            let f = cache.features, s = cache.segments, w = cache.weights, batch = cache.batch
            let d = f.columns, t = f.rows / batch, n = s.rows / batch
            precondition(dy.rows == f.rows && dy.columns == d, "output gradient needs (B·T) × D = \(f.rows) × \(d)")
            let du = RowNormalize.backward(cache.unnormalised, outputGradient: dy)

            var df = du
            var dsegments = Matrix<Double>.zeros(s.rows, d)
            var dw = Matrix<Double>.zeros(w.rows, n)
            for b in 0..<batch {
                for i in 0..<t {
                    for j in 0..<n {
                        var dot = 0.0
                        for e in 0..<d {
                            dot += du[b * t + i, e] * s[b * n + j, e]
                            dsegments[b * n + j, e] += w[b * t + i, j] * du[b * t + i, e]
                        }
                        dw[b * t + i, j] = dot
                    }
                }
            }
            let dl = SoftmaxWithTemperature.backward(probabilities: w, outputGradient: dw,
                                                      temperature: effectiveTemperature(d, cache.temperature))
            for b in 0..<batch {
                for i in 0..<t {
                    for j in 0..<n {
                        let g = dl[b * t + i, j]
                        for e in 0..<d {
                            df[b * t + i, e] += g * s[b * n + j, e]
                            dsegments[b * n + j, e] += g * f[b * t + i, e]
                        }
                    }
                }
            }
            return Gradients(features: df, segments: dsegments)
        }

        /// τ' = √D · τ_r, so that softmax(x/τ') = softmax(x / √D / τ_r).
        static func effectiveTemperature(_ d: Int, _ temperature: Double) -> Double {
            Double(d).squareRoot() * temperature
        }
    }
}
