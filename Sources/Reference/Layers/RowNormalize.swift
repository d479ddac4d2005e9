import CLOTCore

extension Reference {
    /// Row-wise L2 normalisation, torch's `F.normalize(x, dim=-1)` (the encoder's output,
    /// CLOT Eq. 1; the action embeddings at every step; the refined features, Eq. 12):
    ///
    ///     y_r = x_r / max(‖x_r‖₂, 1e-12)
    ///
    /// Rows are independent: a batch is one (B·N) × D matrix.
    public enum RowNormalize: RowNormalizeLayer {
        /// The floor on the norm, torch's default `eps`.
        public static let epsilon = 1e-12

        /// y_r = x_r / max(‖x_r‖, ε).
        /// - Parameters:
        ///   - x: R × D.
        /// - Returns: R × D; rows of unit norm, except rows with ‖x_r‖ < ε, which are x_r / ε.
        public static func forward(_ x: Matrix<Double>) -> Matrix<Double> {
            var y = x
            for r in 0..<x.rows {
                let scale = 1 / max(norm(x, row: r), epsilon)
                for c in 0..<x.columns { y[r, c] = x[r, c] * scale }
            }
            return y
        }

        /// The gradient through the normalisation. With ν = ‖x_r‖ and y_r = x_r/ν,
        ///
        ///     ∂L/∂x_r = (∂L/∂y_r − y_r ⟨y_r, ∂L/∂y_r⟩) / ν     when ν > ε
        ///     ∂L/∂x_r = ∂L/∂y_r / ε                            when ν ≤ ε (the clamp is constant)
        ///
        /// - Parameters:
        ///   - x: the forward input, R × D.
        ///   - outputGradient: ∂L/∂y, R × D.
        public static func backward(_ x: Matrix<Double>, outputGradient dy: Matrix<Double>) -> Matrix<Double> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = dy
            for r in 0..<x.rows {
                let nu = norm(x, row: r)
                if nu > epsilon {
                    var dot = 0.0
                    for c in 0..<x.columns { dot += x[r, c] / nu * dy[r, c] }
                    for c in 0..<x.columns { dx[r, c] = (dy[r, c] - x[r, c] / nu * dot) / nu }
                } else {
                    for c in 0..<x.columns { dx[r, c] = dy[r, c] / epsilon }
                }
            }
            return dx
        }

        static func norm(_ x: Matrix<Double>, row r: Int) -> Double {
            var sum = 0.0
            for c in 0..<x.columns { sum += x[r, c] * x[r, c] }
            return sum.squareRoot()
        }
    }
}
