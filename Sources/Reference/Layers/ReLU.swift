import CLOTCore

extension Reference {
    /// The rectifier of the encoder MLP (CLOT Eq. 1) and the decoder FFN:
    ///
    ///     y = max(x, 0),     ∂y/∂x = 1 if x > 0, else 0 (torch's choice at x = 0)
    ///
    /// Elementwise, so any batch layout works.
    public enum ReLU: ReLULayer {
        /// y = max(x, 0), elementwise.
        public static func forward(_ x: Matrix<Double>) -> Matrix<Double> {
            x.map { $0 > 0 ? $0 : 0 }
        }

        /// ∂L/∂x = ∂L/∂y ⊙ [x > 0].
        /// - Parameters:
        ///   - x: the forward input.
        ///   - outputGradient: ∂L/∂y, the shape of x.
        public static func backward(_ x: Matrix<Double>, outputGradient dy: Matrix<Double>) -> Matrix<Double> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = dy
            for i in 0..<x.elements.count where !(x.elements[i] > 0) { dx.elements[i] = 0 }
            return dx
        }
    }
}
