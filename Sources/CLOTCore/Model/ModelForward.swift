/// The forward pass of the CLOT model's three stages (CLOT §3, Eq. 1–3; Documentation/Method.md
/// §2 and §5), wired once for both backends, which supply the arithmetic (`LayerArithmetic`):
///
///     stage 1  F = FD(rownorm(MLP(X)), A)                  (FrameEncoder, feature dispatching)
///     stage 2  S_raw = Decoder(F), S = rownorm(S_raw) or S_raw  (SegmentDecoder; `segment-renormalise`)
///     stage 3  F_R = rownorm(F + softmax(F S̃ᵀ/√D/τ_r) S̃)    (Eq. 3; S̃ = S_raw or rownorm(S_raw):
///                                                              `refinement-segments`)
///
/// with the intermediate values the losses and the backward pass need. `Reference.CLOTModel.Forward`
/// and `Optimized.CLOTModel.Forward` are this type.
public struct ModelForward<Arithmetic: LayerArithmetic>: Sendable {
    public typealias Scalar = Arithmetic.Scalar
    /// F, (B·T) × D.
    public var frames: Matrix<Scalar>
    /// S of stage 2's cost and codes, (B·n_seg) × D.
    public var segments: Matrix<Scalar>?
    /// F_R, (B·T) × D.
    public var refined: Matrix<Scalar>?
    public var encoder: FrameEncoder<Arithmetic>.Cache
    public var dispatch: DispatchCache<Scalar>?
    public var decoder: SegmentDecoder<Arithmetic>.Cache?
    /// S_raw, the decoder's output before any renormalisation.
    public var rawSegments: Matrix<Scalar>?
    public var refinement: RefinementCache<Scalar>?
    /// The feature-dispatching argmax mask used (to hold it fixed in gradient checks).
    public var dispatchMask: [Int]? { dispatch?.assignments }

    @inlinable
    init(frames: Matrix<Scalar>, encoder: FrameEncoder<Arithmetic>.Cache, dispatch: DispatchCache<Scalar>?) {
        self.frames = frames
        self.encoder = encoder
        self.dispatch = dispatch
    }

    /// Features of every stage the configuration runs. `dropout` turns the encoder's and the
    /// decoder's dropout on (training); `fixedDispatchMask` holds feature dispatching's argmax
    /// and `laterStageFrames` gives stages 2 and 3 a fixed F in place of this pass's (gradient
    /// checks: the derivative with F held there is what `encoder-gradient` frame-stage-only
    /// computes).
    /// - Postconditions: `frames` is (B·T) × D; `segments` is set iff the configuration uses the
    ///   decoder, `refined` iff it runs the refinement; dropout masks are drawn from `generator`
    ///   encoder first, then decoder, in layer order.
    /// - Edge Cases: `dropout` false draws nothing from `generator`.
    @inlinable
    public init(_ batch: ModelBatch<Scalar>, parameters p: ModelParameters<Scalar>, configuration c: ModelConfiguration,
                dropout: Bool, generator: inout MersenneTwister,
                fixedDispatchMask: [Int]? = nil, laterStageFrames: Matrix<Scalar>? = nil) {
        typealias A = Arithmetic
        let (encoded, encoderCache) = FrameEncoder<A>.forward(batch.features, parameters: p.encoder,
                                                              dropout: dropout ? c.choices.encoderDropout : 0, generator: &generator)
        var frames = encoded
        var dispatchCache: DispatchCache<Scalar>?
        if c.useFeatureDispatching {
            let fd = A.featureDispatching(encoded, actions: p.actions,
                                          parameters: DispatchParameters(alpha: p.dispatchAlpha, beta: p.dispatchBeta),
                                          batch: batch.videos, frameMask: batch.mask,
                                          settings: DispatchSettings(maskPadding: c.choices.fdPadding == .masked,
                                                                     renormalise: c.choices.fdRenormalise),
                                          fixedMask: fixedDispatchMask)
            frames = fd.output
            dispatchCache = fd.cache
        }
        self.init(frames: frames, encoder: encoderCache, dispatch: dispatchCache)
        guard c.useDecoder else { return }
        let memory = laterStageFrames ?? frames
        let (raw, decoderCache) = SegmentDecoder<A>.forward(memory: memory, mask: batch.mask, batch: batch.videos, parameters: p,
                                                            configuration: c, dropout: dropout ? c.decoderDropout : 0,
                                                            generator: &generator)
        let needsUnit = c.choices.segmentRenormalise || (c.runsRefinement && c.choices.refinementSegments == .renormalised)
        let unit = needsUnit ? A.rowNormalize(raw) : raw
        decoder = decoderCache
        rawSegments = raw
        segments = c.choices.segmentRenormalise ? unit : raw
        guard c.runsRefinement else { return }
        let refinement = A.refinement(features: memory, segments: c.choices.refinementSegments == .raw ? raw : unit,
                                      temperature: c.choices.refinementTemperature, batch: batch.videos)
        refined = refinement.output
        self.refinement = refinement.cache
    }
}
