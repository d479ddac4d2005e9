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
            precondition(length >= 0 && d >= 0, "length and dimension must be non-negative")
            var pe = Matrix<Float>.zeros(length, d)
            let frequencies = (0..<d).map { c in 1 / Glibc.pow(10_000.0, Double(c - c % 2) / Double(d)) }
            pe.elements.withUnsafeMutableBufferPointer { p in
                for pos in 0..<length {
                    for c in 0..<d {
                        let angle = Double(pos) * frequencies[c]
                        p[pos * d + c] = Float(c % 2 == 0 ? Glibc.sin(angle) : Glibc.cos(angle))
                    }
                }
            }
            return pe
        }
    }
}
