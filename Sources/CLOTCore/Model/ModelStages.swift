/// What both backends' `CLOTModel` share: the batch, forward-pass, target and loss types and the
/// forward pass itself (`ModelForward`), written once over the backend's `Arithmetic`. A backend's
/// `CLOTModel` conforms by naming its arithmetic and adds what is its own: the pseudo-labels (its
/// solver), the losses and the backward pass.
public protocol ModelStages {
    associatedtype Arithmetic: LayerArithmetic
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
