/// What the backward pass of torch's `nn.LayerNorm` needs from its forward pass, shared by
/// `Reference.LayerNorm` and `Optimized.LayerNorm` (which name it `Cache`). Rows are
/// independent: a batch is one R × D matrix.
public struct NormCache<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// x̂ (R × D): the rows centred and scaled, before γ and β.
    public var normalized: Matrix<Scalar>
    /// 1/√(σ²_r + ε) per row.
    public var inverseStandardDeviation: [Scalar]

    public init(normalized: Matrix<Scalar>, inverseStandardDeviation: [Scalar]) {
        (self.normalized, self.inverseStandardDeviation) = (normalized, inverseStandardDeviation)
    }
}
