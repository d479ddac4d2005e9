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
        public typealias Arithmetic = Optimized.Arithmetic

        // MARK: Pseudo-labels

        /// The ASOT pseudo-labels of each stage, with `settings` (the train settings) and the
        /// temporal prior; stage 1 adds λ_SW·C_SW with fresh directions from `generator`
        /// (drawn per video in Double by `randomSphereDirections`, as Reference draws them, and
        /// rounded to Float).
        ///
        /// Stages 2 and 3 draw nothing and need nothing from stage 1, so their solves (one
        /// thread each) run on a second thread while this one draws the directions and builds
        /// stage 1's costs; stage 1's solve then has both threads. Every solve is the one a
        /// serial order would run (each batch keeps its own step size), so the targets are the
        /// same bits with one thread or two.
        public static func pseudoLabels(_ f: Forward, batch: Batch, parameters p: ModelParameters<Float>,
                                        configuration c: ModelConfiguration, settings: ASOTSettings,
                                        generator: inout MersenneTwister) -> Targets {
            let t = batch.frames, k = c.clusters, b = batch.videos
            let onePlusPrior = shifted(temporalPrior(frames: t, clusters: k, rho: Float(c.rho)))
            let masks = (0..<b).map { Array(batch.mask[($0 * t)..<(($0 + 1) * t)]) }
            let later = LaterStageTargets()
            let laterStages = {
                if let segments = f.segments {
                    let s = c.segments
                    let segmentPrior = c.choices.segmentPrior ? temporalPrior(frames: s, clusters: k, rho: Float(c.rho)) : zeros(s, k)
                    let costs = cosineCosts(segments, p.actions, onePlusPrior: shifted(segmentPrior), videos: b)
                    later.segments = stack(solve(ASOTBatch(costs: costs), settings: settings, threads: 1).map(\.plan))
                }
                if let refined = f.refined {
                    let costs = cosineCosts(refined, p.actions, onePlusPrior: onePlusPrior, videos: b)
                    switch c.choices.stage3OT {
                    case .asot:
                        later.refined = stack(solve(ASOTBatch(costs: costs, masks: masks), settings: settings, threads: 1).map(\.plan))
                    case .l2Unbalanced:
                        later.refined = stack(costs.map { solveQuadraticUnbalanced(cost: $0) })
                    }
                }
            }
            var frameCosts: [Matrix<Float>] = []
            func firstStageCosts() {
                frameCosts = cosineCosts(f.frames, p.actions, onePlusPrior: onePlusPrior, videos: b)
                guard c.useSlicedWasserstein else { return }
                let weight = Float(c.choices.swWeight), radius = Float(c.slicedWassersteinRadius)
                func directions() -> Matrix<Float> {
                    randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns, using: &generator).float32
                }
                let batchDirections = c.choices.swDirections == .perBatch ? directions() : nil
                for v in 0..<b {
                    let sw = slicedCostMatrix(frames: rows(f.frames, v * t, t), clusters: p.actions,
                                              directions: batchDirections ?? directions(), radius: radius)
                    addScaled(&frameCosts[v], sw, weight)
                }
            }
            if f.segments != nil || f.refined != nil {
                concurrently(firstStageCosts, laterStages)
            } else {
                firstStageCosts()
            }
            let frameTargets = stack(solveASOT(ASOTBatch(costs: frameCosts, masks: masks), settings: settings).map(\.plan))
            return Targets(frames: frameTargets, segments: later.segments, refined: later.refined)
        }

        /// Where the second thread of `pseudoLabels` leaves the targets of stages 2 and 3 (read
        /// only after it has been joined).
        private final class LaterStageTargets: @unchecked Sendable {
            var segments: Matrix<Float>?
            var refined: Matrix<Float>?
        }

        /// `solveASOT` on at most `threads` threads (the other marginal modes use one).
        static func solve(_ batch: ASOTBatch<Float>, settings: ASOTSettings, threads: Int) -> [ASOTSolution<Float>] {
            settings.marginals == .actionsUnbalanced ? solveASOT(batch, settings: settings, threads: threads)
                                                     : solveASOT(batch, settings: settings)
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

        /// 1 − F Aᵀ + P for one video (used by `predict`).
        static func cosineCost(_ features: Matrix<Float>, _ actions: Matrix<Float>, prior: Matrix<Float>) -> Matrix<Float> {
            cosineCosts(features, actions, onePlusPrior: shifted(prior), videos: 1)[0]
        }

        // MARK: Decoding

        /// 1 − F Aᵀ + P, P the temporal prior with ρ.
        public static func decodingCost(_ features: Matrix<Float>, actions: Matrix<Float>,
                                        configuration c: ModelConfiguration) -> Matrix<Float> {
            cosineCost(features, actions, prior: temporalPrior(frames: features.rows, clusters: c.clusters, rho: Float(c.rho)))
        }

        /// cost ← cost + λ_SW·C_SW, the directions drawn in Double as Reference draws them and rounded.
        public static func addSlicedCost(_ cost: inout Matrix<Float>, frames: Matrix<Float>, actions: Matrix<Float>,
                                         configuration c: ModelConfiguration, generator: inout MersenneTwister) {
            let directions = randomSphereDirections(count: c.slicedWassersteinProjections, dimension: actions.columns,
                                                    using: &generator).float32
            let sw = slicedCostMatrix(frames: frames, clusters: actions, directions: directions, radius: Float(c.slicedWassersteinRadius))
            addScaled(&cost, sw, Float(c.choices.swWeight))
        }

        /// The argmax labels of the ASOT plan.
        public static func labels(cost: Matrix<Float>, settings: ASOTSettings) -> [Int] {
            solveASOT(cost: cost, settings: settings).labels
        }

        /// Lloyd's k-means (k-means++ seeding) of the embeddings in Float32: the initial A.
        public static func kMeansCenters(_ embeddings: Matrix<Float>, clusters: Int,
                                         generator: inout MersenneTwister) -> Matrix<Float> {
            kMeans(embeddings, clusters: clusters, using: &generator).centers
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

        /// Rows start..<start+count.
        static func rows(_ x: Matrix<Float>, _ start: Int, _ count: Int) -> Matrix<Float> {
            Matrix(rows: count, columns: x.columns, elements: Array(x.elements[(start * x.columns)..<((start + count) * x.columns)]))
        }

        static func stack(_ parts: [Matrix<Float>]) -> Matrix<Float> {
            var elements: [Float] = []
            elements.reserveCapacity(parts.reduce(0) { $0 + $1.elements.count })
            for part in parts { elements.append(contentsOf: part.elements) }
            return Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: parts[0].columns, elements: elements)
        }
    }
}
