/// CLOT's loss L = L_F + L_S + L_R (paper Eq. 11–13) and its gradient with respect to every
/// parameter, the pseudo-labels held fixed, written once for both backends over their
/// `Arithmetic`. Each stage's term is the masked soft cross-entropy of softmax(x Aᵀ/τ) against
/// its pseudo-labels, with padding in the divisor.
extension ModelStages {
    /// L_F, L_S and L_R (a stage the configuration does not run is 0).
    @inlinable
    public static func loss(_ f: Forward, targets: Targets, batch: Batch, parameters p: ModelParameters<Arithmetic.Scalar>,
                            configuration c: ModelConfiguration) -> Loss {
        func stage(_ x: Matrix<Arithmetic.Scalar>?, _ t: Matrix<Arithmetic.Scalar>?, _ mask: [Bool]?) -> Arithmetic.Scalar {
            guard let x, let t else { return 0 }
            return Arithmetic.crossEntropy(x, actions: p.actions, targets: t, mask: mask, temperature: c.temperature)
        }
        return Loss(frames: stage(f.frames, targets.frames, batch.mask),
                    segments: stage(f.segments, targets.segments, nil),
                    refined: stage(f.refined, targets.refined, batch.mask))
    }

    /// ∂L/∂θ for every parameter, with the pseudo-labels held fixed.
    @inlinable
    public static func gradients(_ f: Forward, targets: Targets, batch: Batch, parameters p: ModelParameters<Arithmetic.Scalar>,
                                 configuration c: ModelConfiguration) -> ModelParameters<Arithmetic.Scalar> {
        lossAndGradients(f, targets: targets, batch: batch, parameters: p, configuration: c).gradients
    }

    /// The loss and its gradient, from one softmax per stage. Backward through the stages in
    /// reverse: stage 3's refinement sends ∂L/∂F_R to F and to S̃ (S_raw or rownorm(S_raw), choice
    /// `refinement-segments`); stage 2's ∂L/∂S reaches S_raw through the row normalisation
    /// (choice `segment-renormalise`); the decoder takes ∂L/∂S_raw back to its memory F; feature
    /// dispatching and the encoder take ∂L/∂F back to the MLP. With `encoder-gradient`
    /// frame-stage-only, F is a constant to stages 2 and 3.
    /// - Postconditions: the gradients have the shapes of `p`; a stage not run contributes nothing.
    @inlinable
    public static func lossAndGradients(_ f: Forward, targets: Targets, batch: Batch, parameters p: ModelParameters<Arithmetic.Scalar>,
                                        configuration c: ModelConfiguration)
        -> (loss: Loss, gradients: ModelParameters<Arithmetic.Scalar>) {
        typealias A = Arithmetic
        var grads = ModelParameters<A.Scalar>.zeros(like: p)
        var dA = A.zeros(p.actions.rows, p.actions.columns)
        func stage(_ x: Matrix<A.Scalar>, _ t: Matrix<A.Scalar>, _ mask: [Bool]?) -> (A.Scalar, Matrix<A.Scalar>) {
            let r = A.crossEntropyBackward(x, actions: p.actions, targets: t, mask: mask, temperature: c.temperature,
                                           actionGradient: &dA)
            return (r.loss, r.input)
        }
        var loss = Loss(frames: 0, segments: 0, refined: 0)
        var dFrames: Matrix<A.Scalar>
        (loss.frames, dFrames) = stage(f.frames, targets.frames, batch.mask)
        let laterStagesReachF = c.choices.encoderGradient == .allStages
        if let segments = f.segments, let raw = f.rawSegments, let decoderCache = f.decoder {
            guard let segmentTargets = targets.segments else { preconditionFailure("segment-stage targets missing") }
            // ∂L/∂S_raw directly (dRaw) and ∂L/∂rownorm(S_raw) (dUnit, taken back once).
            var dRaw: Matrix<A.Scalar>?, dUnit: Matrix<A.Scalar>?
            func add(_ g: Matrix<A.Scalar>, toUnit: Bool) {
                if toUnit { if dUnit == nil { dUnit = g } else { A.addInPlace(&dUnit!, g) } }
                else { if dRaw == nil { dRaw = g } else { A.addInPlace(&dRaw!, g) } }
            }
            let (segmentLoss, dStage2) = stage(segments, segmentTargets, nil)
            loss.segments = segmentLoss
            add(dStage2, toUnit: c.choices.segmentRenormalise)
            if let refined = f.refined, let refinementCache = f.refinement {
                guard let refinedTargets = targets.refined else { preconditionFailure("refined-stage targets missing") }
                let (value, dRefined) = stage(refined, refinedTargets, batch.mask)
                loss.refined = value
                let r = A.refinementBackward(cache: refinementCache, outputGradient: dRefined)
                if laterStagesReachF { A.addInPlace(&dFrames, r.features) }
                add(r.segments, toUnit: c.choices.refinementSegments == .renormalised)
            }
            if let dUnit { add(A.rowNormalizeBackward(raw, outputGradient: dUnit), toUnit: false) }
            guard let dRaw else { preconditionFailure("no gradient reaches the decoder") }
            let d = SegmentDecoder<A>.backward(cache: decoderCache, parameters: p, configuration: c, outputGradient: dRaw)
            if laterStagesReachF { A.addInPlace(&dFrames, d.memory) }
            grads.queryPositions = d.queryPositions
            grads.target = d.target
            grads.memoryPositions = d.memoryPositions
            grads.decoder = d.layers
            grads.finalNorm = d.finalNorm
        }
        var dEncoded = dFrames
        if let dispatchCache = f.dispatch {
            let g = A.featureDispatchingBackward(cache: dispatchCache, outputGradient: dFrames)
            dEncoded = g.features
            A.addInPlace(&dA, g.actions)
            grads.dispatchAlpha = g.parameters.alpha
            grads.dispatchBeta = g.parameters.beta
        }
        grads.encoder = FrameEncoder<A>.backward(cache: f.encoder, parameters: p.encoder, outputGradient: dEncoded)
        grads.actions = dA
        return (loss, grads)
    }
}
