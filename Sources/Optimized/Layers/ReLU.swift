import CLOTCore

extension Optimized {
    /// y = max(x, 0) in Float32; the same API as `Reference.ReLU` (∂y/∂x = 0 at x = 0, as torch).
    /// Both passes are branch-free selects, eight lanes at a time (the signs of a layer's
    /// pre-activations are a coin toss, so a branch per element mispredicts half the time).
    public enum ReLU: ReLULayer {
        public static func forward(_ x: Matrix<Float>) -> Matrix<Float> {
            // Written into a fresh buffer in one pass (no copy of x first, which the caller keeps).
            let elements = [Float](unsafeUninitializedCapacity: x.elements.count) { out, initialized in
                x.elements.withUnsafeBufferPointer { xp in
                    guard let source = xp.baseAddress, let base = out.baseAddress else { return }
                    keepWherePositive(source, sign: source, into: base, count: xp.count)
                }
                initialized = x.elements.count
            }
            return Matrix(rows: x.rows, columns: x.columns, elements: elements)
        }

        /// ∂L/∂x = ∂L/∂y ⊙ [x > 0].
        public static func backward(_ x: Matrix<Float>, outputGradient dy: Matrix<Float>) -> Matrix<Float> {
            var dx = dy
            backward(x, inPlace: &dx)
            return dx
        }

        /// ∂L/∂y ← ∂L/∂y ⊙ [x > 0], in the gradient's own buffer (no copy when the caller owns it).
        public static func backward(_ x: Matrix<Float>, inPlace dx: inout Matrix<Float>) {
            precondition(x.rows == dx.rows && x.columns == dx.columns, "shapes differ")
            x.elements.withUnsafeBufferPointer { xp in
                dx.elements.withUnsafeMutableBufferPointer { p in
                    guard let base = p.baseAddress, let xs = xp.baseAddress else { return }
                    keepWherePositive(base, sign: xs, into: base, count: p.count)
                }
            }
        }

        /// out[i] = values[i] where sign[i] > 0, else 0, eight lanes at a time (`out` may be
        /// `values`: each entry is read before it is written).
        @inline(__always)
        static func keepWherePositive(_ values: UnsafePointer<Float>, sign: UnsafePointer<Float>,
                                      into out: UnsafeMutablePointer<Float>, count: Int) {
            let source = UnsafeRawPointer(values), signs = UnsafeRawPointer(sign), raw = UnsafeMutableRawPointer(out)
            var i = 0
            while i + 8 <= count {
                let v = signs.advanced(by: i * 4).loadUnaligned(as: Float8.self)
                let g = source.advanced(by: i * 4).loadUnaligned(as: Float8.self)
                raw.advanced(by: i * 4).storeBytes(of: g.replacing(with: 0, where: .!(v .> 0)), as: Float8.self)
                i += 8
            }
            while i < count {
                out[i] = sign[i] > 0 ? values[i] : 0
                i += 1
            }
        }
    }
}
