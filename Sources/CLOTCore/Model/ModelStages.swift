/// What both backends' `CLOTModel` share: the batch, forward-pass, target and loss types, the
/// forward pass (`ModelForward`), the losses and their gradient (`ModelStages+Loss`), the
/// training step and the decoding (`ModelStages+Training`), written once over the backend's
/// `Arithmetic`. A backend's `CLOTModel` conforms by naming its arithmetic and supplying what
/// is its own: the pseudo-labels and the decoding costs (its solver and its products).
public protocol ModelStages {
    associatedtype Arithmetic: LayerArithmetic

    /// The ASOT pseudo-labels T, T_S, T_R of each stage with the train settings (no gradient);
    /// stage 1's cost adds λ_SW·C_SW with fresh directions drawn from `generator`.
    static func pseudoLabels(_ f: ModelForward<Arithmetic>, batch: ModelBatch<Arithmetic.Scalar>,
                             parameters: ModelParameters<Arithmetic.Scalar>, configuration: ModelConfiguration,
                             settings: ASOTSettings, generator: inout MersenneTwister) -> StageTargets<Arithmetic.Scalar>
    /// The decoding cost 1 − F Aᵀ + P of one video (P the temporal prior with the configuration's ρ).
    static func decodingCost(_ features: Matrix<Arithmetic.Scalar>, actions: Matrix<Arithmetic.Scalar>,
                             configuration: ModelConfiguration) -> Matrix<Arithmetic.Scalar>
    /// cost ← cost + λ_SW·C_SW of one video, its directions drawn from `generator`.
    static func addSlicedCost(_ cost: inout Matrix<Arithmetic.Scalar>, frames: Matrix<Arithmetic.Scalar>,
                              actions: Matrix<Arithmetic.Scalar>, configuration: ModelConfiguration,
                              generator: inout MersenneTwister)
    /// The argmax labels of the ASOT plan of `cost` with `settings`.
    static func labels(cost: Matrix<Arithmetic.Scalar>, settings: ASOTSettings) -> [Int]
    /// The k-means centres of `embeddings` (what A starts from, official `fit_clusters`).
    static func kMeansCenters(_ embeddings: Matrix<Arithmetic.Scalar>, clusters: Int,
                              generator: inout MersenneTwister) -> Matrix<Arithmetic.Scalar>
}

extension ModelStages {
    /// One batch of inputs, B videos of T frames (padded, masked).
    public typealias Batch = ModelBatch<Arithmetic.Scalar>
    /// The forward pass's features and intermediate values (what the losses and the backward need).
    public typealias Forward = ModelForward<Arithmetic>
    /// Pseudo-labels of the three stages (rows as the corresponding features).
    public typealias Targets = StageTargets<Arithmetic.Scalar>
    /// The three losses and their sum.
    public typealias Loss = StageLosses<Arithmetic.Scalar>

    /// Features of every stage (`ModelForward.init`, whose doc comment has the stages).
    /// `dropout` turns the encoder's and decoder's dropout on (training); `fixedDispatchMask`
    /// holds feature dispatching's argmax and `laterStageFrames` gives stages 2 and 3 a fixed F
    /// (gradient checks).
    /// - Postconditions: the same random draws, in the same order, in both backends.
    /// - Edge Cases: `dropout` false draws nothing from `generator`.
    @inlinable
    public static func forward(_ batch: Batch, parameters p: ModelParameters<Arithmetic.Scalar>, configuration c: ModelConfiguration,
                               dropout: Bool, generator: inout MersenneTwister,
                               fixedDispatchMask: [Int]? = nil, laterStageFrames: Matrix<Arithmetic.Scalar>? = nil) -> Forward {
        Forward(batch, parameters: p, configuration: c, dropout: dropout, generator: &generator,
                fixedDispatchMask: fixedDispatchMask, laterStageFrames: laterStageFrames)
    }

    /// The encoder's L2-normalised embeddings (no dispatching, no dropout): what k-means
    /// clusters to initialise A (official `fit_clusters`).
    /// - Postconditions: (B·T) × D, unit rows.
    @inlinable
    public static func embed(_ features: Matrix<Arithmetic.Scalar>, parameters p: ModelParameters<Arithmetic.Scalar>) -> Matrix<Arithmetic.Scalar> {
        FrameEncoder<Arithmetic>.forward(features, parameters: p.encoder).output
    }
}
