import CLOTCore

extension Optimized {
    /// torch `nn.MultiheadAttention` in Float32; the same API, batch convention and masks as
    /// `Reference.MultiHeadAttention` (queries (B·S) × D, keys/values (B·N) × D, key padding
    /// mask true = ignore, optional causal mask, optional dropout on the weights).
    ///
    /// Goals, in order: 1. agree with `Reference.MultiHeadAttention` within Float32 rounding;
    /// 2. every product one sgemm, with no copies: a head's q_h is the column block
    /// [h·d_h, (h+1)·d_h) of q, passed to sgemm by a buffer offset with leading dimension D,
    /// and the packed in-projection's W_q, W_k, W_v are row blocks of W_in passed the same way;
    /// transposes (k_hᵀ, Ãᵀ, ∂Zᵀ) are sgemm flags; 3. one S × N scratch reused across heads.
    public enum MultiHeadAttention: AttentionLayer {
        /// in_proj_weight (3D × D), in_proj_bias (3D), out_proj weight (D × D) and bias (D).
        public typealias Parameters = ModelParameters<Float>.Attention

        /// The forward pass's intermediate values (`AttentionCache`, with the head-averaged
        /// `weights` torch returns) and the gradients of every input and parameter.
        public typealias Cache = AttentionCache<Float>
        public typealias Gradients = AttentionGradients<Float>

        /// The attention output O, (B·S) × D, and the cache for `backward`.
        /// - Parameters: as `Reference.MultiHeadAttention.forward`.
        public static func forward(query: Matrix<Float>, key: Matrix<Float>, value: Matrix<Float>,
                                   parameters: Parameters, heads: Int = 8, batch: Int = 1,
                                   keyPaddingMask: [Bool]? = nil, causal: Bool = false,
                                   dropoutMask: Matrix<Float>? = nil) -> (output: Matrix<Float>, cache: Cache) {
            let d = parameters.dimension
            precondition(heads > 0 && d % heads == 0, "width \(d) is not a multiple of \(heads) heads")
            precondition(batch > 0 && query.rows % batch == 0 && key.rows % batch == 0, "rows are not B sequences")
            precondition(query.columns == d && key.columns == d && value.columns == d, "inputs must have width \(d)")
            precondition(value.rows == key.rows, "keys and values differ in length")
            precondition(keyPaddingMask == nil || keyPaddingMask!.count == key.rows, "key padding mask needs B·N flags")
            let s = query.rows / batch, n = key.rows / batch, width = d / heads
            if let m = dropoutMask { precondition(m.rows == batch * heads * s && m.columns == n, "dropout mask needs (B·H·S) × N") }
            let scale = 1 / Float(width).squareRoot()

            let q = project(query, part: 0, parameters), k = project(key, part: 1, parameters)
            let v = project(value, part: 2, parameters)

            var probabilities = Matrix<Float>.uninitialized(batch * heads * s, n)
            var context = Matrix<Float>.uninitialized(batch * s, d)
            var dropped = [Float](repeating: 0, count: dropoutMask == nil ? 0 : s * n)
            q.elements.withUnsafeBufferPointer { qp in
            k.elements.withUnsafeBufferPointer { kp in
            v.elements.withUnsafeBufferPointer { vp in
            probabilities.elements.withUnsafeMutableBufferPointer { pp in
            context.elements.withUnsafeMutableBufferPointer { cp in
            dropped.withUnsafeMutableBufferPointer { scratch in
                for b in 0..<batch {
                    for h in 0..<heads {
                        let block = pp.from((b * heads + h) * s * n)
                        // Z_h = q_h k_hᵀ / √d_h: S × N.
                        gemm(transposeB: true, m: s, n: n, k: width, alpha: scale,
                             qp.from(b * s * d + h * width), lda: d, kp.from(b * n * d + h * width), ldb: d,
                             block, ldc: n)
                        if let mask = keyPaddingMask {
                            for j in 0..<n where mask[b * n + j] { for i in 0..<s { block[i * n + j] = -.infinity } }
                        }
                        if causal {
                            for i in 0..<s where i + 1 < n { for j in (i + 1)..<n { block[i * n + j] = -.infinity } }
                        }
                        for i in 0..<s { _ = softmaxRow(block.baseAddress! + i * n, count: n, scale: 1) }
                        // Ã_h = A_h ⊙ R when dropping out.
                        var weights = block.readOnly
                        if let mask = dropoutMask {
                            mask.elements.withUnsafeBufferPointer { mp in
                                let offset = (b * heads + h) * s * n
                                multiply(block.baseAddress!, mp.baseAddress! + offset, into: scratch.baseAddress!, count: s * n)
                            }
                            weights = scratch.readOnly
                        }
                        // C_h = Ã_h v_h: S × d_h into columns [h·d_h, (h+1)·d_h) of the context.
                        gemm(m: s, n: width, k: n, weights, lda: n, vp.from(b * n * d + h * width), ldb: d,
                             cp.from(b * s * d + h * width), ldc: d)
                    }
                }
            }}}}}}

            let output = Linear.forward(context, parameters: Linear.Parameters(weight: parameters.outWeight, bias: parameters.outBias))
            return (output, Cache(batch: batch, heads: heads, query: query, key: key, value: value,
                                  projectedQuery: q, projectedKey: k, projectedValue: v,
                                  probabilities: probabilities, dropoutMask: dropoutMask, context: context))
        }

