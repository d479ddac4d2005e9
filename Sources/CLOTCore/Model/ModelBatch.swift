/// One batch of model inputs: B videos of T frames (padded, masked) stacked as (B·T) × d_in.
/// Both backends' `CLOTModel.Batch` are this type (Double in Reference, Float in Optimized).
public struct ModelBatch<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var features: Matrix<Scalar>
    /// B·T flags, true on real frames.
    public var mask: [Bool]
    public var videos: Int

    public init(features: Matrix<Scalar>, mask: [Bool], videos: Int) {
        precondition(features.rows == mask.count && features.rows % videos == 0, "one mask flag per frame, equal lengths")
        self.features = features
        self.mask = mask
        self.videos = videos
    }

    /// Padded frames per video, T.
    public var frames: Int { features.rows / videos }
}

/// The three stage losses of CLOT (Eq. 13) and their sum; stages that do not run count 0.
public struct StageLosses<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    public var frames: Scalar, segments: Scalar, refined: Scalar
    public init(frames: Scalar, segments: Scalar, refined: Scalar) {
        self.frames = frames
        self.segments = segments
        self.refined = refined
    }
    public var total: Scalar { frames + segments + refined }
}

/// The result of k-means: centres (K × D), each point's cluster, the inertia, the iterations run.
public struct KMeansResult<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var centers: Matrix<Scalar>
    public var assignments: [Int]
    public var inertia: Double
    public var iterations: Int
    public init(centers: Matrix<Scalar>, assignments: [Int], inertia: Double, iterations: Int) {
        self.centers = centers
        self.assignments = assignments
        self.inertia = inertia
        self.iterations = iterations
    }
}
