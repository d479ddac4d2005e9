import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// ∫₀¹ |F⁻¹(u) − G⁻¹(u)|^p du for two sorted samples.
    static func quantileDistancePower(_ xs: [Float], _ ys: [Float], p: Double) -> Double {
        let n = Double(xs.count), m = Double(ys.count)
        var i = 0, j = 0
        var position = 0.0, total = 0.0
        while i < xs.count && j < ys.count {
            let nextX = Double(i + 1) / n, nextY = Double(j + 1) / m
            let next = min(nextX, nextY)
            let gap = Double(abs(xs[i] - ys[j]))
            total += (next - position) * (p == 2 ? gap * gap : p == 1 ? gap : realPower(gap, p))
            position = next
            if nextX <= next { i += 1 }
            if nextY <= next { j += 1 }
        }
        return total
    }
}

@inline(__always) func realPower(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
