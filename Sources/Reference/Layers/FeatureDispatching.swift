import CLOTCore

extension Reference {
    /// CLOT's feature dispatching (Eq. 1–2; official `src/feature_dispatching.py`; Documentation/Method.md §2,
    /// Documentation/Audit.md items 5 and 6). Per video, with frame features F (T × D, unit rows), the
    /// action embeddings A (K × D) and two learnable scalars α (init 1) and β (init 0):
    ///
    ///     z_kt = a_k · f_t                                   (Z = A Fᵀ, K × T; a plain product)
    ///     S_kt = σ(β + α z_kt)
    ///     m_kt = 1 if k = argmax_j S_jt, else 0             (hard; ties → lowest k; no gradient)
    ///     g_k  = (Σ_t m_kt S_kt f_t + a_k) / (Σ_t m_kt + 1)
    ///     u_t  = f_t + Σ_k S_kt g_k                          (the UNMASKED S redistributes)
    ///     f'_t = u_t / ‖u_t‖   with `renormalise`,   f'_t = u_t   without
    ///
    /// The released module has neither a padding mask nor a final normalisation (its outputs have
    /// norms 1.07–1.56); both are project choices, `Settings`, defaulting to on (Documentation/Method.md §2).
    /// The module has no positional input and no gating: every frame receives Σ_k S_kt g_k
    /// (Documentation/Audit.md item 6, against the paper's "filters out background frames").
    ///
    /// Batch convention: B videos of equal (padded) length T stacked by rows, F is (B·T) × D
    /// (video b, frame t is row b·T + t); A, α and β are shared by the batch, so their gradients
    /// are summed over it. Per-video K × T quantities (Z, S) are stacked (B·K) × T, row b·K + k.
    public enum FeatureDispatching: DispatchLayer {
        /// α and β (`DispatchParameters`), the forward pass's cache (`DispatchCache`) and the
        /// gradients (`DispatchGradients`): the state both backends share.
        public typealias Parameters = DispatchParameters<Double>
        public typealias Cache = DispatchCache<Double>
        public typealias Gradients = DispatchGradients<Double>

        /// Padding mask and renormalisation choices, shared by both backends.
        public typealias Settings = DispatchSettings

        /// f' = FD(F; A, α, β).
        /// - Parameters:
        ///   - features: F, (B·T) × D (unit rows in CLOT, not required here).
        ///   - actions: A, K × D.
        ///   - parameters: α, β.
        ///   - batch: B; `features.rows` must be a multiple of it.
        ///   - frameMask: B·T flags, true on real frames, false on padding (ASOT's convention);
        ///     nil = every frame real. Used only with `settings.maskPadding`.
        ///   - settings: `maskPadding` and `renormalise` (defaults: both on).
        ///   - fixedMask: the argmax cluster per frame (B·T entries in 0..<K) to use in place of
        ///     the argmax of S, e.g. `cache.assignments` of an earlier call (finite differences
        ///     with the mask held). nil = compute the argmax.
        /// - Returns: f' ((B·T) × D) and the cache for `backward`.
        /// - Complexity: O(B K T D).
        /// - Postconditions: with `renormalise`, unit rows (a zero row stays zero); every frame
        ///   gets Σ_k S_kt g_k, padded ones included; `cache.assignments` holds the mask used.
        /// - Edge Cases: K = 1 sends every frame to cluster 0; argmax ties go to the lowest k; with
        ///   `maskPadding` a video all padding has g_k = a_k; bad shapes are precondition failures.
        public static func forward(_ features: Matrix<Double>, actions: Matrix<Double>,
                                   parameters: Parameters = Parameters(), batch: Int = 1,
                                   frameMask: [Bool]? = nil, settings: Settings = Settings(),
                                   fixedMask: [Int]? = nil) -> (output: Matrix<Double>, cache: Cache) {
            let d = features.columns, k = actions.rows
            let t = Cache.frames(features: features, actions: actions, batch: batch, frameMask: frameMask, fixedMask: fixedMask)
            let alpha = parameters.alpha, beta = parameters.beta

            var z = Matrix<Double>.zeros(batch * k, t), s = Matrix<Double>.zeros(batch * k, t)
            var assignments = [Int](repeating: 0, count: batch * t)
            let counted = Cache.countedFrames(batch * t, frameMask: frameMask, settings: settings)
            var counts = [Double](repeating: 1, count: batch * k)
            var g = Matrix<Double>.zeros(batch * k, d)
            var u = features

            for b in 0..<batch {
                // Z = A Fᵀ and S = σ(β + α Z).
                for c in 0..<k {
                    for j in 0..<t {
                        var dot = 0.0
                        for e in 0..<d { dot += actions[c, e] * features[b * t + j, e] }
                        z[b * k + c, j] = dot
                        s[b * k + c, j] = sigmoid(beta + alpha * dot)
                    }
                }
                // m: the argmax over clusters of each frame's column of S, ties to the lowest k.
                for j in 0..<t {
                    if let fixed = fixedMask {
                        assignments[b * t + j] = fixed[b * t + j]
                    } else {
                        var best = 0
                        for c in 1..<k where s[b * k + c, j] > s[b * k + best, j] { best = c }
                        assignments[b * t + j] = best
                    }
                }
                // g_k = (Σ_t m_kt S_kt f_t + a_k) / (Σ_t m_kt + 1).
                for c in 0..<k {
                    for e in 0..<d { g[b * k + c, e] = actions[c, e] }
                }
                for j in 0..<t where counted[b * t + j] {
                    let c = assignments[b * t + j]
                    counts[b * k + c] += 1
                    for e in 0..<d { g[b * k + c, e] += s[b * k + c, j] * features[b * t + j, e] }
                }
                for c in 0..<k {
                    for e in 0..<d { g[b * k + c, e] /= counts[b * k + c] }
                }
                // u_t = f_t + Σ_k S_kt g_k.
                for j in 0..<t {
                    for c in 0..<k {
                        for e in 0..<d { u[b * t + j, e] += s[b * k + c, j] * g[b * k + c, e] }
                    }
                }
            }
            let output = settings.renormalise ? RowNormalize.forward(u) : u
            return (output, Cache(batch: batch, settings: settings, parameters: parameters, features: features,
                                  actions: actions, products: z, similarity: s, assignments: assignments,
                                  counted: counted, counts: counts, aggregated: g, unnormalised: u))
        }

