/// The state of torch's multi-head attention (the CLOT decoder's self- and cross-attention,
/// paper §3.3) that both backends share: what the forward pass keeps for the backward, and
/// the gradients. `Reference.MultiHeadAttention` and `Optimized.MultiHeadAttention` name these
/// types `Cache` and `Gradients`; the arithmetic is each backend's.
///
/// Batch convention: B sequences stacked by rows; queries are (B·S) × D, keys and values
/// (B·N) × D; per-head S × N quantities are stacked (B·H·S) × N, row (b·H + h)·S + s.
public struct AttentionCache<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    public var batch: Int, heads: Int
    /// The inputs Q ((B·S) × D), K and V ((B·N) × D).
    public var query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>
    /// The projections q, k, v.
    public var projectedQuery: Matrix<Scalar>, projectedKey: Matrix<Scalar>, projectedValue: Matrix<Scalar>
    /// A_h before dropout, per head: (B·H·S) × N, row (b·H + h)·S + s. Rows sum to 1
    /// (0 for a query with every key masked); masked keys get exactly 0.
    public var probabilities: Matrix<Scalar>
    /// The dropout scale factors, the shape of `probabilities` (nil: no dropout).
    public var dropoutMask: Matrix<Scalar>?
    /// concat_h(dropout(A_h) v_h): (B·S) × D, before the out-projection.
    public var context: Matrix<Scalar>

    public init(batch: Int, heads: Int, query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>,
                projectedQuery: Matrix<Scalar>, projectedKey: Matrix<Scalar>, projectedValue: Matrix<Scalar>,
                probabilities: Matrix<Scalar>, dropoutMask: Matrix<Scalar>?, context: Matrix<Scalar>) {
        (self.batch, self.heads) = (batch, heads)
        (self.query, self.key, self.value) = (query, key, value)
        (self.projectedQuery, self.projectedKey, self.projectedValue) = (projectedQuery, projectedKey, projectedValue)
        (self.probabilities, self.dropoutMask, self.context) = (probabilities, dropoutMask, context)
    }

    /// The attention weights averaged over heads, (B·S) × N, as torch returns them with
    /// `average_attn_weights=True`: (1/H) Σ_h dropout(A_h), after dropout as torch does, so
    /// without dropout each row sums to 1 (0 for a query with every key masked).
    public var weights: Matrix<Scalar> {
        let s = query.rows / batch, n = probabilities.columns
        var w = Matrix<Scalar>.zeros(batch * s, n)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<s {
                    let row = (b * heads + h) * s + i
                    for j in 0..<n {
                        w[b * s + i, j] += probabilities[row, j] * (dropoutMask?[row, j] ?? 1) / Scalar(heads)
                    }
                }
            }
        }
        return w
    }
}

/// The gradients of every input and parameter of a multi-head attention.
public struct AttentionGradients<Scalar: BinaryFloatingPoint & Codable & Sendable>: Sendable {
    public var query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>
    /// ∂L/∂W_in, ∂L/∂b_in, ∂L/∂W_out, ∂L/∂b_out, in the parameters' own shape.
    public var parameters: ModelParameters<Scalar>.Attention

    public init(query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>,
                parameters: ModelParameters<Scalar>.Attention) {
        (self.query, self.key, self.value, self.parameters) = (query, key, value, parameters)
    }
}
