import CLOTCore

extension Reference {
    /// The CLOT model's three stages and their losses (CLOT §3, Eq. 3 and 11–13), with
    /// a hand-written backward pass. The ASOT baseline is the same code with stage 1 only and
    /// neither feature dispatching nor sliced Wasserstein (`ModelConfiguration.asot`).
    ///
    ///     stage 1  F = FD(rownorm(MLP(X)), A)          T   = ASOT(1 − F Aᵀ + P + λ_SW·C_SW)
    ///     stage 2  S_raw = Decoder(F), S = rownorm(S_raw)           T_S = ASOT(1 − S Aᵀ [+ P_seg])
    ///     stage 3  F_R = rownorm(F + softmax(F S̃ᵀ/√D/τ_r) S̃)    T_R = ASOT(1 − F_R Aᵀ + P)   (Eq. 3)
    ///     L = CE(softmax(F Aᵀ/τ), T) + CE(softmax(S Aᵀ/τ), T_S) + CE(softmax(F_R Aᵀ/τ), T_R)   (Eq. 11–13)
    ///
    /// Pseudo-labels T, T_S, T_R carry no gradient. A batch is B videos of T frames (padded,
    /// with a mask) stacked as (B·T) × d_in. The readings the sources leave open are
    /// `c.choices` (`ReconstructionChoices`): whether FD masks padding and renormalises F,
    /// whether S is renormalised (`segment-renormalise`) and which S the refinement gets
    /// (S̃ = S_raw or rownorm(S_raw): `refinement-segments`), the encoder's dropout, the
    /// decoder's positions and tgt, λ_SW, the segment prior, the SW directions' draw, the
    /// stage-3 OT problem (`stage3-ot`), and whether stages 2 and 3 send gradient into the
    /// encoder (`encoder-gradient`).
    public enum CLOTModel: ModelStages {
        /// `Batch`, `Forward`, `Targets`, `Loss`, `forward` and `embed` come from `ModelStages`,
        /// the part of the model written once for both backends.
        public typealias Arithmetic = Reference.Arithmetic

        // MARK: Pseudo-labels

        /// The ASOT pseudo-labels of each stage, with `settings` (the train settings) and the
        /// temporal prior; stage 1 adds λ_SW·C_SW with fresh directions from `generator`, one set
        /// for the batch or one per video (choice `sw-directions`).
        public static func pseudoLabels(_ f: Forward, batch: Batch, parameters p: ModelParameters<Double>,
                                        configuration c: ModelConfiguration, settings: ASOTSettings,
                                        generator: inout MersenneTwister) -> Targets {
            let t = batch.frames, k = c.clusters, b = batch.videos
            let prior = temporalPrior(frames: t, clusters: k, rho: c.rho)
            var frameCosts: [Matrix<Double>] = []
            func directions() -> Matrix<Double> {
                randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns, using: &generator)
            }
            let batchDirections = c.useSlicedWasserstein && c.choices.swDirections == .perBatch ? directions() : nil
            for v in 0..<b {
                let features = rows(f.frames, v * t, t)
                var cost = cosineCost(features, p.actions, prior: prior)
                if c.useSlicedWasserstein {
                    let sw = slicedCostMatrix(frames: features, clusters: p.actions, directions: batchDirections ?? directions(),
                                              radius: c.slicedWassersteinRadius)
                    for i in cost.elements.indices { cost.elements[i] += c.choices.swWeight * sw.elements[i] }
                }
                frameCosts.append(cost)
            }
            let masks = (0..<b).map { Array(batch.mask[($0 * t)..<(($0 + 1) * t)]) }
            let frameTargets = stack(solveASOT(ASOTBatch(costs: frameCosts, masks: masks), settings: settings).map(\.plan))
            var targets = Targets(frames: frameTargets, segments: nil, refined: nil)
            if let segments = f.segments {
                let s = c.segments
                let segmentPrior = c.choices.segmentPrior ? temporalPrior(frames: s, clusters: k, rho: c.rho) : Matrix<Double>.zeros(s, k)
                let costs = (0..<b).map { cosineCost(rows(segments, $0 * s, s), p.actions, prior: segmentPrior) }
                targets.segments = stack(solveASOT(ASOTBatch(costs: costs), settings: settings).map(\.plan))
            }
            if let refined = f.refined {
                let costs = (0..<b).map { cosineCost(rows(refined, $0 * t, t), p.actions, prior: prior) }
                switch c.choices.stage3OT {
                case .asot: targets.refined = stack(solveASOT(ASOTBatch(costs: costs, masks: masks), settings: settings).map(\.plan))
                case .l2Unbalanced: targets.refined = stack(costs.map { solveQuadraticUnbalanced(cost: $0) })
                }
            }
            return targets
        }

        /// 1 − F Aᵀ + P.
        static func cosineCost(_ features: Matrix<Double>, _ actions: Matrix<Double>, prior: Matrix<Double>) -> Matrix<Double> {
            var cost = prior
            for i in 0..<features.rows {
                for k in 0..<actions.rows {
                    var dot = 0.0
                    for j in 0..<features.columns { dot += features[i, j] * actions[k, j] }
                    cost[i, k] += 1 - dot
                }
            }
            return cost
        }

        // MARK: Loss and its gradient