        /// `forward` with dropout p on the attention weights, drawn by `Dropout.mask` in
        /// (b, h, s, n) order from `generator` (the same draws as Reference's).
        public static func forward(query: Matrix<Float>, key: Matrix<Float>, value: Matrix<Float>,
                                   parameters: Parameters, heads: Int = 8, batch: Int = 1,
                                   keyPaddingMask: [Bool]? = nil, causal: Bool = false,
                                   dropout p: Double, generator: inout MersenneTwister) -> (output: Matrix<Float>, cache: Cache) {
            var mask: Matrix<Float>? = nil
            if p > 0 {
                let rows = batch * heads * (batch > 0 ? query.rows / batch : 0)
                mask = Dropout.mask(rows: rows, columns: batch > 0 ? key.rows / batch : 0, probability: p, generator: &generator)
            }
            return forward(query: query, key: key, value: value, parameters: parameters, heads: heads, batch: batch,
                           keyPaddingMask: keyPaddingMask, causal: causal, dropoutMask: mask)
        }

        /// The gradients of Q, K, V and all four parameter tensors (equations in
        /// `Reference.MultiHeadAttention.backward`), every product one sgemm on head blocks.
        public static func backward(cache: Cache, parameters: Parameters, outputGradient g: Matrix<Float>) -> Gradients {
            let d = parameters.dimension, heads = cache.heads, batch = cache.batch
            let s = cache.query.rows / batch, n = cache.key.rows / batch, width = d / heads
            let scale = 1 / Float(width).squareRoot()
            precondition(g.rows == batch * s && g.columns == d, "output gradient needs (B·S) × D")
            let out = Linear.backward(cache.context, parameters: Linear.Parameters(weight: parameters.outWeight, bias: parameters.outBias),
                                      outputGradient: g)
            var dq = Matrix<Float>.uninitialized(batch * s, d)
            var dk = Matrix<Float>.uninitialized(batch * n, d), dv = Matrix<Float>.uninitialized(batch * n, d)
            var dz = [Float](repeating: 0, count: s * n)
            var dropped = [Float](repeating: 0, count: cache.dropoutMask == nil ? 0 : s * n)
            out.input.elements.withUnsafeBufferPointer { gc in
            cache.projectedQuery.elements.withUnsafeBufferPointer { qp in
            cache.projectedKey.elements.withUnsafeBufferPointer { kp in
            cache.projectedValue.elements.withUnsafeBufferPointer { vp in
            cache.probabilities.elements.withUnsafeBufferPointer { pp in
            dq.elements.withUnsafeMutableBufferPointer { dqp in
            dk.elements.withUnsafeMutableBufferPointer { dkp in
            dv.elements.withUnsafeMutableBufferPointer { dvp in
            dz.withUnsafeMutableBufferPointer { dzp in
            dropped.withUnsafeMutableBufferPointer { scratch in
                for b in 0..<batch {
                    for h in 0..<heads {
                        let offset = (b * heads + h) * s * n
                        let block = pp.from(offset)
                        let queryColumns = b * s * d + h * width, keyColumns = b * n * d + h * width
                        // ∂Ã_h = ∂C_h v_hᵀ (S × N).
                        gemm(transposeB: true, m: s, n: n, k: width, gc.from(queryColumns), lda: d,
                             vp.from(keyColumns), ldb: d, dzp, ldc: n)
                        var weights = block
                        if let mask = cache.dropoutMask {
                            mask.elements.withUnsafeBufferPointer { mp in
                                multiply(block.baseAddress!, mp.baseAddress! + offset, into: scratch.baseAddress!, count: s * n)
                                // ∂A_h = ∂Ã_h ⊙ R
                                multiply(dzp.baseAddress!, mp.baseAddress! + offset, into: dzp.baseAddress!, count: s * n)
                            }
                            weights = scratch.readOnly
                        }
                        // ∂v_h = Ã_hᵀ ∂C_h (N × d_h).
                        gemm(transposeA: true, m: n, n: width, k: s, weights, lda: n, gc.from(queryColumns), ldb: d,
                             dvp.from(keyColumns), ldc: d)
                        // ∂Z_h = A_h ⊙ (∂A_h − rowsum(∂A_h ⊙ A_h)), in place.
                        softmaxBackwardRows(block.baseAddress!, dzp.baseAddress!, rows: s, count: n, scale: 1)
                        // ∂q_h = ∂Z_h k_h / √d_h,  ∂k_h = ∂Z_hᵀ q_h / √d_h.
                        gemm(m: s, n: width, k: n, alpha: scale, dzp.readOnly, lda: n, kp.from(keyColumns), ldb: d,
                             dqp.from(queryColumns), ldc: d)
                        gemm(transposeA: true, m: n, n: width, k: s, alpha: scale, dzp.readOnly, lda: n,
                             qp.from(queryColumns), ldb: d, dkp.from(keyColumns), ldc: d)
                    }
                }
            }}}}}}}}}}

            // In-projection: ∂X_part = ∂part · W_part, ∂W_part = ∂partᵀ X_part, into row blocks of ∂W_in.
            var dInWeight = Matrix<Float>.uninitialized(3 * d, d)
            var dInBias: [Float] = []
            var inputGradients: [Matrix<Float>] = []
            parameters.inWeight.elements.withUnsafeBufferPointer { w in
                dInWeight.elements.withUnsafeMutableBufferPointer { dw in
                    for (part, (input, gradient)) in [(cache.query, dq), (cache.key, dk), (cache.value, dv)].enumerated() {
                        var dx = Matrix<Float>.uninitialized(input.rows, d)
                        input.elements.withUnsafeBufferPointer { x in
                            gradient.elements.withUnsafeBufferPointer { gp in
                                dx.elements.withUnsafeMutableBufferPointer { dxp in
                                    dInBias += Linear.affineBackward(x, rows: input.rows, inputs: d, weight: w.from(part * d * d),
                                                                     outputs: d, outputGradient: gp, input: dxp,
                                                                     weight: dw.from(part * d * d), accumulate: false)
                                }
                            }
                        }
                        inputGradients.append(dx)
                    }
                }
            }
            return Gradients(query: inputGradients[0], key: inputGradients[1], value: inputGradients[2],
                             parameters: Parameters(inWeight: dInWeight, inBias: dInBias,
                                                    outWeight: out.parameters.weight, outBias: out.parameters.bias))
        }

        /// X W_partᵀ + b_part for part 0 (query), 1 (key), 2 (value) of the packed in-projection,
        /// W_part passed to sgemm as a row block of W_in (no copy).
        static func project(_ x: Matrix<Float>, part: Int, _ parameters: Parameters) -> Matrix<Float> {
            let d = parameters.dimension
            var y = Matrix<Float>.uninitialized(x.rows, d)
            parameters.inWeight.elements.withUnsafeBufferPointer { w in
                parameters.inBias.withUnsafeBufferPointer { bias in
                    x.elements.withUnsafeBufferPointer { xp in
                        y.elements.withUnsafeMutableBufferPointer { yp in
                            Linear.affine(xp, rows: x.rows, inputs: d, weight: w.from(part * d * d),
                                          bias: bias.from(part * d), outputs: d, into: yp)
                        }
                    }
                }
            }
            return y
        }
    }
}
