/// What both backends' `CLOTModel` share: the batch, forward-pass, target and loss types, the
/// forward pass (`ModelForward`), the losses and their gradient (`ModelStages+Loss`), the
/// training step and the decoding (`ModelStages+Training`), written once over the backend's
/// `Arithmetic`, and the pseudo-labels (`ModelStages+PseudoLabels`). A backend's `CLOTModel`
/// conforms by naming its arithmetic and supplying what is its own: the costs, the solvers and
/// whether two stages' solves may run at once.
public protocol ModelStages {
    associatedtype Arithmetic: LayerArithmetic

    /// The temporal prior P (N × K) with ρ (ASOT's Eq. 7).
    static func temporalPrior(frames: Int, clusters: Int, rho: Double) -> Matrix<Arithmetic.Scalar>
    /// Per video v of B stacked in `features` ((B·N) × D), the cost 1 − F_v Aᵀ + P (N × K).
    static func stageCosts(_ features: Matrix<Arithmetic.Scalar>, actions: Matrix<Arithmetic.Scalar>,
                           prior: Matrix<Arithmetic.Scalar>, videos: Int) -> [Matrix<Arithmetic.Scalar>]
    /// cost ← cost + λ_SW·C_SW of one video's frames, with the given unit directions (drawn in
    /// Double by both backends, so one seed gives the same directions).
    static func addSlicedCost(_ cost: inout Matrix<Arithmetic.Scalar>, frames: Matrix<Arithmetic.Scalar>,
                              actions: Matrix<Arithmetic.Scalar>, directions: Matrix<Double>, configuration: ModelConfiguration)
    /// The ASOT plans of a batch, on at most `threads` threads (nil: the solver's default).
    /// - Postconditions: the same bits for every thread count.
    static func solve(_ batch: ASOTBatch<Arithmetic.Scalar>, settings: ASOTSettings, threads: Int?) -> [ASOTSolution<Arithmetic.Scalar>]
    /// Runs `first` and `second`, possibly at the same time; each writes only what the other does
    /// not touch, so the results are the same either way.
    static func concurrently(_ first: () -> Void, _ second: @escaping () -> Void)
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
