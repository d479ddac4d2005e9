import CLOTCore

extension Optimized {
    /// P = softmax(x/τ) per row in Float32 with the 8-lane exp; the same API as
    /// `Reference.SoftmaxWithTemperature`.
    public enum SoftmaxWithTemperature {
        public static func forward(_ x: Matrix<Float>, temperature tau: Float = 1) -> Matrix<Float> {
            precondition(tau > 0, "temperature must be positive")
            var p = x
            let k = x.columns
            p.elements.withUnsafeMutableBufferPointer { pp in
                for r in 0..<x.rows { _ = softmaxRow(pp.baseAddress! + r * k, count: k, scale: 1 / tau) }
            }
            return p
        }

        /// ∂L/∂x_rk = P_rk (∂L/∂P_rk − Σ_j P_rj ∂L/∂P_rj) / τ.
        public static func backward(probabilities p: Matrix<Float>, outputGradient dp: Matrix<Float>,
                                    temperature tau: Float = 1) -> Matrix<Float> {
            precondition(p.rows == dp.rows && p.columns == dp.columns, "shapes differ")
            var dx = dp
            let k = p.columns
            p.elements.withUnsafeBufferPointer { pp in
                dx.elements.withUnsafeMutableBufferPointer { gp in
                    softmaxBackwardRows(pp.baseAddress!, gp.baseAddress!, rows: p.rows, count: k, scale: 1 / tau)
                }
            }
            return dx
        }
    }
}
