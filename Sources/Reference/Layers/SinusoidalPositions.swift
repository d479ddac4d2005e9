import CLOTCore
import RealModule

extension Reference {
    /// The sinusoidal position code of the Transformer [Vaswani et al. 2017], the CLOT
    /// decoder's memory positions (METHOD.md §5, a choice: the bundled `PositionalEncoding`
    /// mis-shapes its input and stops at 3000 frames; this one has no length limit):
    ///
    ///     PE[pos, 2i]     = sin(pos / 10000^(2i/D))
    ///     PE[pos, 2i + 1] = cos(pos / 10000^(2i/D))
    ///
    /// For odd D the last column is a sine. No parameters, so no backward.
    ///
    /// [Vaswani et al. 2017]: https://arxiv.org/abs/1706.03762
    public enum SinusoidalPositions {
        /// PE for positions 0..<length.
        /// - Returns: length × D.
        public static func forward(length: Int, dimension d: Int) -> Matrix<Double> {
            precondition(length >= 0 && d >= 0, "length and dimension must be non-negative")
            var pe = Matrix<Double>.zeros(length, d)
            for pos in 0..<length {
                for c in 0..<d {
                    let i2 = Double(c - c % 2)
                    let angle = Double(pos) / pow(10_000, i2 / Double(d))
                    pe[pos, c] = c % 2 == 0 ? Double.sin(angle) : Double.cos(angle)
                }
            }
            return pe
        }
    }
}