        /// L = L_F + L_S + L_R (Eq. 12–13: masked soft cross-entropy, padding in the divisor).
        public static func loss(_ f: Forward, targets: Targets, batch: Batch, parameters p: ModelParameters<Double>,
                                configuration c: ModelConfiguration) -> Loss {
            func stage(_ x: Matrix<Double>?, _ t: Matrix<Double>?, _ mask: [Bool]?) -> Double {
                guard let x, let t else { return 0 }
                let probabilities = SoftmaxWithTemperature.forward(logits(x, p.actions), temperature: c.temperature)
                return SoftCrossEntropy.forward(probabilities: probabilities, targets: t, mask: mask)
            }
            return Loss(frames: stage(f.frames, targets.frames, batch.mask),
                        segments: stage(f.segments, targets.segments, nil),
                        refined: stage(f.refined, targets.refined, batch.mask))
        }

        /// ∂L/∂θ for every parameter, with the pseudo-labels held fixed.
        public static func gradients(_ f: Forward, targets: Targets, batch: Batch, parameters p: ModelParameters<Double>,
                                     configuration c: ModelConfiguration) -> ModelParameters<Double> {
            var grads = ModelParameters<Double>.zeros(like: p)
            var dA = Matrix<Double>.zeros(p.actions.rows, p.actions.columns)
            /// CE stage: returns ∂L/∂x for x in softmax(x Aᵀ/τ), accumulating ∂L/∂A.
            func stage(_ x: Matrix<Double>, _ t: Matrix<Double>, _ mask: [Bool]?) -> Matrix<Double> {
                let probabilities = SoftmaxWithTemperature.forward(logits(x, p.actions), temperature: c.temperature)
                let dLogits = SoftCrossEntropy.backward(probabilities: probabilities, targets: t, mask: mask, temperature: c.temperature)
                accumulate(&dA, product(transpose: dLogits, x))
                return product(dLogits, p.actions)
            }
            var dFrames = stage(f.frames, targets.frames, batch.mask)
            // With `encoder-gradient` frame-stage-only, F is a constant to stages 2 and 3.
            let laterStagesReachF = c.choices.encoderGradient == .allStages
            if let segments = f.segments, let raw = f.rawSegments, let decoderCache = f.decoder {
                // ∂L/∂S_raw directly, and ∂L/∂rownorm(S_raw) (taken back through RowNormalize once).
                var dRaw = Matrix<Double>.zeros(raw.rows, raw.columns), dUnit = dRaw
                let dStage2 = stage(segments, targets.segments!, nil)
                if c.choices.segmentRenormalise { accumulate(&dUnit, dStage2) } else { accumulate(&dRaw, dStage2) }
                if let refined = f.refined, let refinementCache = f.refinement {
                    let dRefined = stage(refined, targets.refined!, batch.mask)
                    let r = CrossAttentionRefinement.backward(cache: refinementCache, outputGradient: dRefined)
                    if laterStagesReachF { accumulate(&dFrames, r.features) }
                    if c.choices.refinementSegments == .raw { accumulate(&dRaw, r.segments) } else { accumulate(&dUnit, r.segments) }
                }
                accumulate(&dRaw, RowNormalize.backward(raw, outputGradient: dUnit))
                let d = Decoder.backward(cache: decoderCache, parameters: p, configuration: c, outputGradient: dRaw)
                if laterStagesReachF { accumulate(&dFrames, d.memory) }
                grads.queryPositions = d.queryPositions
                grads.target = d.target
                grads.memoryPositions = d.memoryPositions
                grads.decoder = d.layers
                grads.finalNorm = d.finalNorm
            }
            var dEncoded = dFrames
            if let dispatchCache = f.dispatch {
                let g = FeatureDispatching.backward(cache: dispatchCache, outputGradient: dFrames)
                dEncoded = g.features
                accumulate(&dA, g.actions)
                grads.dispatchAlpha = g.parameters.alpha
                grads.dispatchBeta = g.parameters.beta
            }
            grads.encoder = Encoder.backward(cache: f.encoder, parameters: p.encoder, outputGradient: dEncoded)
            grads.actions = dA
            return grads
        }

        // MARK: small matrix helpers (plain loops)

        /// x Aᵀ.
        static func logits(_ x: Matrix<Double>, _ a: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(x.rows, a.rows)
            for i in 0..<x.rows { for k in 0..<a.rows {
                var dot = 0.0
                for j in 0..<x.columns { dot += x[i, j] * a[k, j] }
                out[i, k] = dot
            } }
            return out
        }

        /// g A (g: R × K, A: K × D).
        static func product(_ g: Matrix<Double>, _ a: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(g.rows, a.columns)
            for i in 0..<g.rows { for k in 0..<g.columns { for j in 0..<a.columns { out[i, j] += g[i, k] * a[k, j] } } }
            return out
        }

        /// gᵀ x (g: R × K, x: R × D).
        static func product(transpose g: Matrix<Double>, _ x: Matrix<Double>) -> Matrix<Double> {
            var out = Matrix<Double>.zeros(g.columns, x.columns)
            for i in 0..<g.rows { for k in 0..<g.columns { for j in 0..<x.columns { out[k, j] += g[i, k] * x[i, j] } } }
            return out
        }

        static func accumulate(_ a: inout Matrix<Double>, _ b: Matrix<Double>) {
            for i in a.elements.indices { a.elements[i] += b.elements[i] }
        }

        /// Rows start..<start+count.
        static func rows(_ x: Matrix<Double>, _ start: Int, _ count: Int) -> Matrix<Double> {
            Matrix(rows: count, columns: x.columns, elements: Array(x.elements[(start * x.columns)..<((start + count) * x.columns)]))
        }

        static func stack(_ parts: [Matrix<Double>]) -> Matrix<Double> {
            Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: parts[0].columns, elements: parts.flatMap(\.elements))
        }
    }
}
