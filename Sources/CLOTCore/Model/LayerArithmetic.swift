/// The arithmetic a backend supplies to the model's wiring: its layers (one type per layer,
/// `LayerKinds`), the few matrix sums the wiring itself needs, the loss of one stage and the
/// decoder's sinusoid. The wiring (which layer feeds which, which cache keeps what, in which
/// order dropout masks are drawn) is written once, generic over this protocol: `FrameEncoder`,
/// `SegmentDecoder`, `ModelForward` and `ModelStages`. The backends' namespaces conform:
/// `Reference` in Double with plain loops, `Optimized` in Float32 on the fixed-order sgemm; their
/// layers of the names below are the associated types, and each layer's equation is in the doc
/// comment of Reference's.
///
/// Every requirement is one whole-matrix operation, so a call through the protocol costs
/// nothing next to the work it does; the wiring is `@inlinable` and is specialised in each
/// backend all the same.
///
/// Shapes: a batch is B videos stacked by rows; the layer parameters are the shared
/// `ModelParameters` containers (torch layouts).
public protocol LayerArithmetic {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable

    // MARK: Matrix sums

    /// A rows × columns matrix of zeros.
    static func zeros(_ rows: Int, _ columns: Int) -> Matrix<Scalar>
    /// `x` repeated `times` times down the rows.
    static func tiled(_ x: Matrix<Scalar>, _ times: Int) -> Matrix<Scalar>
    /// a ← a + b, elementwise.
    static func addInPlace(_ a: inout Matrix<Scalar>, _ b: Matrix<Scalar>)
    /// a ← a + b + c, elementwise, in the backend's order of summation (Reference a + (b + c),
    /// Optimized (a + b) + c: the two orders each backend's results are recorded with).
    static func addInPlace(_ a: inout Matrix<Scalar>, _ b: Matrix<Scalar>, _ c: Matrix<Scalar>)
    /// Σ_b x[b·rows ..< (b + 1)·rows] (rows × D), summed from zero in video order.
    static func summedOverVideos(_ x: Matrix<Scalar>, batch: Int, rows: Int) -> Matrix<Scalar>

    // MARK: Layers

    associatedtype Linear: LinearLayer where Linear.Scalar == Scalar
    associatedtype ReLU: ReLULayer where ReLU.Scalar == Scalar
    associatedtype Dropout: DropoutLayer where Dropout.Scalar == Scalar
    associatedtype LayerNorm: LayerNormLayer where LayerNorm.Scalar == Scalar
    associatedtype MultiHeadAttention: AttentionLayer where MultiHeadAttention.Scalar == Scalar
    associatedtype RowNormalize: RowNormalizeLayer where RowNormalize.Scalar == Scalar
    associatedtype FeatureDispatching: DispatchLayer where FeatureDispatching.Scalar == Scalar
    associatedtype CrossAttentionRefinement: RefinementLayer where CrossAttentionRefinement.Scalar == Scalar

    // MARK: Loss and positions

    /// One stage's loss CE(softmax(x Aᵀ/τ), T) (Eq. 12–13): the masked soft cross-entropy, padding
    /// in the divisor.
    static func crossEntropy(_ x: Matrix<Scalar>, actions: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Bool]?,
                             temperature: Double) -> Scalar
    /// `crossEntropy` and its ∂L/∂x from one softmax; ∂L/∂A is added into `actionGradient`.
    static func crossEntropyBackward(_ x: Matrix<Scalar>, actions: Matrix<Scalar>, targets: Matrix<Scalar>, mask: [Bool]?,
                                     temperature: Double, actionGradient: inout Matrix<Scalar>) -> (loss: Scalar, input: Matrix<Scalar>)
    /// The sinusoidal code PE(index_t) of the decoder's memory positions for one video of
    /// `frames` rows (frames × D), the indices by the configuration's `position-index` choice.
    static func memorySinusoid(frames: Int, dimension: Int, configuration: ModelConfiguration) -> Matrix<Scalar>
}

/// The wiring's names for the layers' passes, each the backend's layer of that name.
extension LayerArithmetic {
    /// a + b, elementwise (`addInPlace` on a copy of a).
    @inlinable
    public static func add(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) -> Matrix<Scalar> {
        var out = a
        addInPlace(&out, b)
        return out
    }

    /// y = x Wᵀ + b.
    @inlinable
    public static func linear(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense) -> Matrix<Scalar> {
        Linear.forward(x, parameters: layer)
    }

