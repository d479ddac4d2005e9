import CLOTCore

extension Optimized {
    /// Inverted dropout (torch semantics) in Float32; the same API as `Reference.Dropout` and
    /// the same draws: one 32-bit `MersenneTwister` word per element, row-major, kept when
    /// u ≥ ⌈p·2³²⌉, so one seed gives the same mask in both implementations (the scale
    /// 1/(1 − p) is rounded to Float here).
    public enum Dropout {
        /// Scale factors (0 or 1/(1 − p)), rows × columns; p = 0 gives ones and draws nothing.
        public static func mask(rows: Int, columns: Int, probability p: Double,
                                generator: inout MersenneTwister) -> Matrix<Float> {
            precondition(p >= 0 && p <= 1, "dropout probability must lie in [0, 1], got \(p)")
            if p == 0 { return Matrix(rows: rows, columns: columns, repeating: 1) }
            let threshold = UInt64((p * 4_294_967_296.0).rounded(.up))
            let kept = p == 1 ? 0 : Float(1 / (1 - p))
            // A select, not a branch: at p = 0.5 a branch per element mispredicts half the time.
            var elements = [Float](repeating: 0, count: rows * columns)
            elements.withUnsafeMutableBufferPointer { mp in
                for i in 0..<mp.count { mp[i] = UInt64(generator.nextUInt32()) >= threshold ? kept : 0 }
            }
            return Matrix(rows: rows, columns: columns, elements: elements)
        }

        /// Training with p > 0: draws and applies a mask; otherwise the identity, no draws.
        public static func forward(_ x: Matrix<Float>, probability p: Double, training: Bool,
                                   generator: inout MersenneTwister) -> (output: Matrix<Float>, mask: Matrix<Float>?) {
            guard training && p > 0 else { return (x, nil) }
            let m = mask(rows: x.rows, columns: x.columns, probability: p, generator: &generator)
            return (forward(x, mask: m), m)
        }

        /// y = x ⊙ M (nil: identity).
        public static func forward(_ x: Matrix<Float>, mask m: Matrix<Float>?) -> Matrix<Float> {
            guard let m else { return x }
            precondition(m.rows == x.rows && m.columns == x.columns, "mask shape differs from the input's")
            var y = x
            m.elements.withUnsafeBufferPointer { mp in
                y.elements.withUnsafeMutableBufferPointer { yp in
                    for i in 0..<yp.count { yp[i] *= mp[i] }
                }
            }
            return y
        }

        /// ∂L/∂x = ∂L/∂y ⊙ M.
        public static func backward(outputGradient dy: Matrix<Float>, mask m: Matrix<Float>?) -> Matrix<Float> {
            forward(dy, mask: m)
        }
    }
}
