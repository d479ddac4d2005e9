import CLOTCore

extension Reference {
    /// A fully connected layer with torch's `nn.Linear` layout (CLOT Eq. 1's MLP, the decoder's
    /// FFN and every attention projection):
    ///
    ///     y = x Wᵀ + b,     W: out × in,  b: out
    ///
    /// Batch convention: rows are independent, so a batch of B sequences of N frames is one
    /// (B·N) × in matrix (sequence b, frame t is row b·N + t).
    public enum Linear: LinearLayer {
        /// W (out × in, torch layout) and b (out). The gradients of a layer have the same shape.
        public typealias Parameters = ModelParameters<Double>.Dense

        /// y = x Wᵀ + b.
        /// - Parameters:
        ///   - x: R × in.
        ///   - parameters: W (out × in), b (out).
        /// - Returns: R × out.
        /// - Complexity: O(R · in · out).
        public static func forward(_ x: Matrix<Double>, parameters: Parameters) -> Matrix<Double> {
            let w = parameters.weight
            precondition(x.columns == w.columns, "input has \(x.columns) features, layer expects \(w.columns)")
            var y = Matrix<Double>.zeros(x.rows, w.rows)
            for r in 0..<x.rows {
                for o in 0..<w.rows {
                    var sum = parameters.bias[o]
                    for i in 0..<w.columns { sum += x[r, i] * w[o, i] }
                    y[r, o] = sum
                }
            }
            return y
        }

        /// The gradients of y = x Wᵀ + b, given ∂L/∂y:
        ///
        ///     ∂L/∂x = ∂L/∂y · W,   ∂L/∂W = (∂L/∂y)ᵀ · x,   ∂L/∂b = Σ_rows ∂L/∂y
        ///
        /// - Parameters:
        ///   - x: the forward input, R × in.
        ///   - parameters: the forward parameters.
        ///   - outputGradient: ∂L/∂y, R × out.
        /// - Returns: ∂L/∂x (R × in) and ∂L/∂(W, b) in the parameters' shape.
        public static func backward(_ x: Matrix<Double>, parameters: Parameters,
                                    outputGradient dy: Matrix<Double>) -> (input: Matrix<Double>, parameters: Parameters) {
            let w = parameters.weight
            precondition(x.columns == w.columns && dy.columns == w.rows && dy.rows == x.rows, "shapes differ")
            var dx = Matrix<Double>.zeros(x.rows, w.columns)
            var dw = Matrix<Double>.zeros(w.rows, w.columns)
            var db = [Double](repeating: 0, count: w.rows)
            for r in 0..<x.rows {
                for o in 0..<w.rows {
                    let g = dy[r, o]
                    db[o] += g
                    for i in 0..<w.columns {
                        dx[r, i] += g * w[o, i]
                        dw[o, i] += g * x[r, i]
                    }
                }
            }
            return (dx, Parameters(weight: dw, bias: db))
        }
    }
}
