import CLOTCore

extension Reference {
    /// Row-wise softmax at temperature τ: the cluster probabilities of every stage
    /// (Documentation/Method.md §5, P_x = softmax(x Aᵀ/τ), τ = 0.1) and the refinement's attention (Eq. 12).
    ///
    ///     P_rk = exp(x_rk/τ) / Σ_j exp(x_rj/τ)
    ///
    /// Computed as exp(x_rk/τ − max_j x_rj/τ) / Σ_j …, which is the same number without overflow.
    /// Rows are independent: a batch is one (B·N) × K matrix.
    public enum SoftmaxWithTemperature {
        /// P = softmax(x/τ) per row.
        /// - Parameters:
        ///   - x: R × K logits.
        ///   - temperature: τ > 0.
        /// - Returns: R × K; each row sums to 1.
        public static func forward(_ x: Matrix<Double>, temperature tau: Double = 1) -> Matrix<Double> {
            precondition(tau > 0, "temperature must be positive")
            var p = x
            for r in 0..<x.rows {
                var largest = -Double.infinity
                for k in 0..<x.columns { largest = max(largest, x[r, k] / tau) }
                var total = 0.0
                for k in 0..<x.columns {
                    p[r, k] = exp(x[r, k] / tau - largest)
                    total += p[r, k]
                }
                for k in 0..<x.columns { p[r, k] /= total }
            }
            return p
        }

        /// The gradient through the softmax (the Jacobian diag(P) − P Pᵀ per row, then 1/τ):
        ///
        ///     ∂L/∂x_rk = P_rk (∂L/∂P_rk − Σ_j P_rj ∂L/∂P_rj) / τ
        ///
        /// - Parameters:
        ///   - probabilities: the forward output P, R × K.
        ///   - outputGradient: ∂L/∂P, R × K.
        ///   - temperature: the forward τ.
        public static func backward(probabilities p: Matrix<Double>, outputGradient dp: Matrix<Double>,
                                    temperature tau: Double = 1) -> Matrix<Double> {
            precondition(p.rows == dp.rows && p.columns == dp.columns, "shapes differ")
            var dx = dp
            for r in 0..<p.rows {
                var dot = 0.0
                for k in 0..<p.columns { dot += p[r, k] * dp[r, k] }
                for k in 0..<p.columns { dx[r, k] = p[r, k] * (dp[r, k] - dot) / tau }
            }
            return dx
        }
    }
}
