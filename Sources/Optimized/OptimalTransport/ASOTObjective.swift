import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The objective of `Reference.asotObjective` on item `item`'s plan, given its fused cost,
    /// and the gradient ∇ written into the item's gradient buffer; returns (objective, max ∇).
    /// One pass over the entries computes both logs (eight lanes at a time).
    static func objectiveAndGradient(_ w: ASOTWorkspace, item: Int, dx: Float, dy: Float,
                                     settings s: ASOTSettings) -> (Float, Float) {
        let n = w.frames, k = w.clusters, size = n * k
        let t = w.item(w.plans, item), g = w.item(w.fused, item), grad = w.item(w.gradients, item)
        let eps = Float(s.epsilon)
        var fgw = SIMD8<Double>(), entropy = SIMD8<Double>()
        var i = 0
        while i + 8 <= size {
            let tv = loadFloat8(t, i), gv = loadFloat8(g, i)
            fgw += SIMD8<Double>(gv * tv)
            entropy += SIMD8<Double>(-tv * vlog(tv + 1e-10) + tv)
            storeFloat8(gv - (-vlog(tv + 1e-12) * eps), grad, i)
            i += 8
        }
        var fgwTail = 0.0, entropyTail = 0.0
        while i < size {
            fgwTail += Double(g[i] * t[i])
            entropyTail += Double(-t[i] * logf(t[i] + 1e-10) + t[i])
            grad[i] = g[i] - (-logf(t[i] + 1e-12) * eps)
            i += 1
        }
        var penalty = 0.0
        if s.framesUnbalanced {
            massOfRows(t, n, k, into: w.rowMass)
            let lambda = Float(s.lambdaFrames)
            for r in 0..<n {
                let mass = w.rowMass[r]
                penalty += Double(lambda * (mass * logf(mass / dx + 1e-10)))
                let term = lambda * (logf(mass / dx + 1e-12) + 1)
                for j in 0..<k { grad[r * k + j] += term }
            }
        }
        if s.actionsUnbalanced {
            massOfColumns(t, n, k, into: w.columnMass)
            let lambda = Float(s.lambdaActions)
            var kl: Float = 0
            for j in 0..<k {
                let mass = w.columnMass[j]
                kl += mass * logf(mass / dy + 1e-10)
                w.columnMass[j] = lambda * (logf(mass / dy + 1e-12) + 1)
            }
            penalty += Double(kl * lambda)
            for r in 0..<n { for j in 0..<k { grad[r * k + j] += w.columnMass[j] } }
        }
        var largest = -Float.infinity
        for j in 0..<size { largest = max(largest, grad[j]) }
        let objective = 0.5 * (fgw.sum() + fgwTail) + penalty - s.epsilon * (entropy.sum() + entropyTail)
        return (Float(objective), largest)
    }

    static func massOfRows(_ t: UnsafeMutableBufferPointer<Float>, _ n: Int, _ k: Int, into out: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<n {
            var sum: Float = 0
            for j in 0..<k { sum += t[i * k + j] }
            out[i] = sum
        }
    }

    static func massOfColumns(_ t: UnsafeMutableBufferPointer<Float>, _ n: Int, _ k: Int, into out: UnsafeMutableBufferPointer<Float>) {
        for j in 0..<k { out[j] = 0 }
        for i in 0..<n { for j in 0..<k { out[j] += t[i * k + j] } }
    }
}
