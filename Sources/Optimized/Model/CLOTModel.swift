import CLOTCore

extension Optimized {
    /// The CLOT model's three stages and their losses in Float32: the same API, equations and
    /// random draws as `Reference.CLOTModel` (whose doc comment has the equations), on the
    /// Optimized layers.
    ///
    ///     stage 1  F = FD(rownorm(MLP(X)), A)          T   = ASOT(1 − F Aᵀ + P + λ_SW·C_SW)
    ///     stage 2  S = rownorm(Decoder(F))             T_S = ASOT(1 − S Aᵀ [+ P_seg])
    ///     stage 3  F_R = rownorm(F + softmax(F Sᵀ/√D/τ_r) S)   T_R = ASOT(1 − F_R Aᵀ + P)
    ///     L = CE(softmax(F Aᵀ/τ), T) + CE(softmax(S Aᵀ/τ), T_S) + CE(softmax(F_R Aᵀ/τ), T_R)
    ///
    /// Goals, in order: 1. agree with `Reference.CLOTModel` within Float32 rounding, drawing the
    /// same random numbers in the same order (decoder dropout masks, sliced-Wasserstein
    /// directions), so one seed gives the same masks and directions in both backends;
    /// 2. every matrix product one sgemm: the logits X Aᵀ, ∂logits·A, ∂logitsᵀ·X and the cosine
    /// costs 1 − F Aᵀ (+ P) written straight onto a copy of 1 + P (α = −1, β = 1), per video by
    /// buffer offset, with no row copies; 3. no allocation inside per-element loops. Pseudo-labels
    /// come from `Optimized.solveASOT` on Float costs, as the official float32 training code.
    public enum CLOTModel: ModelStages {
        /// The types, the forward pass, the loss and its gradient, the training step and the
        /// decoding come from `ModelStages`, written once for both backends; what follows is
        /// this backend's own: the pseudo-labels, the decoding costs and their products.
        public typealias Arithmetic = Optimized

        // MARK: Costs and solvers

        public static func temporalPrior(frames: Int, clusters: Int, rho: Double) -> Matrix<Float> {
            Optimized.temporalPrior(frames: frames, clusters: clusters, rho: Float(rho))
        }

        /// 1 − F_v Aᵀ + P per video: one sgemm each onto a copy of 1 + P.
        public static func stageCosts(_ features: Matrix<Float>, actions: Matrix<Float>, prior: Matrix<Float>,
                                      videos: Int) -> [Matrix<Float>] {
            cosineCosts(features, actions, onePlusPrior: shifted(prior), videos: videos)
        }

        /// cost ← cost + λ_SW·C_SW, the directions rounded to Float.
        public static func addSlicedCost(_ cost: inout Matrix<Float>, frames: Matrix<Float>, actions: Matrix<Float>,
                                         directions: Matrix<Double>, configuration c: ModelConfiguration) {
            let sw = slicedCostMatrix(frames: frames, clusters: actions, directions: directions.float32,
                                      radius: Float(c.slicedWassersteinRadius))
            addScaled(&cost, sw, Float(c.choices.swWeight))
        }

        /// `solveASOT` on at most `threads` threads (nil: its default; only the actions-unbalanced
        /// mode has a second thread).
        public static func solve(_ batch: ASOTBatch<Float>, settings: ASOTSettings, threads: Int?) -> [ASOTSolution<Float>] {
            threads.map { solveASOT(batch, settings: settings, threads: $0) } ?? solveASOT(batch, settings: settings)
        }

        /// `second` on the helper thread while `first` runs here (both here when it is busy).
        public static func concurrently(_ first: () -> Void, _ second: @escaping () -> Void) {
            Optimized.concurrently(first, second)
        }

        /// Lloyd's k-means (k-means++ seeding) of the embeddings in Float32: the initial A.
        public static func kMeansCenters(_ embeddings: Matrix<Float>, clusters: Int,
                                         generator: inout MersenneTwister) -> Matrix<Float> {
            kMeans(embeddings, clusters: clusters, using: &generator).centers
        }