        /// The gradients of f' with the hard mask held as `forward` computed it. With
        /// ∂u = ∂f' (or RowNormalize's backward of it), n_k = Σ_t m_kt + 1 and
        /// N_k = Σ_t m_kt S_kt f_t + a_k (so g_k = N_k / n_k):
        ///
        ///     ∂g_k   = Σ_t S_kt ∂u_t                  ∂S_kt ← ∂u_t · g_k       (redistribution)
        ///     ∂N_k   = ∂g_k / n_k                     ∂a_k  ← ∂N_k
        ///     ∂f_t  ← ∂u_t + m_kt S_kt ∂N_k           ∂S_kt ← ∂S_kt + m_kt f_t · ∂N_k (aggregation)
        ///     ∂X_kt  = ∂S_kt S_kt (1 − S_kt)          (X = β + α Z)
        ///     ∂β     = Σ ∂X,   ∂α = Σ ∂X ⊙ Z,   ∂Z = α ∂X
        ///     ∂A    ← ∂A + ∂Z F,   ∂F ← ∂F + ∂Zᵀ A
        ///
        /// m_kt is 0 on frames that were not counted (masked padding).
        /// - Parameters:
        ///   - cache: from `forward`.
        ///   - outputGradient: ∂L/∂f', (B·T) × D.
        public static func backward(cache: Cache, outputGradient dy: Matrix<Double>) -> Gradients {
            let f = cache.features, a = cache.actions, s = cache.similarity, z = cache.products, g = cache.aggregated
            let batch = cache.batch, d = f.columns, k = a.rows, t = f.rows / batch
            precondition(dy.rows == f.rows && dy.columns == d, "output gradient needs (B·T) × D = \(f.rows) × \(d)")
            let du = cache.settings.renormalise ? RowNormalize.backward(cache.unnormalised, outputGradient: dy) : dy
            let alpha = cache.parameters.alpha

            var df = du
            var da = Matrix<Double>.zeros(k, d)
            var dAlpha = 0.0, dBeta = 0.0
            var ds = Matrix<Double>.zeros(k, t), dn = Matrix<Double>.zeros(k, d)
            for b in 0..<batch {
                // Redistribution: ∂S_kt = ∂u_t · g_k, ∂g_k = Σ_t S_kt ∂u_t, then ∂N_k = ∂g_k / n_k.
                for c in 0..<k {
                    for e in 0..<d { dn[c, e] = 0 }
                    for j in 0..<t {
                        var dot = 0.0
                        for e in 0..<d {
                            dot += du[b * t + j, e] * g[b * k + c, e]
                            dn[c, e] += s[b * k + c, j] * du[b * t + j, e]
                        }
                        ds[c, j] = dot
                    }
                    for e in 0..<d {
                        dn[c, e] /= cache.counts[b * k + c]
                        da[c, e] += dn[c, e]
                    }
                }
                // Aggregation, on the counted frames with their held cluster.
                for j in 0..<t where cache.counted[b * t + j] {
                    let c = cache.assignments[b * t + j]
                    var dot = 0.0
                    for e in 0..<d {
                        df[b * t + j, e] += s[b * k + c, j] * dn[c, e]
                        dot += f[b * t + j, e] * dn[c, e]
                    }
                    ds[c, j] += dot
                }
                // Through the sigmoid and the product Z = A Fᵀ.
                for c in 0..<k {
                    for j in 0..<t {
                        let sv = s[b * k + c, j]
                        let dx = ds[c, j] * sv * (1 - sv)
                        dBeta += dx
                        dAlpha += dx * z[b * k + c, j]
                        let dz = alpha * dx
                        for e in 0..<d {
                            da[c, e] += dz * f[b * t + j, e]
                            df[b * t + j, e] += dz * a[c, e]
                        }
                    }
                }
            }
            return Gradients(features: df, actions: da, parameters: Parameters(alpha: dAlpha, beta: dBeta))
        }

        /// σ(x) = 1/(1 + e^(−x)), written so that neither branch overflows.
        static func sigmoid(_ x: Double) -> Double {
            if x >= 0 { return 1 / (1 + exp(-x)) }
            let e = exp(x)
            return e / (1 + e)
        }
    }
}
