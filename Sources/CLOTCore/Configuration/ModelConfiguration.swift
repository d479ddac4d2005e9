/// Everything that defines one CLOT (or ASOT) model and its training losses: the sizes and
/// hyperparameters the sources state (per dataset, from `DatasetDefaults`), the component
/// switches of the ablations, and in `choices` every reading the sources leave open
/// (`ReconstructionChoices`, argued in Documentation/Choices.md).
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// MLP layer sizes, input first (Breakfast 64-128-40, YTI 3000-32-32, DA 512-128-40).
    public var layerSizes: [Int] = [64, 128, 40]
    /// Number of action clusters K.
    public var clusters: Int = 7
    /// n_seg = K + δ (supplement Table 6: 0 BF, −6 YTI, 2 50S-Mid, −6 50S-Eval, 0 DA); at least 1.
    public var segmentOffset: Int = 0
    /// The decoder's layers, attention heads and dropout (supplement Table 6: layers 2 BF, 2 YTI,
    /// 1 50S-Mid, 4 50S-Eval, 3 DA; 8 heads; dropout .5 BF, .2 YTI, .1 50S-Mid, .2 50S-Eval, .5 DA).
    public var decoderLayers: Int = 2, heads: Int = 8, decoderDropout: Double = 0.5
    /// The autoregressive decoder of supplement Table 5 instead of the parallel one (its form
    /// is the choice `autoregressive-form`). Default parallel.
    public var autoregressiveDecoder: Bool = false
    /// τ of the codes P = softmax(x Aᵀ/τ) (official 0.1, constructor-only).
    public var temperature: Double = 0.1
    /// Temporal prior weight ρ added to the frame-level costs.
    public var rho: Double = 0.2
    /// L, the frames sampled per training video (256): the memory length the decoder sees in
    /// training, which the relative position index t·L/T and the learned position table use.
    public var memoryPositionSpan: Int = 256

    /// The components, each switched off by one ablation of Table 3 (`remove(_:)`) and all of
    /// them by the ASOT baseline: the sliced-Wasserstein term in the first stage's cost, feature
    /// dispatching after the encoder, the decoder stage (stage 2; without it there is no stage 3
    /// either) and the refinement stage (stage 3).
    public var useSlicedWasserstein = true, useFeatureDispatching = true, useDecoder = true, useRefinement = true

    /// Projections of the released gsw.py (150) and its circle radius (2).
    public var slicedWassersteinProjections: Int = 150, slicedWassersteinRadius: Double = 2

    /// Every reading the sources leave open, each a named setting (`clot train --choices`).
    public var choices = ReconstructionChoices()

    public typealias DecodeStage = ReconstructionChoices.DecodeStage

    public init() {}

    /// The ASOT baseline: stage 1 only, no sliced Wasserstein, no feature dispatching — CLOT
    /// with all four ablations of Table 3 applied at once.
    public static func asot(layerSizes: [Int] = [64, 128, 40], clusters: Int = 7) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.layerSizes = layerSizes
        c.clusters = clusters
        for ablation in Ablation.allCases { c.remove(ablation) }
        return c
    }

    /// Switches off the component an ablation of CLOT Table 3 removes.
    public mutating func remove(_ ablation: Ablation) {
        switch ablation {
        case .noSWD: useSlicedWasserstein = false
        case .noFD: useFeatureDispatching = false
        case .noDecoder: useDecoder = false
        case .noRefinement: useRefinement = false
        }
    }

    /// Embedding width D.
    public var embeddingWidth: Int { layerSizes.last! }
    /// Number of decoder queries n_seg = K + δ (at least 1).
    public var segments: Int { max(1, clusters + segmentOffset) }
    /// Whether stage 3 runs.
    public var runsRefinement: Bool { useDecoder && useRefinement }
    /// The decoder's FFN width.
    public var feedForwardWidth: Int { choices.ffnWidth.units(embeddingWidth: embeddingWidth) }
    /// Rows of the learnable tgt table (n_seg when `decoder-target` is learned, else 0).
    public var targetRows: Int { useDecoder && choices.decoderTarget == .learned ? segments : 0 }
    /// Rows of the learnable memory position table (L when `memory-positions` is learned, else 0).
    public var memoryPositionRows: Int { useDecoder && choices.memoryPositions == .learned ? memoryPositionSpan : 0 }

    /// The decoder's memory position index of each of `frames` memory rows: t (absolute) or
    /// t·L/T (relative; L = `memoryPositionSpan`, T = `frames`). In training T = L and the two
    /// agree; at test T is the whole video.
    public func memoryPositionIndices(frames: Int) -> [Double] {
        switch choices.positionIndex {
        case .absolute: return (0..<frames).map(Double.init)
        case .relative: return (0..<frames).map { Double($0) * Double(memoryPositionSpan) / Double(frames) }
        }
    }

    /// The row of the learned position table for each index: ⌊index⌋, at most L − 1 (frames past
    /// the table's end, which only an absolute index at test reaches, share its last row).
    public func memoryPositionRows(frames: Int) -> [Int] {
        memoryPositionIndices(frames: frames).map { min(memoryPositionSpan - 1, Int($0.rounded(.down))) }
    }

    /// Checks the values a user can get wrong.
    ///
    /// - Parameter clustersName: how the error names K; a front end passes its flag.
    /// - Throws: `InputError` naming the first value out of range.
    public func validate(clustersName: String = "clusters") throws {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 >= 1 }) else {
            throw InputError("layer sizes", "need at least input and output sizes, all positive, got \(layerSizes)")
        }
        guard clusters >= 2 else { throw InputError(clustersName, "needs at least 2, got \(clusters)") }
        guard temperature > 0, choices.refinementTemperature > 0 else {
            throw InputError("temperature", "must be positive (τ \(temperature), τ_r \(choices.refinementTemperature))")
        }
        guard (0..<1).contains(choices.encoderDropout) else {
            throw InputError("encoder-dropout", "must lie in [0, 1), got \(choices.encoderDropout)")
        }
        guard choices.swWeight >= 0 else { throw InputError("sw-weight", "must be non-negative, got \(choices.swWeight)") }
        guard memoryPositionSpan >= 1 else { throw InputError("memory position span", "must be positive, got \(memoryPositionSpan)") }
        guard !useDecoder || embeddingWidth % heads == 0 else {
            throw InputError("heads", "embedding width \(embeddingWidth) is not divisible by \(heads) heads")
        }
        guard (0..<1).contains(decoderDropout) else { throw InputError("dropout", "must lie in [0, 1), got \(decoderDropout)") }
    }
}