        /// 1 + P.
        static func shifted(_ prior: Matrix<Float>) -> Matrix<Float> {
            var out = prior
            out.elements.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] += 1 } }
            return out
        }

        /// Per video v, the N × K cost (1 + P) − F_v Aᵀ: one sgemm with α = −1, β = 1 onto a copy of
        /// 1 + P, F_v passed by buffer offset.
        static func cosineCosts(_ features: Matrix<Float>, _ actions: Matrix<Float>, onePlusPrior: Matrix<Float>,
                                videos: Int) -> [Matrix<Float>] {
            let n = onePlusPrior.rows, k = actions.rows, d = actions.columns
            precondition(features.rows == videos * n && features.columns == d && onePlusPrior.columns == k, "shapes differ")
            var costs: [Matrix<Float>] = []
            costs.reserveCapacity(videos)
            features.elements.withUnsafeBufferPointer { fp in
                actions.elements.withUnsafeBufferPointer { ap in
                    for v in 0..<videos {
                        var cost = onePlusPrior
                        cost.elements.withUnsafeMutableBufferPointer { cp in
                            gemm(transposeB: true, m: n, n: k, k: d, alpha: -1, fp.from(v * n * d), lda: d, ap, ldb: d,
                                 beta: 1, cp, ldc: k)
                        }
                        costs.append(cost)
                    }
                }
            }
            return costs
        }

        /// A rows × columns zero matrix, filled as a Float buffer.
        static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Float> {
            Matrix(rows: rows, columns: columns, elements: [Float](repeating: 0, count: rows * columns))
        }

        // MARK: products on sgemm

        /// x Aᵀ (R × K), one sgemm.
        static func logits(_ x: Matrix<Float>, _ a: Matrix<Float>) -> Matrix<Float> {
            precondition(x.columns == a.columns, "features have width \(x.columns), actions \(a.columns)")
            var out = Matrix<Float>.uninitialized(x.rows, a.rows)
            x.elements.withUnsafeBufferPointer { xp in
                a.elements.withUnsafeBufferPointer { ap in
                    out.elements.withUnsafeMutableBufferPointer { op in
                        gemm(transposeB: true, m: x.rows, n: a.rows, k: x.columns, xp, lda: x.columns, ap, ldb: a.columns, op, ldc: a.rows)
                    }
                }
            }
            return out
        }

        /// Given ∂L/∂(x Aᵀ) = g (R × K): ∂A += gᵀ x (K × D) and returns ∂x = g A (R × D), one sgemm each.
        static func backThroughLogits(_ g: Matrix<Float>, _ x: Matrix<Float>, _ a: Matrix<Float>,
                                      actionGradient dA: inout Matrix<Float>) -> Matrix<Float> {
            let r = x.rows, k = a.rows, d = a.columns
            precondition(g.rows == r && g.columns == k && x.columns == d && dA.rows == k && dA.columns == d, "shapes differ")
            var dx = Matrix<Float>.uninitialized(r, d)
            g.elements.withUnsafeBufferPointer { gp in
                x.elements.withUnsafeBufferPointer { xp in
                    a.elements.withUnsafeBufferPointer { ap in
                        dA.elements.withUnsafeMutableBufferPointer { dap in
                            gemm(transposeA: true, m: k, n: d, k: r, gp, lda: k, xp, ldb: d, beta: 1, dap, ldc: d)
                        }
                        dx.elements.withUnsafeMutableBufferPointer { dxp in
                            gemm(m: r, n: d, k: k, gp, lda: k, ap, ldb: d, dxp, ldc: d)
                        }
                    }
                }
            }
            return dx
        }

        /// a ← a + w·b.
        static func addScaled(_ a: inout Matrix<Float>, _ b: Matrix<Float>, _ w: Float) {
            precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
            b.elements.withUnsafeBufferPointer { bp in
                a.elements.withUnsafeMutableBufferPointer { ap in
                    for i in 0..<ap.count { ap[i] += w * bp[i] }
                }
            }
        }
    }
}
