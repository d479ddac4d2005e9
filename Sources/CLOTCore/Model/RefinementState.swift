/// The state of CLOT's refinement by cross-attention (paper Eq. 3, Documentation/Method.md §5)
/// that both backends share: what its forward pass keeps for the backward, and its gradients.
/// `Reference.CrossAttentionRefinement` and `Optimized.CrossAttentionRefinement` name these types
/// `Cache` and `Gradients`; the arithmetic of W = softmax(F Sᵀ/√D/τ_r), F_R = rownorm(F + W S)
/// and its derivative is each backend's.
///
/// Batch convention: B videos stacked by rows; F is (B·T) × D, S is (B·n_seg) × D (video b,
/// segment j is row b·n_seg + j), W is (B·T) × n_seg.
public struct RefinementCache<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var batch: Int
    public var temperature: Scalar
    /// The inputs F ((B·T) × D) and S ((B·n_seg) × D).
    public var features: Matrix<Scalar>, segments: Matrix<Scalar>
    /// The attention weights W, (B·T) × n_seg; each row sums to 1 (the module's second return
    /// value).
    public var weights: Matrix<Scalar>
    /// F + W S before the normalisation, (B·T) × D.
    public var unnormalised: Matrix<Scalar>

    public init(batch: Int, temperature: Scalar, features: Matrix<Scalar>, segments: Matrix<Scalar>,
                weights: Matrix<Scalar>, unnormalised: Matrix<Scalar>) {
        self.batch = batch; self.temperature = temperature
        self.features = features; self.segments = segments
        self.weights = weights; self.unnormalised = unnormalised
    }

    /// (T, n_seg), after checking the forward pass's inputs: equal widths, τ_r > 0, both row
    /// counts multiples of B, at least one segment per video. A failed check is a precondition
    /// failure naming the shapes.
    public static func shape(features: Matrix<Scalar>, segments: Matrix<Scalar>, temperature: Scalar,
                             batch: Int) -> (frames: Int, segments: Int) {
        let d = features.columns
        precondition(segments.columns == d, "segments have width \(segments.columns), features \(d)")
        precondition(temperature > 0, "temperature must be positive")
        precondition(batch > 0 && features.rows % batch == 0 && segments.rows % batch == 0,
                     "rows are not \(batch) videos")
        let t = features.rows / batch, n = segments.rows / batch
        precondition(n > 0, "at least one segment per video")
        return (t, n)
    }
}

/// The gradients of both inputs of the refinement.
public struct RefinementGradients<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// ∂L/∂F, (B·T) × D.
    public var features: Matrix<Scalar>
    /// ∂L/∂S, (B·n_seg) × D.
    public var segments: Matrix<Scalar>

    public init(features: Matrix<Scalar>, segments: Matrix<Scalar>) {
        self.features = features
        self.segments = segments
    }
}
