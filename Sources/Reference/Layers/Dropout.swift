import CLOTCore

extension Reference {
    /// Inverted dropout with torch's semantics (`nn.Dropout`, at the six sites of the CLOT
    /// decoder — the attention weights of both attentions, after each attention, inside the FFN
    /// and after it — and after the encoder's hidden ReLUs with the choice `encoder-dropout`):
    /// in training each element is kept with probability 1 − p and
    /// scaled by 1/(1 − p), otherwise zeroed; in inference, or with p = 0, it is the identity.
    ///
    ///     y = x ⊙ M,   M_i = 1/(1 − p) with probability 1 − p, else 0
    ///
    /// The mask M comes from the project's seeded `MersenneTwister`, one raw 32-bit word per
    /// element in row-major order: element i is kept when its word u satisfies u ≥ ⌈p·2³²⌉, so
    /// P(keep) = 1 − p to within 2⁻³². `Optimized.Dropout` draws the same words with the same
    /// test, so the same seed gives the same mask in both implementations. (torch's own
    /// generator cannot be reproduced here; only the distribution matches.) p = 1 zeroes
    /// everything, as torch does. Elementwise, so any batch layout works.
    public enum Dropout: DropoutLayer {
        /// A mask of scale factors (0 or 1/(1 − p)), `rows × columns`, drawn row-major.
        /// p = 0 returns all ones and consumes no draws.
        /// - Precondition: 0 ≤ p ≤ 1.
        public static func mask(rows: Int, columns: Int, probability p: Double,
                                generator: inout MersenneTwister) -> Matrix<Double> {
            precondition(p >= 0 && p <= 1, "dropout probability must lie in [0, 1], got \(p)")
            if p == 0 { return Matrix(rows: rows, columns: columns, repeating: 1) }
            let threshold = keepThreshold(p)
            let kept = p == 1 ? 0 : 1 / (1 - p)
            var m = Matrix<Double>.zeros(rows, columns)
            for i in 0..<m.elements.count where UInt64(generator.nextUInt32()) >= threshold {
                m.elements[i] = kept
            }
            return m
        }

        /// ⌈p·2³²⌉: the smallest 32-bit word that keeps an element.
        public static func keepThreshold(_ p: Double) -> UInt64 {
            UInt64((p * 4_294_967_296.0).rounded(.up))
        }

        /// Dropout in training (`training: true`, p > 0): draws a mask and applies it. In
        /// inference or with p = 0 it returns x unchanged and no mask, consuming no draws.
        /// - Returns: y and the mask to hand to `backward` (nil when it was the identity).
        public static func forward(_ x: Matrix<Double>, probability p: Double, training: Bool,
                                   generator: inout MersenneTwister) -> (output: Matrix<Double>, mask: Matrix<Double>?) {
            guard training && p > 0 else { return (x, nil) }
            let m = mask(rows: x.rows, columns: x.columns, probability: p, generator: &generator)
            return (forward(x, mask: m), m)
        }

        /// y = x ⊙ M with a given mask (nil: identity).
        public static func forward(_ x: Matrix<Double>, mask m: Matrix<Double>?) -> Matrix<Double> {
            guard let m else { return x }
            precondition(m.rows == x.rows && m.columns == x.columns, "mask shape differs from the input's")
            var y = x
            for i in 0..<y.elements.count { y.elements[i] *= m.elements[i] }
            return y
        }

        /// ∂L/∂x = ∂L/∂y ⊙ M, with the forward pass's mask (nil: identity).
        public static func backward(outputGradient dy: Matrix<Double>, mask m: Matrix<Double>?) -> Matrix<Double> {
            forward(dy, mask: m)
        }
    }
}