    /// ∂L/∂x and ∂L/∂W, ∂L/∂b of `linear`.
    @inlinable
    public static func linearBackward(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense, outputGradient: Matrix<Scalar>)
        -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense) {
        Linear.backward(x, parameters: layer, outputGradient: outputGradient)
    }

    /// ∂L/∂W and ∂L/∂b of `linear` alone (an input that needs no gradient: the raw features).
    @inlinable
    public static func linearParameterGradients(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense,
                                                outputGradient: Matrix<Scalar>) -> ModelParameters<Scalar>.Dense {
        Linear.parameterGradients(x, parameters: layer, outputGradient: outputGradient)
    }

    /// max(x, 0).
    @inlinable
    public static func relu(_ x: Matrix<Scalar>) -> Matrix<Scalar> { ReLU.forward(x) }

    /// g ← g ⊙ 1[x > 0].
    @inlinable
    public static func reluBackward(_ x: Matrix<Scalar>, outputGradient g: inout Matrix<Scalar>) {
        ReLU.backward(x, inPlace: &g)
    }

    /// Inverted dropout with probability p, its mask drawn from `generator`; p = 0 draws
    /// nothing and returns x and no mask.
    @inlinable
    public static func dropout(_ x: Matrix<Scalar>, probability p: Double,
                               generator: inout MersenneTwister) -> (output: Matrix<Scalar>, mask: Matrix<Scalar>?) {
        Dropout.forward(x, probability: p, training: true, generator: &generator)
    }

    /// ∂L/∂x = ∂L/∂y ⊙ M (nil: the identity).
    @inlinable
    public static func dropoutBackward(_ g: Matrix<Scalar>, mask: Matrix<Scalar>?) -> Matrix<Scalar> {
        Dropout.backward(outputGradient: g, mask: mask)
    }

    /// LayerNorm over each row (torch's ε), then γ and β.
    @inlinable
    public static func layerNorm(_ x: Matrix<Scalar>, _ norm: ModelParameters<Scalar>.Norm)
        -> (output: Matrix<Scalar>, cache: NormCache<Scalar>) {
        LayerNorm.forward(x, parameters: norm, epsilon: LayerNorm.defaultEpsilon)
    }

    /// ∂L/∂x, ∂L/∂γ, ∂L/∂β of `layerNorm`.
    @inlinable
    public static func layerNormBackward(_ cache: NormCache<Scalar>, _ norm: ModelParameters<Scalar>.Norm,
                                         outputGradient: Matrix<Scalar>) -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Norm) {
        LayerNorm.backward(cache: cache, parameters: norm, outputGradient: outputGradient)
    }

    /// torch's multi-head attention, with dropout p on its weights drawn from `generator`.
    @inlinable
    public static func attention(query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>,
                                 _ parameters: ModelParameters<Scalar>.Attention, heads: Int, batch: Int,
                                 keyPaddingMask: [Bool]?, causal: Bool, dropout p: Double,
                                 generator: inout MersenneTwister) -> (output: Matrix<Scalar>, cache: AttentionCache<Scalar>) {
        MultiHeadAttention.forward(query: query, key: key, value: value, parameters: parameters, heads: heads, batch: batch,
                                   keyPaddingMask: keyPaddingMask, causal: causal, dropout: p, generator: &generator)
    }

    /// The gradients of the query, key, value and the four parameter tensors of `attention`.
    @inlinable
    public static func attentionBackward(_ cache: AttentionCache<Scalar>, _ parameters: ModelParameters<Scalar>.Attention,
                                         outputGradient: Matrix<Scalar>)
        -> (query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Attention) {
        let g = MultiHeadAttention.backward(cache: cache, parameters: parameters, outputGradient: outputGradient)
        return (g.query, g.key, g.value, g.parameters)
    }

    /// Each row divided by its L2 norm.
    @inlinable
    public static func rowNormalize(_ x: Matrix<Scalar>) -> Matrix<Scalar> { RowNormalize.forward(x) }

    /// ∂L/∂x of `rowNormalize` at x.
    @inlinable
    public static func rowNormalizeBackward(_ x: Matrix<Scalar>, outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
        RowNormalize.backward(x, outputGradient: outputGradient)
    }

    /// CLOT's feature dispatching f' = FD(F; A, α, β) (Eq. 1–2) of B stacked videos;
    /// `fixedMask` holds the hard argmax mask (nil: computed).
    @inlinable
    public static func featureDispatching(_ features: Matrix<Scalar>, actions: Matrix<Scalar>, parameters: DispatchParameters<Scalar>,
                                          batch: Int, frameMask: [Bool]?, settings: DispatchSettings,
                                          fixedMask: [Int]?) -> (output: Matrix<Scalar>, cache: DispatchCache<Scalar>) {
        FeatureDispatching.forward(features, actions: actions, parameters: parameters, batch: batch, frameMask: frameMask,
                                   settings: settings, fixedMask: fixedMask)
    }

    /// ∂L/∂F, ∂L/∂A, ∂L/∂α and ∂L/∂β of `featureDispatching`, the hard mask held.
    @inlinable
    public static func featureDispatchingBackward(cache: DispatchCache<Scalar>, outputGradient: Matrix<Scalar>) -> DispatchGradients<Scalar> {
        FeatureDispatching.backward(cache: cache, outputGradient: outputGradient)
    }

    /// CLOT's refinement F_R = rownorm(F + softmax(F Sᵀ/√D/τ_r) S) (Eq. 3) of B stacked videos.
    @inlinable
    public static func refinement(features: Matrix<Scalar>, segments: Matrix<Scalar>, temperature: Double,
                                  batch: Int) -> (output: Matrix<Scalar>, cache: RefinementCache<Scalar>) {
        CrossAttentionRefinement.forward(features: features, segments: segments, temperature: Scalar(temperature), batch: batch)
    }

    /// ∂L/∂F and ∂L/∂S of `refinement`.
    @inlinable
    public static func refinementBackward(cache: RefinementCache<Scalar>, outputGradient: Matrix<Scalar>) -> RefinementGradients<Scalar> {
        CrossAttentionRefinement.backward(cache: cache, outputGradient: outputGradient)
    }
}
