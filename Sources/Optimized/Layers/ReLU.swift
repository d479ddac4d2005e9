import CLOTCore

extension Optimized {
    /// y = max(x, 0) in Float32; the same API as `Reference.ReLU` (∂y/∂x = 0 at x = 0, as torch).
    public enum ReLU {
        public static func forward(_ x: Matrix<Float>) -> Matrix<Float> {
            var y = x
            y.elements.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = p[i] > 0 ? p[i] : 0 }
            }
            return y
        }

        /// ∂L/∂x = ∂L/∂y ⊙ [x > 0].
        public static func backward(_ x: Matrix<Float>, outputGradient dy: Matrix<Float>) -> Matrix<Float> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = dy
            x.elements.withUnsafeBufferPointer { xp in
                dx.elements.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { p[i] = xp[i] > 0 ? p[i] : 0 }
                }
            }
            return dx
        }
    }
}
