/// Every place where the CLOT sources (the paper and its supplement, the official README and
/// its figures, the four released modules, FUTR, and the ASOT code the README says the rest
/// follows) admit more than one reading, as one named setting each. The defaults are argued,
/// source by source, in Documentation/Choices.md: where the sources leave a point open, the
/// default is the released code's behaviour, then FUTR's, then the paper's prose — never a
/// score on test labels.
///
/// The names are the command line's (`clot train --choices`, `--choice NAME=VALUE`) and the
/// JSON keys of `metrics.json` and `results.json`; `ReconstructionChoices.catalogue` lists
/// them with their alternatives and sources. The ASOT baseline has none of these components
/// and ignores every choice.
public struct ReconstructionChoices: Sendable, Equatable, Codable {
    /// Whether padded frames (mask false) enter feature dispatching's per-cluster sums and counts.
    public enum DispatchPadding: String, Sendable, Codable, CaseIterable { case included, masked }
    /// Which segment embeddings the refinement (paper Eq. 3) attends to.
    public enum RefinementSegments: String, Sendable, Codable, CaseIterable { case raw, renormalised }
    /// What the decoder's memory positions index: the frame number t, or t·L/T (L the
    /// training sample length, T the memory's length), a position relative to the video.
    public enum PositionIndex: String, Sendable, Codable, CaseIterable { case absolute, relative }
    /// The memory position code: a fixed sinusoid, or a learnable L × D table (FUTR).
    public enum MemoryPositions: String, Sendable, Codable, CaseIterable { case sinusoid, learned }
    /// The decoder's input tgt: zeros (FUTR), or a learnable n_seg × D table.
    public enum DecoderTarget: String, Sendable, Codable, CaseIterable { case zero, learned }
    /// One set of sliced-Wasserstein directions per batch (one `gsw.py` call) or per video.
    public enum DirectionDraw: String, Sendable, Codable, CaseIterable { case perBatch = "per-batch", perVideo = "per-video" }
    /// Whether the losses of stages 2 and 3 reach the encoder (through the decoder's memory
    /// and the refinement's frame features) or only stage 1's does.
    public enum EncoderGradient: String, Sendable, Codable, CaseIterable {
        case allStages = "all-stages", frameStageOnly = "frame-stage-only"
    }
    /// What "autoregressive decoder" (supplement Table 5) means. One reading is implemented.
    public enum AutoregressiveForm: String, Sendable, Codable, CaseIterable { case causalMask = "causal-mask" }
    /// The OT problem that gives the stage-3 pseudo-labels T_R. One reading is implemented;
    /// `gsw.py`'s unused `get_opt` (POT, L2-regularised, L2-unbalanced) is a candidate.
    public enum Stage3Transport: String, Sendable, Codable, CaseIterable { case asot }
    /// What the supplement Table 6's unnamed rows are: CLOT's own ρ, training λ_actions and
    /// radius r, or not those (then the ASOT run scripts' values hold).
    public enum Table6Rows: String, Sendable, Codable, CaseIterable { case clot, asot }

    /// The decoder's FFN width: a fixed number of units (the released module's 2048) or a
    /// multiple of D (FUTR's 4·D). Coded as "2048" or "4d".
    public enum FeedForwardWidth: Sendable, Equatable, Codable, CustomStringConvertible {
        case fixed(Int)
        case multiple(Int)

        /// The width for embedding width `d`.
        public func units(embeddingWidth d: Int) -> Int {
            switch self {
            case .fixed(let n): return n
            case .multiple(let m): return m * d
            }
        }

        public var description: String {
            switch self {
            case .fixed(let n): return String(n)
            case .multiple(let m): return "\(m)d"
            }
        }

        /// "2048" or "4d"; nil unless positive.
        public init?(parsing text: String) {
            if text.hasSuffix("d"), let m = Int(text.dropLast()), m >= 1 {
                self = .multiple(m)
            } else if let n = Int(text), n >= 1 {
                self = .fixed(n)
            } else {
                return nil
            }
        }

        public init(from decoder: Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let value = FeedForwardWidth(parsing: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "FFN width '\(text)'"))
            }
            self = value
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    public var fdPadding: DispatchPadding = .included
    public var fdRenormalise: Bool = true
    public var segmentRenormalise: Bool = true
    public var refinementSegments: RefinementSegments = .raw
    public var positionIndex: PositionIndex = .absolute
    public var memoryPositions: MemoryPositions = .sinusoid
    public var decoderTarget: DecoderTarget = .zero
    public var encoderDropout: Double = 0
    public var ffnWidth: FeedForwardWidth = .fixed(2048)
    public var refinementTemperature: Double = 0.1
    public var swWeight: Double = 1
    public var segmentPrior: Bool = true
    public var decodeStage: DecodeStage = .refined
    public var swDirections: DirectionDraw = .perBatch
    public var encoderGradient: EncoderGradient = .allStages
    public var autoregressiveForm: AutoregressiveForm = .causalMask
    public var stage3OT: Stage3Transport = .asot
    public var table6Rows: Table6Rows = .clot

    /// Which stage's features decode the prediction (stage 1 when there is no stage 3).
    public enum DecodeStage: String, Sendable, Codable, CaseIterable { case refined, frames }

    /// The defaults, argued in Documentation/Choices.md.
    public init() {}

    /// The "released choices": every choice set to what the released modules do, composed as
    /// released — each module's output passed on as the module returns it, and each module's
    /// own default kept where the value its caller passes is not released. Differs from the
    /// defaults only where the default rests on the ASOT code between the modules: the
    /// dispatched features and the segment embeddings meet A without renormalisation.
    public static var released: ReconstructionChoices {
        var c = ReconstructionChoices()
        c.fdPadding = .included             // feature_dispatching.py takes no mask
        c.fdRenormalise = false             // …and returns f + Σ S g as it is
        c.segmentRenormalise = false        // transformer.py returns the final LayerNorm's output
        c.refinementSegments = .raw         // cross-att.py: "decoder outputs", scaled by √D
        c.ffnWidth = .fixed(2048)           // transformer.py's dim_feedforward default
        c.memoryPositions = .sinusoid       // transformer.py's only position code…
        c.positionIndex = .absolute         // …indexed by the frame number
        c.swDirections = .perBatch          // gsw.py draws θ once per call, for the whole batch
        return c
    }

    enum CodingKeys: String, CodingKey {
        case fdPadding = "fd-padding", fdRenormalise = "fd-renormalise", segmentRenormalise = "segment-renormalise"
        case refinementSegments = "refinement-segments", positionIndex = "position-index", memoryPositions = "memory-positions"
        case decoderTarget = "decoder-target", encoderDropout = "encoder-dropout", ffnWidth = "ffn-width"
        case refinementTemperature = "refinement-temperature", swWeight = "sw-weight", segmentPrior = "segment-prior"
        case decodeStage = "decode-stage", swDirections = "sw-directions", encoderGradient = "encoder-gradient"
        case autoregressiveForm = "autoregressive-form", stage3OT = "stage3-ot", table6Rows = "table6-rows"
    }
}
