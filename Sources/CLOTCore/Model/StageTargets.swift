/// The pseudo-labels of CLOT's three stages (transport plans, rows as the corresponding
/// features: T for F, T_S for S, T_R for F_R); they carry no gradient. Both backends'
/// `CLOTModel.Targets` are this type.
public struct StageTargets<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var frames: Matrix<Scalar>
    public var segments: Matrix<Scalar>?
    public var refined: Matrix<Scalar>?
    /// Targets made elsewhere (e.g. the official solver's, recorded in a golden fixture, or the
    /// other backend's, rounded), to hold the losses and gradients to another implementation's on
    /// equal pseudo-labels.
    public init(frames: Matrix<Scalar>, segments: Matrix<Scalar>? = nil, refined: Matrix<Scalar>? = nil) {
        self.frames = frames
        self.segments = segments
        self.refined = refined
    }
}
