import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// CLOT's feature dispatching (Eq. 1–2) in Float32; the same API, settings and batch
    /// convention as `Reference.FeatureDispatching`, whose doc comment has the equations.
    ///
    /// Goals, in order: 1. agree with `Reference.FeatureDispatching` within Float32 rounding
    /// (the hard mask is an argmax of S, so frames whose two best clusters are within Float
    /// rounding of each other may be assigned differently: pass `fixedMask` to compare at such
    /// points); 2. the products A Fᵀ, Sᵀ G and, backward, S ∂U, G ∂Uᵀ, ∂Z F, ∂Zᵀ A one sgemm
    /// each per video, transposes as sgemm flags; the masked aggregation Σ_t m_kt S_kt f_t is
    /// an O(T D) loop (one cluster per frame), not a K-times-larger product; 3. no allocation
    /// inside the per-video loop (backward's two K-sized scratch buffers are made once).
    public enum FeatureDispatching: DispatchLayer {
        /// The state both backends share (see `DispatchCache` for every field).
        public typealias Parameters = DispatchParameters<Float>
        public typealias Cache = DispatchCache<Float>
        public typealias Gradients = DispatchGradients<Float>

        /// Padding mask and renormalisation choices, shared by both backends.
        public typealias Settings = DispatchSettings

        /// f' = FD(F; A, α, β); parameters as `Reference.FeatureDispatching.forward`.
        /// - Postconditions: with `renormalise`, unit rows (a zero row stays zero); every frame
        ///   gets Σ_k S_kt g_k, padded ones included; `cache.assignments` holds the mask used.
        /// - Edge Cases: K = 1 sends every frame to cluster 0; argmax ties go to the lowest k; with
        ///   `maskPadding` a video all padding has g_k = a_k; bad shapes are precondition failures.
        public static func forward(_ features: Matrix<Float>, actions: Matrix<Float>,
                                   parameters: Parameters = Parameters(), batch: Int = 1,
                                   frameMask: [Bool]? = nil, settings: Settings = Settings(),
                                   fixedMask: [Int]? = nil) -> (output: Matrix<Float>, cache: Cache) {
            let d = features.columns, k = actions.rows
            let t = Cache.frames(features: features, actions: actions, batch: batch, frameMask: frameMask, fixedMask: fixedMask)
            let alpha = parameters.alpha, beta = parameters.beta

            var z = Matrix<Float>.zeros(batch * k, t), s = Matrix<Float>.zeros(batch * k, t)
            var assignments = [Int](repeating: 0, count: batch * t)
            let counted = Cache.countedFrames(batch * t, frameMask: frameMask, settings: settings)
            var counts = [Float](repeating: 1, count: batch * k)
            var g = Matrix<Float>.zeros(batch * k, d)
            var u = features
            features.elements.withUnsafeBufferPointer { fp in
            actions.elements.withUnsafeBufferPointer { ap in
            z.elements.withUnsafeMutableBufferPointer { zp in
            s.elements.withUnsafeMutableBufferPointer { sp in
            g.elements.withUnsafeMutableBufferPointer { gp in
            u.elements.withUnsafeMutableBufferPointer { up in
                for b in 0..<batch {
                    let fb = fp.from(b * t * d), zb = zp.from(b * k * t), sb = sp.from(b * k * t)
                    let gb = gp.from(b * k * d), ub = up.from(b * t * d)
                    // Z = A Fᵀ (K × T), then S = σ(β + α Z).
                    gemm(transposeB: true, m: k, n: t, k: d, ap, lda: d, fb, ldb: d, zb, ldc: t)
                    for e in 0..<(k * t) { sb[e] = sigmoid(beta + alpha * zb[e]) }
                    // The hard mask: argmax over k of each column, ties to the lowest k.
                    for j in 0..<t {
                        if let fixed = fixedMask {
                            assignments[b * t + j] = fixed[b * t + j]
                        } else {
                            var best = 0, bestValue = sb[j]
                            for c in 1..<k where sb[c * t + j] > bestValue {
                                best = c
                                bestValue = sb[c * t + j]
                            }
                            assignments[b * t + j] = best
                        }
                    }
                    // g_k = (a_k + Σ_t m_kt S_kt f_t) / (Σ_t m_kt + 1), one cluster per frame.
                    for e in 0..<(k * d) { gb[e] = ap[e] }
                    for j in 0..<t where counted[b * t + j] {
                        let c = assignments[b * t + j]
                        counts[b * k + c] += 1
                        let weight = sb[c * t + j]
                        let row = gb.baseAddress! + c * d, frame = fb.baseAddress! + j * d
                        for e in 0..<d { row[e] += weight * frame[e] }
                    }
                    for c in 0..<k {
                        let inverse = 1 / counts[b * k + c]
                        let row = gb.baseAddress! + c * d
                        for e in 0..<d { row[e] *= inverse }
                    }
                    // u = F + Sᵀ G (T × D), added onto the copy of F.
                    gemm(transposeA: true, m: t, n: d, k: k, sb.readOnly, lda: t, gb.readOnly, ldb: d,
                         beta: 1, ub, ldc: d)
                }
            }}}}}}
            let output = settings.renormalise ? RowNormalize.forward(u) : u
            return (output, Cache(batch: batch, settings: settings, parameters: parameters, features: features,
                                  actions: actions, products: z, similarity: s, assignments: assignments,
                                  counted: counted, counts: counts, aggregated: g, unnormalised: u))
        }

        /// The gradients with the hard mask held (equations in
        /// `Reference.FeatureDispatching.backward`). ∂α and ∂β are summed in Double: they are
        /// sums of B·K·T terms of both signs.
        public static func backward(cache: Cache, outputGradient dy: Matrix<Float>) -> Gradients {
            let batch = cache.batch, d = cache.features.columns, k = cache.actions.rows
            let t = cache.features.rows / batch
            precondition(dy.rows == cache.features.rows && dy.columns == d,
                         "output gradient needs (B·T) × D = \(cache.features.rows) × \(d)")
            let du = cache.settings.renormalise ? RowNormalize.backward(cache.unnormalised, outputGradient: dy) : dy
            let alpha = cache.parameters.alpha

            var df = du
            var da = Matrix<Float>.zeros(k, d)
            var dAlpha = 0.0, dBeta = 0.0
            var ds = [Float](repeating: 0, count: k * t), dn = [Float](repeating: 0, count: k * d)
            cache.features.elements.withUnsafeBufferPointer { fp in
            cache.actions.elements.withUnsafeBufferPointer { ap in
            cache.products.elements.withUnsafeBufferPointer { zp in
            cache.similarity.elements.withUnsafeBufferPointer { sp in
            cache.aggregated.elements.withUnsafeBufferPointer { gp in
            du.elements.withUnsafeBufferPointer { dup in
            df.elements.withUnsafeMutableBufferPointer { dfp in
            da.elements.withUnsafeMutableBufferPointer { dap in
            ds.withUnsafeMutableBufferPointer { dsp in
            dn.withUnsafeMutableBufferPointer { dnp in
                for b in 0..<batch {
                    let fb = fp.from(b * t * d), zb = zp.from(b * k * t), sb = sp.from(b * k * t)
                    let gb = gp.from(b * k * d), dub = dup.from(b * t * d), dfb = dfp.from(b * t * d)
                    // Redistribution: ∂G = S ∂U (K × D), ∂S = G ∂Uᵀ (K × T).
                    gemm(m: k, n: d, k: t, sb, lda: t, dub, ldb: d, dnp, ldc: d)
                    gemm(transposeB: true, m: k, n: t, k: d, gb, lda: d, dub, ldb: d, dsp, ldc: t)
                    // ∂N_k = ∂g_k / n_k; ∂a_k gets ∂N_k.
                    for c in 0..<k {
                        let inverse = 1 / cache.counts[b * k + c]
                        for e in 0..<d {
                            dnp[c * d + e] *= inverse
                            dap[c * d + e] += dnp[c * d + e]
                        }
                    }
                    // Aggregation, counted frames only, each with its held cluster.
                    for j in 0..<t where cache.counted[b * t + j] {
                        let c = cache.assignments[b * t + j]
                        let weight = sb[c * t + j]
                        let frame = fb.baseAddress! + j * d, gradient = dfb.baseAddress! + j * d
                        let row = dnp.baseAddress! + c * d
                        var dot: Float = 0
                        for e in 0..<d {
                            gradient[e] += weight * row[e]
                            dot += frame[e] * row[e]
                        }
                        dsp[c * t + j] += dot
                    }
                    // Through the sigmoid: ∂X = ∂S S (1 − S); ∂β, ∂α; then ∂Z = α ∂X in place.
                    for e in 0..<(k * t) {
                        let sv = sb[e]
                        let dx = dsp[e] * sv * (1 - sv)
                        dBeta += Double(dx)
                        dAlpha += Double(dx) * Double(zb[e])
                        dsp[e] = alpha * dx
                    }
                    // ∂A += ∂Z F (K × D), ∂F += ∂Zᵀ A (T × D).
                    gemm(m: k, n: d, k: t, dsp.readOnly, lda: t, fb, ldb: d, beta: 1, dap, ldc: d)
                    gemm(transposeA: true, m: t, n: d, k: k, dsp.readOnly, lda: t, ap, ldb: d, beta: 1, dfb, ldc: d)
                }
            }}}}}}}}}}
            return Gradients(features: df, actions: da, parameters: Parameters(alpha: Float(dAlpha), beta: Float(dBeta)))
        }

        /// σ(x) in Float, with no overflow on either side.
        @inline(__always)
        static func sigmoid(_ x: Float) -> Float {
            if x >= 0 { return 1 / (1 + expf(-x)) }
            let e = expf(x)
            return e / (1 + e)
        }
    }
}
