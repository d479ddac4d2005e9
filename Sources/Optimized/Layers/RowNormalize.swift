import CLOTCore

extension Optimized {
    /// y_r = x_r / max(‖x_r‖₂, 1e-12) (torch `F.normalize`) in Float32; the same API as
    /// `Reference.RowNormalize`. Norms are accumulated in Float (rows are D ≤ a few thousand wide).
    public enum RowNormalize {
        public static let epsilon: Float = 1e-12

        public static func forward(_ x: Matrix<Float>) -> Matrix<Float> {
            var y = x
            let d = x.columns
            y.elements.withUnsafeMutableBufferPointer { p in
                for r in 0..<x.rows {
                    let row = p.baseAddress! + r * d
                    var sum: Float = 0
                    for c in 0..<d { sum += row[c] * row[c] }
                    let scale = 1 / max(sum.squareRoot(), epsilon)
                    for c in 0..<d { row[c] *= scale }
                }
            }
            return y
        }

        /// ∂L/∂x_r = (∂L/∂y_r − y_r⟨y_r, ∂L/∂y_r⟩)/‖x_r‖, or ∂L/∂y_r/ε below the clamp.
        public static func backward(_ x: Matrix<Float>, outputGradient dy: Matrix<Float>) -> Matrix<Float> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = dy
            let d = x.columns
            x.elements.withUnsafeBufferPointer { xp in
                dx.elements.withUnsafeMutableBufferPointer { gp in
                    for r in 0..<x.rows {
                        let xr = xp.baseAddress! + r * d, g = gp.baseAddress! + r * d
                        var sum: Float = 0
                        for c in 0..<d { sum += xr[c] * xr[c] }
                        let nu = sum.squareRoot()
                        if nu > epsilon {
                            let inverse = 1 / nu
                            var dot: Float = 0
                            for c in 0..<d { dot += xr[c] * g[c] }
                            let projection = dot * inverse * inverse
                            for c in 0..<d { g[c] = (g[c] - xr[c] * projection) * inverse }
                        } else {
                            for c in 0..<d { g[c] /= epsilon }
                        }
                    }
                }
            }
            return dx
        }
    }
}
