import CLOTCore

extension Optimized {
    /// Inverted dropout (torch semantics) in Float32; the same API as `Reference.Dropout` and
    /// the same draws: one 32-bit `MersenneTwister` word per element, row-major, kept when
    /// u ≥ ⌈p·2³²⌉, so one seed gives the same mask in both implementations (the scale
    /// 1/(1 − p) is rounded to Float here).
    public enum Dropout: DropoutLayer {
        /// Scale factors (0 or 1/(1 − p)), rows × columns; p = 0 gives ones and draws nothing.
        public static func mask(rows: Int, columns: Int, probability p: Double,
                                generator: inout MersenneTwister) -> Matrix<Float> {
            precondition(p >= 0 && p <= 1, "dropout probability must lie in [0, 1], got \(p)")
            if p == 0 { return Matrix(rows: rows, columns: columns, repeating: 1) }
            let threshold = UInt64((p * 4_294_967_296.0).rounded(.up))
            let kept = p == 1 ? 0 : Float(1 / (1 - p))
            let count = rows * columns
            // Nothing kept when the threshold is 2³² (p within 2⁻³² of 1): every word is below it.
            guard threshold <= UInt64(UInt32.max) else { return Matrix(rows: rows, columns: columns, repeating: 0) }
            let bound = UInt32(threshold)
            // The words come in chunks from `MersenneTwister.fill` (the same words, in the same
            // order, as one `nextUInt32()` per element), and become scale factors eight at a
            // time by a lane select.
            let elements = [Float](unsafeUninitializedCapacity: count) { mp, initialized in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1024) { words in
                    let keptBits = SIMD8<UInt32>(repeating: kept.bitPattern), zero = SIMD8<UInt32>(repeating: 0)
                    let limit = SIMD8<UInt32>(repeating: bound)
                    var done = 0
                    while done < count {
                        let take = min(words.count, count - done)
                        generator.fill(UnsafeMutableBufferPointer(rebasing: words[0..<take]))
                        let source = UnsafeRawPointer(words.baseAddress!)
                        let target = UnsafeMutableRawPointer(mp.baseAddress! + done)
                        var j = 0
                        while j + 8 <= take {
                            let u = source.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<UInt32>.self)
                            let scale = zero.replacing(with: keptBits, where: u .>= limit)
                            target.storeBytes(of: scale, toByteOffset: 4 * j, as: SIMD8<UInt32>.self)
                            j += 8
                        }
                        while j < take {
                            mp[done + j] = words[j] >= bound ? kept : 0
                            j += 1
                        }
                        done += take
                    }
                }
                initialized = count
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
            // Into a fresh buffer in one pass (no copy of x first).
            let elements = [Float](unsafeUninitializedCapacity: x.elements.count) { yp, initialized in
                x.elements.withUnsafeBufferPointer { xp in
                    m.elements.withUnsafeBufferPointer { mp in
                        for i in 0..<xp.count { yp[i] = xp[i] * mp[i] }
                    }
                }
                initialized = x.elements.count
            }
            return Matrix(rows: x.rows, columns: x.columns, elements: elements)
        }

        /// ∂L/∂x = ∂L/∂y ⊙ M.
        public static func backward(outputGradient dy: Matrix<Float>, mask m: Matrix<Float>?) -> Matrix<Float> {
            forward(dy, mask: m)
        }
    }
}
