/// The layers a backend supplies to the model's wiring, one protocol per layer: the API that
/// `Reference.Linear` and `Optimized.Linear` (and so on for each layer) share, stated once.
/// A backend's namespace (`Reference`, `Optimized`) conforms to `LayerArithmetic` through its
/// layers of these names; each layer's equation is in the doc comment of Reference's.

/// y = x Wᵀ + b (torch `nn.Linear`).
public protocol LinearLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(_ x: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense) -> Matrix<Scalar>
    static func backward(_ x: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense, outputGradient: Matrix<Scalar>)
        -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense)
    /// ∂L/∂W and ∂L/∂b alone, for an input that needs no gradient (the raw features).
    static func parameterGradients(_ x: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense,
                                   outputGradient: Matrix<Scalar>) -> ModelParameters<Scalar>.Dense
}

extension LinearLayer {
    /// The parameter half of `backward`.
    @inlinable
    public static func parameterGradients(_ x: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Dense,
                                          outputGradient: Matrix<Scalar>) -> ModelParameters<Scalar>.Dense {
        backward(x, parameters: parameters, outputGradient: outputGradient).parameters
    }
}

/// max(x, 0), elementwise.
public protocol ReLULayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar>
    static func backward(_ x: Matrix<Scalar>, outputGradient: Matrix<Scalar>) -> Matrix<Scalar>
    /// dx ← dx ⊙ 1[x > 0], in place.
    static func backward(_ x: Matrix<Scalar>, inPlace dx: inout Matrix<Scalar>)
}

extension ReLULayer {
    /// `backward(_:outputGradient:)`, assigned back.
    @inlinable
    public static func backward(_ x: Matrix<Scalar>, inPlace dx: inout Matrix<Scalar>) {
        dx = backward(x, outputGradient: dx)
    }
}

/// Inverted dropout, its mask drawn from the project's generator.
public protocol DropoutLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(_ x: Matrix<Scalar>, probability: Double, training: Bool,
                        generator: inout MersenneTwister) -> (output: Matrix<Scalar>, mask: Matrix<Scalar>?)
    static func backward(outputGradient: Matrix<Scalar>, mask: Matrix<Scalar>?) -> Matrix<Scalar>
}

/// torch `nn.LayerNorm` over each row, then γ and β.
public protocol LayerNormLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static var defaultEpsilon: Scalar { get }
    static func forward(_ x: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Norm,
                        epsilon: Scalar) -> (output: Matrix<Scalar>, cache: NormCache<Scalar>)
    static func backward(cache: NormCache<Scalar>, parameters: ModelParameters<Scalar>.Norm, outputGradient: Matrix<Scalar>)
        -> (input: Matrix<Scalar>, parameters: ModelParameters<Scalar>.Norm)
}

/// torch `nn.MultiheadAttention`, dropout on its weights.
public protocol AttentionLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>,
                        parameters: ModelParameters<Scalar>.Attention, heads: Int, batch: Int, keyPaddingMask: [Bool]?,
                        causal: Bool, dropout: Double, generator: inout MersenneTwister)
        -> (output: Matrix<Scalar>, cache: AttentionCache<Scalar>)
    static func backward(cache: AttentionCache<Scalar>, parameters: ModelParameters<Scalar>.Attention,
                         outputGradient: Matrix<Scalar>) -> AttentionGradients<Scalar>
}

/// Each row divided by its L2 norm.
public protocol RowNormalizeLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar>
    static func backward(_ x: Matrix<Scalar>, outputGradient: Matrix<Scalar>) -> Matrix<Scalar>
}

/// CLOT's feature dispatching (Eq. 1–2).
public protocol DispatchLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(_ features: Matrix<Scalar>, actions: Matrix<Scalar>, parameters: DispatchParameters<Scalar>,
                        batch: Int, frameMask: [Bool]?, settings: DispatchSettings,
                        fixedMask: [Int]?) -> (output: Matrix<Scalar>, cache: DispatchCache<Scalar>)
    static func backward(cache: DispatchCache<Scalar>, outputGradient: Matrix<Scalar>) -> DispatchGradients<Scalar>
}

/// CLOT's refinement by cross-attention (Eq. 3).
public protocol RefinementLayer {
    associatedtype Scalar: BinaryFloatingPoint & Codable & Sendable
    static func forward(features: Matrix<Scalar>, segments: Matrix<Scalar>, temperature: Scalar,
                        batch: Int) -> (output: Matrix<Scalar>, cache: RefinementCache<Scalar>)
    static func backward(cache: RefinementCache<Scalar>, outputGradient: Matrix<Scalar>) -> RefinementGradients<Scalar>
}
