/// The state of CLOT's feature dispatching (Eq. 1–2, Documentation/Method.md §2) that both
/// backends share: its two learnable scalars, what its forward pass keeps for the backward, and
/// its gradients. `Reference.FeatureDispatching` and `Optimized.FeatureDispatching` name these
/// types `Parameters`, `Cache` and `Gradients`; the arithmetic (Eq. 1–2 and their derivatives)
/// is each backend's.
///
/// Batch convention: B videos of equal (padded) length T stacked by rows, F is (B·T) × D
/// (video b, frame t is row b·T + t); per-video K × T quantities (Z, S) are stacked (B·K) × T,
/// row b·K + k.

/// The two learnable scalars of the sigmoid S = σ(β + α Z) (torch's `sim_alpha`, `sim_beta`).
/// Their gradients come back in the same shape.
public struct DispatchParameters<Scalar: BinaryFloatingPoint & Sendable>: Equatable, Sendable {
    public var alpha: Scalar
    public var beta: Scalar

    /// The released initialisation is α = 1, β = 0.
    public init(alpha: Scalar = 1, beta: Scalar = 0) {
        self.alpha = alpha
        self.beta = beta
    }
}

/// The forward pass's intermediate values; the backward holds the hard mask as stored here.
public struct DispatchCache<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var batch: Int
    public var settings: DispatchSettings
    public var parameters: DispatchParameters<Scalar>
    /// The inputs F ((B·T) × D) and A (K × D).
    public var features: Matrix<Scalar>, actions: Matrix<Scalar>
    /// Z = A Fᵀ per video, (B·K) × T.
    public var products: Matrix<Scalar>
    /// S = σ(β + α Z) per video, (B·K) × T.
    public var similarity: Matrix<Scalar>
    /// The hard mask m as the argmax cluster of each frame (B·T entries): m_kt = 1 iff
    /// k = assignments[b·T + t]. Pass it back as `fixedMask` to repeat it.
    public var assignments: [Int]
    /// Whether each frame (B·T) enters g_k's sums and counts (false: padding, masked).
    public var counted: [Bool]
    /// Σ_t m_kt + 1 per video and cluster, B·K entries (index b·K + k).
    public var counts: [Scalar]
    /// g_k per video, (B·K) × D.
    public var aggregated: Matrix<Scalar>
    /// u = f + Σ_k S g before the optional renormalisation, (B·T) × D.
    public var unnormalised: Matrix<Scalar>

    public init(batch: Int, settings: DispatchSettings, parameters: DispatchParameters<Scalar>,
                features: Matrix<Scalar>, actions: Matrix<Scalar>, products: Matrix<Scalar>, similarity: Matrix<Scalar>,
                assignments: [Int], counted: [Bool], counts: [Scalar], aggregated: Matrix<Scalar>, unnormalised: Matrix<Scalar>) {
        self.batch = batch; self.settings = settings; self.parameters = parameters
        self.features = features; self.actions = actions; self.products = products; self.similarity = similarity
        self.assignments = assignments; self.counted = counted; self.counts = counts
        self.aggregated = aggregated; self.unnormalised = unnormalised
    }

    /// T, after checking the forward pass's inputs: A is K × D with K ≥ 1, F is B videos of
    /// T rows of width D, the frame mask (if any) has B·T flags and a fixed mask (if any) B·T
    /// cluster indices in 0..<K. A failed check is a precondition failure naming the shapes.
    public static func frames(features: Matrix<Scalar>, actions: Matrix<Scalar>, batch: Int,
                              frameMask: [Bool]?, fixedMask: [Int]?) -> Int {
        let d = features.columns, k = actions.rows
        precondition(actions.columns == d, "actions have width \(actions.columns), features \(d)")
        precondition(k > 0, "at least one action embedding")
        precondition(batch > 0 && features.rows % batch == 0, "\(features.rows) rows are not \(batch) videos")
        let t = features.rows / batch
        precondition(frameMask == nil || frameMask!.count == batch * t, "frame mask needs B·T = \(batch * t) flags")
        if let fixed = fixedMask {
            precondition(fixed.count == batch * t && fixed.allSatisfy { (0..<k).contains($0) },
                         "fixed mask needs B·T cluster indices in 0..<\(k)")
        }
        return t
    }

    /// Whether each of the B·T frames enters the sums and counts: all of them, unless the
    /// settings mask padding and `frameMask` marks a frame as padding.
    public static func countedFrames(_ count: Int, frameMask: [Bool]?, settings: DispatchSettings) -> [Bool] {
        (0..<count).map { !settings.maskPadding || (frameMask?[$0] ?? true) }
    }
}

/// The gradients of every input and parameter of feature dispatching.
public struct DispatchGradients<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// ∂L/∂F, (B·T) × D: every frame, padded ones included.
    public var features: Matrix<Scalar>
    /// ∂L/∂A, K × D, summed over the batch.
    public var actions: Matrix<Scalar>
    /// ∂L/∂α and ∂L/∂β, summed over the batch.
    public var parameters: DispatchParameters<Scalar>

    public init(features: Matrix<Scalar>, actions: Matrix<Scalar>, parameters: DispatchParameters<Scalar>) {
        self.features = features
        self.actions = actions
        self.parameters = parameters
    }
}
