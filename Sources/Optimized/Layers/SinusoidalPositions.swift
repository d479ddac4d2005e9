#if canImport(Glibc)
import Glibc
#endif
import CLOTCore

extension Optimized {
    /// The sinusoidal position code PE[pos, 2i] = sin(pos/10000^(2i/D)), PE[pos, 2i+1] =
    /// cos(…) (Vaswani et al. 2017), any length; the same API as `Reference.SinusoidalPositions`.
    /// The angles are formed and evaluated in Double and rounded once to Float: a Float angle
    /// pos·ω loses about pos·2⁻²⁴ radians (6e-4 at pos = 10⁴), which would be visible for long
    /// videos. It costs one sin or cos per entry, once per length (the caller can keep it).
    public enum SinusoidalPositions {
        public static func forward(length: Int, dimension d: Int) -> Matrix<Float> {
            precondition(length >= 0, "length must be non-negative")
            return forward(positions: (0..<length).map(Double.init), dimension: d)
        }

        /// PE for the given (possibly fractional) positions, one row each.
        public static func forward(positions: [Double], dimension d: Int) -> Matrix<Float> {
            precondition(d >= 0, "dimension must be non-negative")
            var pe = Matrix<Float>.zeros(positions.count, d)
            let frequencies = (0..<d).map { c in 1 / Glibc.pow(10_000.0, Double(c - c % 2) / Double(d)) }
            pe.elements.withUnsafeMutableBufferPointer { p in
                for (row, pos) in positions.enumerated() {
                    for c in 0..<d {
                        let angle = pos * frequencies[c]
                        p[row * d + c] = Float(c % 2 == 0 ? Glibc.sin(angle) : Glibc.cos(angle))
                    }
                }
            }
            return pe
        }
    }
}
