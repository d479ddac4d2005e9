import CLOTCore
import RealModule

extension Reference {
    /// The sinusoidal position code of the Transformer [Vaswani et al. 2017], the layout of the
    /// released `transformer.py`'s `PositionalEncoding` (sines in even columns, cosines in odd
    /// ones), without its 3000-frame limit: the CLOT decoder's memory positions when the choice
    /// `memory-positions` is `sinusoid`. A position may be fractional (the choice
    /// `position-index` = `relative`):
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
            precondition(length >= 0, "length must be non-negative")
            return forward(positions: (0..<length).map(Double.init), dimension: d)
        }

        /// PE for the given positions, one row each.
        /// - Returns: positions.count × D.
        public static func forward(positions: [Double], dimension d: Int) -> Matrix<Double> {
            precondition(d >= 0, "dimension must be non-negative")
            var pe = Matrix<Double>.zeros(positions.count, d)
            for (row, pos) in positions.enumerated() {
                for c in 0..<d {
                    let i2 = Double(c - c % 2)
                    let angle = pos / pow(10_000, i2 / Double(d))
                    pe[row, c] = c % 2 == 0 ? Double.sin(angle) : Double.cos(angle)
                }
            }
            return pe
        }
    }
}
