/// Everything that defines one CLOT (or ASOT) model and its training losses, with each
/// reconstruction choice of METHOD.md a named setting whose default is documented here and
/// in REPRODUCE.md.
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// MLP layer sizes, input first (Breakfast 64-128-40, YTI 3000-32-32, DA 512-128-40).
    public var layerSizes: [Int] = [64, 128, 40]
    /// Number of action clusters K.
    public var clusters: Int = 7
    /// n_seg = K + δ (supplement Table 6: 0 BF, −6 YTI, 2 50S-Mid, −6 50S-Eval, 0 DA); at least 1.
    public var segmentOffset: Int = 0
    /// Decoder layers (Table 6: 2 BF, 2 YTI, 1 50S-Mid, 4 50S-Eval, 3 DA).
    public var decoderLayers: Int = 2
    /// Attention heads (Table 6: 8).
    public var heads: Int = 8
    /// Decoder dropout (Table 6: .5 BF, .2 YTI, .1 50S-Mid, .2 50S-Eval, .5 DA).
    public var decoderDropout: Double = 0.5
    /// **Choice**: FFN width as a multiple of D (FUTR passes hidden_dim·4; the released
    /// module's default width is 2048). Default 4.
    public var feedForwardMultiple: Int = 4
    /// **Choice**: causal (autoregressive) decoder self-attention instead of parallel
    /// (supplement Table 5). Default parallel.
    public var autoregressiveDecoder: Bool = false
    /// τ of the codes P = softmax(x Aᵀ/τ) (official 0.1, constructor-only).
    public var temperature: Double = 0.1
    /// **Choice**: τ_r of the refinement attention (cross-att.py takes it without default).
    /// Default 0.1, the only temperature the training code has.
    public var refinementTemperature: Double = 0.1
    /// Temporal prior weight ρ added to the frame-level costs.
    public var rho: Double = 0.2
    /// **Choice**: also add the prior ρ|s/n_seg − k/K| to the segment-stage cost. Default yes.
    public var segmentPrior: Bool = true

    // Components, each switchable for the ablations (Table 3) and the ASOT baseline.
    /// The sliced-Wasserstein term in the first stage's cost.
    public var useSlicedWasserstein: Bool = true
    /// Feature dispatching after the encoder.
    public var useFeatureDispatching: Bool = true
    /// The decoder stage (stage 2); without it there is no stage 3 either.
    public var useDecoder: Bool = true
    /// The refinement stage (stage 3).
    public var useRefinement: Bool = true

    /// **Choice**: weight λ_SW of C_SW in C₁ = 1 − F Aᵀ + P + λ_SW·C_SW (the code shows none). Default 1.
    public var slicedWassersteinWeight: Double = 1
    /// Projections of the released gsw.py (150) and its circle radius (2).
    public var slicedWassersteinProjections: Int = 150
    public var slicedWassersteinRadius: Double = 2
    /// **Choice**: leave padded frames out of feature dispatching's sums (released: no). Default yes.
    public var dispatchMasksPadding: Bool = true
    /// **Choice**: renormalise dispatched features before they meet A (released: no). Default yes.
    public var dispatchRenormalises: Bool = true
    /// **Choice**: renormalise the decoder's segment embeddings S before 1 − S Aᵀ, the codes and
    /// the refinement (after the final LayerNorm ‖S‖ ≈ √D). Default yes.
    public var renormaliseSegments: Bool = true
    /// **Choice**: which stage's features decode the prediction. Default the refined one
    /// (stage 3), falling back to stage 1 when it is switched off.
    public var decodeStage: DecodeStage = .refined

    public enum DecodeStage: String, Sendable, Codable, CaseIterable { case frames, refined }

    public init() {}

    /// The ASOT baseline: stage 1 only, no sliced Wasserstein, no feature dispatching.
    public static func asot(layerSizes: [Int] = [64, 128, 40], clusters: Int = 7) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.layerSizes = layerSizes
        c.clusters = clusters
        c.useSlicedWasserstein = false
        c.useFeatureDispatching = false
        c.useDecoder = false
        c.useRefinement = false
        return c
    }

    /// Embedding width D.
    public var embeddingWidth: Int { layerSizes.last! }
    /// Number of decoder queries n_seg = K + δ (at least 1).
    public var segments: Int { max(1, clusters + segmentOffset) }
    /// Whether stage 3 runs.
    public var runsRefinement: Bool { useDecoder && useRefinement }

    public func validate() throws {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 >= 1 }) else {
            throw InputError("layer sizes", "need at least input and output sizes, all positive, got \(layerSizes)")
        }
        guard clusters >= 2 else { throw InputError("--clusters", "needs at least 2, got \(clusters)") }
        guard temperature > 0, refinementTemperature > 0 else {
            throw InputError("temperature", "must be positive (τ \(temperature), τ_r \(refinementTemperature))")
        }
        guard !useDecoder || embeddingWidth % heads == 0 else {
            throw InputError("heads", "embedding width \(embeddingWidth) is not divisible by \(heads) heads")
        }
        guard (0..<1).contains(decoderDropout) else { throw InputError("dropout", "must lie in [0, 1), got \(decoderDropout)") }
    }
}
