/// The arithmetic a backend supplies to the model's wiring: every layer's forward and backward
/// on `Matrix<Scalar>`, and the few matrix sums the wiring itself needs. The wiring (which layer
/// feeds which, which cache keeps what, in which order dropout masks are drawn) is written once,
/// generic over this protocol: `FrameEncoder`, `SegmentDecoder` and `ModelForward`. `Reference.Arithmetic`
/// conforms in Double with plain loops, `Optimized.Arithmetic` in Float32 on the fixed-order
/// sgemm; each requirement's equation is in the doc comment of the backend's layer it calls.
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
    /// a + b, elementwise.
    static func add(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) -> Matrix<Scalar>
    /// a ← a + b, elementwise.
    static func addInPlace(_ a: inout Matrix<Scalar>, _ b: Matrix<Scalar>)
    /// a ← a + b + c, elementwise, in the backend's order of summation (Reference a + (b + c),
    /// Optimized (a + b) + c: the two orders each backend's results are recorded with).
    static func addInPlace(_ a: inout Matrix<Scalar>, _ b: Matrix<Scalar>, _ c: Matrix<Scalar>)
    /// Σ_b x[b·rows ..< (b + 1)·rows] (rows × D), summed from zero in video order.
    static func summedOverVideos(_ x: Matrix<Scalar>, batch: Int, rows: Int) -> Matrix<Scalar>

    // MARK: Layers

    /// y = x Wᵀ + b.
    static func linear(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense) -> Matrix<Scalar>
    /// ∂L/∂x and ∂L/∂W, ∂L/∂b of `linear`.
    static func linearBackward(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense,
                               outputGradient: Matrix<Scalar>) -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense)
    /// ∂L/∂W and ∂L/∂b of `linear` alone (an input that needs no gradient: the raw features).
    static func linearParameterGradients(_ x: Matrix<Scalar>, _ layer: ModelParameters<Scalar>.Dense,
                                         outputGradient: Matrix<Scalar>) -> ModelParameters<Scalar>.Dense
    /// max(x, 0).
    static func relu(_ x: Matrix<Scalar>) -> Matrix<Scalar>
    /// g ← g ⊙ 1[x > 0].
    static func reluBackward(_ x: Matrix<Scalar>, outputGradient g: inout Matrix<Scalar>)
    /// Inverted dropout with probability p, its mask drawn from `generator`; p = 0 draws
    /// nothing and returns x and no mask.
    static func dropout(_ x: Matrix<Scalar>, probability p: Double,
                        generator: inout MersenneTwister) -> (output: Matrix<Scalar>, mask: Matrix<Scalar>?)
    /// ∂L/∂x = ∂L/∂y ⊙ M (nil: the identity).
    static func dropoutBackward(_ g: Matrix<Scalar>, mask: Matrix<Scalar>?) -> Matrix<Scalar>
    /// LayerNorm over each row, then γ and β.
    static func layerNorm(_ x: Matrix<Scalar>, _ norm: ModelParameters<Scalar>.Norm) -> (output: Matrix<Scalar>, cache: NormCache<Scalar>)
    /// ∂L/∂x, ∂L/∂γ, ∂L/∂β of `layerNorm`.
    static func layerNormBackward(_ cache: NormCache<Scalar>, _ norm: ModelParameters<Scalar>.Norm,
                                  outputGradient: Matrix<Scalar>) -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Norm)
    /// torch's multi-head attention, with dropout p on its weights drawn from `generator`.
    static func attention(query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>,
                          _ parameters: ModelParameters<Scalar>.Attention, heads: Int, batch: Int,
                          keyPaddingMask: [Bool]?, causal: Bool, dropout p: Double,
                          generator: inout MersenneTwister) -> (output: Matrix<Scalar>, cache: AttentionCache<Scalar>)
    /// The gradients of the query, key, value and the four parameter tensors of `attention`.
    static func attentionBackward(_ cache: AttentionCache<Scalar>, _ parameters: ModelParameters<Scalar>.Attention,
                                  outputGradient: Matrix<Scalar>)
        -> (query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Attention)
    /// Each row divided by its L2 norm.
    static func rowNormalize(_ x: Matrix<Scalar>) -> Matrix<Scalar>
    /// ∂L/∂x of `rowNormalize` at x.
    static func rowNormalizeBackward(_ x: Matrix<Scalar>, outputGradient: Matrix<Scalar>) -> Matrix<Scalar>
    /// CLOT's feature dispatching f' = FD(F; A, α, β) (Eq. 1–2) of B stacked videos;
    /// `fixedMask` holds the hard argmax mask (nil: computed).
    static func featureDispatching(_ features: Matrix<Scalar>, actions: Matrix<Scalar>, parameters: DispatchParameters<Scalar>,
                                   batch: Int, frameMask: [Bool]?, settings: DispatchSettings,
                                   fixedMask: [Int]?) -> (output: Matrix<Scalar>, cache: DispatchCache<Scalar>)
    /// CLOT's refinement F_R = rownorm(F + softmax(F Sᵀ/√D/τ_r) S) (Eq. 3) of B stacked videos.
    static func refinement(features: Matrix<Scalar>, segments: Matrix<Scalar>, temperature: Double,
                           batch: Int) -> (output: Matrix<Scalar>, cache: RefinementCache<Scalar>)
    /// ∂L/∂F and ∂L/∂S of `refinement`.
    static func refinementBackward(cache: RefinementCache<Scalar>, outputGradient: Matrix<Scalar>) -> RefinementGradients<Scalar>
    /// ∂L/∂F, ∂L/∂A, ∂L/∂α and ∂L/∂β of `featureDispatching`, the hard mask held.
    static func featureDispatchingBackward(cache: DispatchCache<Scalar>, outputGradient: Matrix<Scalar>) -> DispatchGradients<Scalar>
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
