import CLOTCore

extension Optimized {
    /// CLOT's refinement by cross-attention (paper Eq. 3, `cross-att.py`) in Float32; the same API and
    /// batch convention as `Reference.CrossAttentionRefinement`, whose doc comment has the
    /// equations: W = softmax(F Sᵀ/√D/τ_r), F_R = rownorm(F + W S).
    ///
    /// Goals, in order: 1. agree with `Reference.CrossAttentionRefinement` within Float32
    /// rounding; 2. F Sᵀ, W S and, backward, ∂U Sᵀ, Wᵀ ∂U, ∂L S, ∂Lᵀ F one sgemm each per video,
    /// transposes as sgemm flags, the softmax and its backward in place on the 8-lane row
    /// kernels; 3. no allocation inside the per-video loop.
    public enum CrossAttentionRefinement: RefinementLayer {
        /// The forward pass's cache (`RefinementCache`: F, S, W and F + W S) and the gradients
        /// of F and S (`RefinementGradients`): the state both backends share.
        public typealias Cache = RefinementCache<Float>
        public typealias Gradients = RefinementGradients<Float>

        /// F_R = rownorm(F + softmax(F Sᵀ/√D/τ_r) S), per video.
        /// - Postconditions: unit rows (x / max(‖x‖, 1e-12)); each row of `cache.weights` sums to 1.
        /// - Edge Cases: one segment per video gives W = 1 and F_R = rownorm(F + S); bad shapes or
        ///   τ_r ≤ 0 are precondition failures.
        public static func forward(features: Matrix<Float>, segments: Matrix<Float>, temperature: Float,
                                   batch: Int = 1) -> (output: Matrix<Float>, cache: Cache) {
            let d = features.columns
            let (t, n) = Cache.shape(features: features, segments: segments, temperature: temperature, batch: batch)
            let scale = 1 / (Float(d).squareRoot() * temperature)

            var w = Matrix<Float>.uninitialized(batch * t, n)
            var u = features
            features.elements.withUnsafeBufferPointer { fp in
            segments.elements.withUnsafeBufferPointer { sp in
            w.elements.withUnsafeMutableBufferPointer { wp in
            u.elements.withUnsafeMutableBufferPointer { up in
                for b in 0..<batch {
                    let fb = fp.from(b * t * d), sb = sp.from(b * n * d), wb = wp.from(b * t * n)
                    // Logits F Sᵀ (T × n), softmaxed in place at scale 1/(√D τ_r).
                    gemm(transposeB: true, m: t, n: n, k: d, fb, lda: d, sb, ldb: d, wb, ldc: n)
                    for i in 0..<t { _ = softmaxRow(wb.baseAddress! + i * n, count: n, scale: scale) }
                    // U = F + W S, onto the copy of F.
                    gemm(m: t, n: d, k: n, wb.readOnly, lda: n, sb, ldb: d, beta: 1, up.from(b * t * d), ldc: d)
                }
            }}}}
            return (RowNormalize.forward(u), Cache(batch: batch, temperature: temperature, features: features,
                                                   segments: segments, weights: w, unnormalised: u))
        }

        /// The gradients of F and S (equations in `Reference.CrossAttentionRefinement.backward`).
        public static func backward(cache: Cache, outputGradient dy: Matrix<Float>) -> Gradients {
            let batch = cache.batch, d = cache.features.columns
            let t = cache.features.rows / batch, n = cache.segments.rows / batch
            precondition(dy.rows == cache.features.rows && dy.columns == d,
                         "output gradient needs (B·T) × D = \(cache.features.rows) × \(d)")
            let scale = 1 / (Float(d).squareRoot() * cache.temperature)
            let du = RowNormalize.backward(cache.unnormalised, outputGradient: dy)

            var df = du
            var dsegments = Matrix<Float>.uninitialized(cache.segments.rows, d)
            var dl = [Float](repeating: 0, count: t * n)
            cache.features.elements.withUnsafeBufferPointer { fp in
            cache.segments.elements.withUnsafeBufferPointer { sp in
            cache.weights.elements.withUnsafeBufferPointer { wp in
            du.elements.withUnsafeBufferPointer { dup in
            df.elements.withUnsafeMutableBufferPointer { dfp in
            dsegments.elements.withUnsafeMutableBufferPointer { dsp in
            dl.withUnsafeMutableBufferPointer { dlp in
                for b in 0..<batch {
                    let fb = fp.from(b * t * d), sb = sp.from(b * n * d), wb = wp.from(b * t * n)
                    let dub = dup.from(b * t * d), dfb = dfp.from(b * t * d), dsb = dsp.from(b * n * d)
                    // ∂W = ∂U Sᵀ (T × n); ∂S = Wᵀ ∂U (n × D).
                    gemm(transposeB: true, m: t, n: n, k: d, dub, lda: d, sb, ldb: d, dlp, ldc: n)
                    gemm(transposeA: true, m: n, n: d, k: t, wb, lda: n, dub, ldb: d, dsb, ldc: d)
                    // ∂L = W ⊙ (∂W − rowsum(W ⊙ ∂W)) / (√D τ_r), in place.
                    softmaxBackwardRows(wb.baseAddress!, dlp.baseAddress!, rows: t, count: n, scale: scale)
                    // ∂F += ∂L S (T × D); ∂S += ∂Lᵀ F (n × D).
                    gemm(m: t, n: d, k: n, dlp.readOnly, lda: n, sb, ldb: d, beta: 1, dfb, ldc: d)
                    gemm(transposeA: true, m: n, n: d, k: t, dlp.readOnly, lda: n, fb, ldb: d, beta: 1, dsb, ldc: d)
                }
            }}}}}}}
            return Gradients(features: df, segments: dsegments)
        }
    }
}
