import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The balanced projection exactly as the official `project_to_polytope_KL` computes it in
    /// float32, so that the balanced mode reproduces the official float32 plans, underflow
    /// included (see `Reference.balancedProjection` for the equations and why Double differs):
    ///
    ///     K = exp(−G/ε) ⊙ mask;  K ← K / max K            (max over the whole batch)
    ///     b = 1;  repeat: a = dx / (K b);  b = dy / (Kᵀ a)  (non-finite → 0)
    ///         if some |log a| or |log b| > threshold (batch-wide) and not the last iteration:
    ///             u += ε log a,  v += ε log b  (non-finite → 0);  K = exp((u + vᵀ − G)/ε) ⊙ mask;  b = 1
    ///     T = diag(a) K diag(b)
    ///
    /// When every kernel entry underflows (the official code then returns NaN), the kernel is
    /// built shifted by its largest exponent instead, so the plan stays finite.
    /// Reads the fused costs from `w.fused` and writes the plans into `w.plans`.
    static func officialSinkhorn(_ w: ASOTWorkspace, masks: [[Bool]], epsilon eps: Float, dx: [Float], dy: Float,
                                 iterations: Int, threshold: Float) {
        let n = w.frames, k = w.clusters
        buildKernel(w, masks: masks, epsilon: eps)
        for i in 0..<(w.batch * n) { w.u[i] = 0 }
        for j in 0..<(w.batch * k) { w.v[j] = 0; w.b[j] = 1 }
        for iteration in 0..<iterations {
            var unstable = false
            for item in 0..<w.batch {
                let kern = w.item(w.kernel, item)
                let a = UnsafeMutableBufferPointer(rebasing: w.a[(item * n)..<((item + 1) * n)])
                let b = UnsafeMutableBufferPointer(rebasing: w.b[(item * k)..<((item + 1) * k)])
                // a = K b, then dx / a
                gemm(m: n, n: 1, k: k, UnsafeBufferPointer(kern), lda: k, UnsafeBufferPointer(b), ldb: 1, a, ldc: 1)
                for i in 0..<n { a[i] = zeroIfNotFinite(dx[item] / a[i]) }
                // b = Kᵀ a, then dy / b
                gemm(transposeA: true, m: k, n: 1, k: n, UnsafeBufferPointer(kern), lda: k, UnsafeBufferPointer(a), ldb: 1, b, ldc: 1)
                for j in 0..<k { b[j] = zeroIfNotFinite(dy / b[j]) }
                for i in 0..<n where abs(logf(a[i])) > threshold { unstable = true }
                for j in 0..<k where abs(logf(b[j])) > threshold { unstable = true }
            }
            if unstable && iteration != iterations - 1 {
                absorb(w, masks: masks, epsilon: eps)
            }
        }
        for item in 0..<w.batch {
            let kern = w.item(w.kernel, item), t = w.item(w.plans, item)
            for i in 0..<n {
                for j in 0..<k { t[i * k + j] = w.a[item * n + i] * kern[i * k + j] * w.b[item * k + j] }
            }
        }
    }

    /// K = exp(−G/ε) ⊙ mask, divided by its batch-wide maximum.
    private static func buildKernel(_ w: ASOTWorkspace, masks: [[Bool]], epsilon eps: Float) {
        let n = w.frames, k = w.clusters
        var largest: Float = 0
        var largestExponent = -Float.infinity
        for item in 0..<w.batch {
            let g = w.item(w.fused, item), kern = w.item(w.kernel, item)
            for i in 0..<n {
                for j in 0..<k {
                    let exponent = -g[i * k + j] / eps
                    kern[i * k + j] = masks[item][i] ? expf(exponent) : 0
                    if masks[item][i] { largestExponent = max(largestExponent, exponent) }
                    largest = max(largest, kern[i * k + j])
                }
            }
        }
        if largest > 0 {
            for i in 0..<w.kernel.count { w.kernel[i] /= largest }
            return
        }
        // Everything underflowed: shift by the largest exponent (the official result is NaN here).
        for item in 0..<w.batch {
            let g = w.item(w.fused, item), kern = w.item(w.kernel, item)
            for i in 0..<n where masks[item][i] {
                for j in 0..<k { kern[i * k + j] = expf(-g[i * k + j] / eps - largestExponent) }
            }
        }
    }

    /// Absorbs the scalings into the potentials and rebuilds the kernel from them.
    private static func absorb(_ w: ASOTWorkspace, masks: [[Bool]], epsilon eps: Float) {
        let n = w.frames, k = w.clusters
        for i in 0..<(w.batch * n) { w.u[i] = zeroIfNotFinite(w.u[i] + eps * logf(w.a[i])) }
        for j in 0..<(w.batch * k) { w.v[j] = zeroIfNotFinite(w.v[j] + eps * logf(w.b[j])) }
        for item in 0..<w.batch {
            let g = w.item(w.fused, item), kern = w.item(w.kernel, item)
            for i in 0..<n {
                for j in 0..<k {
                    kern[i * k + j] = masks[item][i]
                        ? expf((w.u[item * n + i] + w.v[item * k + j] - g[i * k + j]) / eps) : 0
                }
            }
        }
        for j in 0..<(w.batch * k) { w.b[j] = 1 }
    }
}
