import CLOTCore

extension Reference {
    /// Multi-head scaled dot-product attention with torch's `nn.MultiheadAttention` semantics
    /// [Vaswani et al. 2017], the self- and cross-attention of the CLOT decoder (Documentation/Method.md §5,
    /// Documentation/Audit.md item 17). With D the width, H heads of width d_h = D/H, and the packed
    /// in-projection W_in = [W_q; W_k; W_v] (3D × D), b_in = [b_q; b_k; b_v]:
    ///
    ///     q = Q W_qᵀ + b_q,   k = K W_kᵀ + b_k,   v = V W_vᵀ + b_v
    ///     A_h = softmax(q_h k_hᵀ / √d_h + M)          (M_ij = −∞ where key j is masked)
    ///     O = concat_h(dropout(A_h) v_h) W_outᵀ + b_out
    ///
    /// A key is masked when `keyPaddingMask` is true for it (torch's convention: true means
    /// IGNORE; pass the inverse of an ASOT frame mask) or, with `causal`, when j > i (query i
    /// sees keys 0…i, the autoregressive decoder of supplement Table 5). A query with every key
    /// masked gets zero weights and a zero attention output (torch gives NaN there).
    ///
    /// Batch convention: B sequences stacked by rows, batch-first. Queries are (B·S) × D (item b,
    /// position s is row b·S + s), keys and values (B·N) × D, the padding mask has B·N flags.
    /// (torch's module is sequence-first (S, B, D); only the row order differs.) Q, K and V may
    /// all differ (cross-attention: S queries attend over N keys).
    ///
    /// [Vaswani et al. 2017]: https://arxiv.org/abs/1706.03762
    public enum MultiHeadAttention: AttentionLayer {
        /// torch's packed parameters: `in_proj_weight` (3D × D), `in_proj_bias` (3D),
        /// `out_proj.weight` (D × D), `out_proj.bias` (D). Gradients have the same shape.
        public typealias Parameters = ModelParameters<Double>.Attention

        /// The forward pass's intermediate values (`AttentionCache`, with the head-averaged
        /// `weights` torch returns) and the gradients of every input and parameter.
        public typealias Cache = AttentionCache<Double>
        public typealias Gradients = AttentionGradients<Double>

        /// The attention output O.
        /// - Parameters:
        ///   - query: (B·S) × D.  - key, value: (B·N) × D.
        ///   - heads: H (torch's `num_heads`; CLOT uses 8); D must be a multiple of H.
        ///   - batch: B.
        ///   - keyPaddingMask: B·N flags, true = ignore that key; nil = none.
        ///   - causal: mask keys j > i for query i.
        ///   - dropoutMask: scale factors on the weights, (B·H·S) × N, from `Dropout.mask`; nil = none.
        /// - Returns: O ((B·S) × D) and the cache for `backward` (its `weights` are torch's).
        /// - Complexity: O(B (S + N) D² + B S N D).
        public static func forward(query: Matrix<Double>, key: Matrix<Double>, value: Matrix<Double>,
                                   parameters: Parameters, heads: Int = 8, batch: Int = 1,
                                   keyPaddingMask: [Bool]? = nil, causal: Bool = false,
                                   dropoutMask: Matrix<Double>? = nil) -> (output: Matrix<Double>, cache: Cache) {
            let d = parameters.dimension
            let (s, n) = checkShapes(query, key, value, d: d, heads: heads, batch: batch, keyPaddingMask: keyPaddingMask)
            let width = d / heads
            let scale = 1 / Double(width).squareRoot()
            if let m = dropoutMask { precondition(m.rows == batch * heads * s && m.columns == n, "dropout mask needs (B·H·S) × N") }
            let q = Linear.forward(query, parameters: parameters.projection(0))
            let k = Linear.forward(key, parameters: parameters.projection(1))
            let v = Linear.forward(value, parameters: parameters.projection(2))
            var probabilities = Matrix<Double>.zeros(batch * heads * s, n)
            var context = Matrix<Double>.zeros(batch * s, d)
            for b in 0..<batch {
                for h in 0..<heads {
                    for i in 0..<s {
                        let row = (b * heads + h) * s + i
                        // Scores of the keys query i may see, then a stable softmax over them.
                        var scores = [Double](repeating: -.infinity, count: n)
                        for j in 0..<n where !(keyPaddingMask?[b * n + j] ?? false) && !(causal && j > i) {
                            var dot = 0.0
                            for c in 0..<width { dot += q[b * s + i, h * width + c] * k[b * n + j, h * width + c] }
                            scores[j] = dot * scale
                        }
                        let largest = scores.max() ?? -.infinity
                        guard largest > -.infinity else { continue }   // every key masked: zero row
                        var total = 0.0
                        for j in 0..<n {
                            probabilities[row, j] = exp(scores[j] - largest)
                            total += probabilities[row, j]
                        }
                        for j in 0..<n { probabilities[row, j] /= total }
                        for j in 0..<n {
                            let a = probabilities[row, j] * (dropoutMask?[row, j] ?? 1)
                            for c in 0..<width { context[b * s + i, h * width + c] += a * v[b * n + j, h * width + c] }
                        }
                    }
                }
            }
            let output = Linear.forward(context, parameters: Linear.Parameters(weight: parameters.outWeight, bias: parameters.outBias))
            return (output, Cache(batch: batch, heads: heads, query: query, key: key, value: value,
                                  projectedQuery: q, projectedKey: k, projectedValue: v,
                                  probabilities: probabilities, dropoutMask: dropoutMask, context: context))
        }

        /// `forward` with dropout p on the attention weights, the mask drawn from `generator`
        /// by `Dropout.mask` in (b, h, s, n) order (torch's order on its (B·H, S, N) weights).
        /// p = 0 draws nothing and equals `forward` without a mask.
        public static func forward(query: Matrix<Double>, key: Matrix<Double>, value: Matrix<Double>,
                                   parameters: Parameters, heads: Int = 8, batch: Int = 1,
                                   keyPaddingMask: [Bool]? = nil, causal: Bool = false,
                                   dropout p: Double, generator: inout MersenneTwister) -> (output: Matrix<Double>, cache: Cache) {
            var mask: Matrix<Double>? = nil
            if p > 0 {
                let rows = batch * heads * (batch > 0 ? query.rows / batch : 0)
                mask = Dropout.mask(rows: rows, columns: batch > 0 ? key.rows / batch : 0, probability: p, generator: &generator)
            }
            return forward(query: query, key: key, value: value, parameters: parameters, heads: heads, batch: batch,
                           keyPaddingMask: keyPaddingMask, causal: causal, dropoutMask: mask)
        }

        /// The gradients, by the chain rule backwards through the forward pass. With G = ∂L/∂O,
        /// C the context, Ã_h = dropout(A_h) (mask R), per item and head:
        ///
        ///     ∂W_out = Gᵀ C,   ∂b_out = Σ_rows G,   ∂C = G W_out
        ///     ∂Ã_h = ∂C_h v_hᵀ,   ∂v_h = Ã_hᵀ ∂C_h,   ∂A_h = ∂Ã_h ⊙ R
        ///     ∂Z_h = A_h ⊙ (∂A_h − rowsum(∂A_h ⊙ A_h))          (softmax; masked keys get 0)
        ///     ∂q_h = ∂Z_h k_h / √d_h,   ∂k_h = ∂Z_hᵀ q_h / √d_h
        ///     ∂Q = ∂q W_q,  ∂W_q = ∂qᵀ Q,  ∂b_q = Σ_rows ∂q     (likewise for k and v)
        ///
        /// For self-attention (Q = K = V the same tensor) the caller adds the three input gradients.
        public static func backward(cache: Cache, parameters: Parameters, outputGradient g: Matrix<Double>) -> Gradients {
            let d = parameters.dimension, heads = cache.heads, batch = cache.batch
            let s = cache.query.rows / batch, n = cache.key.rows / batch
            let width = d / heads
            let scale = 1 / Double(width).squareRoot()
            precondition(g.rows == batch * s && g.columns == d, "output gradient needs (B·S) × D")
            let out = Linear.backward(cache.context, parameters: Linear.Parameters(weight: parameters.outWeight, bias: parameters.outBias),
                                      outputGradient: g)
            let dContext = out.input
            let q = cache.projectedQuery, k = cache.projectedKey, v = cache.projectedValue
            var dq = Matrix<Double>.zeros(batch * s, d)
            var dk = Matrix<Double>.zeros(batch * n, d), dv = Matrix<Double>.zeros(batch * n, d)
            for b in 0..<batch {
                for h in 0..<heads {
                    for i in 0..<s {
                        let row = (b * heads + h) * s + i
                        var dA = [Double](repeating: 0, count: n)
                        for j in 0..<n {
                            let keep = cache.dropoutMask?[row, j] ?? 1
                            let a = cache.probabilities[row, j] * keep
                            var dot = 0.0
                            for c in 0..<width {
                                dot += dContext[b * s + i, h * width + c] * v[b * n + j, h * width + c]
                                dv[b * n + j, h * width + c] += a * dContext[b * s + i, h * width + c]
                            }
                            dA[j] = dot * keep
                        }
                        var weighted = 0.0
                        for j in 0..<n { weighted += dA[j] * cache.probabilities[row, j] }
                        for j in 0..<n {
                            let dz = cache.probabilities[row, j] * (dA[j] - weighted) * scale
                            for c in 0..<width {
                                dq[b * s + i, h * width + c] += dz * k[b * n + j, h * width + c]
                                dk[b * n + j, h * width + c] += dz * q[b * s + i, h * width + c]
                            }
                        }
                    }
                }
            }
            let gq = Linear.backward(cache.query, parameters: parameters.projection(0), outputGradient: dq)
            let gk = Linear.backward(cache.key, parameters: parameters.projection(1), outputGradient: dk)
            let gv = Linear.backward(cache.value, parameters: parameters.projection(2), outputGradient: dv)
            let inWeight = Matrix(rows: 3 * d, columns: d,
                                  elements: gq.parameters.weight.elements + gk.parameters.weight.elements + gv.parameters.weight.elements)
            let gradients = Parameters(inWeight: inWeight, inBias: gq.parameters.bias + gk.parameters.bias + gv.parameters.bias,
                                       outWeight: out.parameters.weight, outBias: out.parameters.bias)
            return Gradients(query: gq.input, key: gk.input, value: gv.input, parameters: gradients)
        }

        /// Checks the shapes and returns (S, N).
        static func checkShapes(_ query: Matrix<Double>, _ key: Matrix<Double>, _ value: Matrix<Double>,
                                d: Int, heads: Int, batch: Int, keyPaddingMask: [Bool]?) -> (Int, Int) {
            precondition(heads > 0 && d % heads == 0, "width \(d) is not a multiple of \(heads) heads")
            precondition(batch > 0 && query.rows % batch == 0 && key.rows % batch == 0, "rows are not B sequences")
            precondition(query.columns == d && key.columns == d && value.columns == d, "inputs must have width \(d)")
            precondition(value.rows == key.rows, "keys and values differ in length")
            precondition(keyPaddingMask == nil || keyPaddingMask!.count == key.rows, "key padding mask needs B·N flags")
            return (query.rows / batch, key.rows / batch)
        }
    }
}

extension ModelParameters.Attention where Scalar == Double {
    /// Rows `part·D ..< (part+1)·D` of the in-projection (0 = query, 1 = key, 2 = value) as a
    /// Linear layer.
    func projection(_ part: Int) -> Reference.Linear.Parameters {
        let d = dimension
        return Reference.Linear.Parameters(
            weight: Matrix(rows: d, columns: d, elements: Array(inWeight.elements[(part * d * d)..<((part + 1) * d * d)])),
            bias: Array(inBias[(part * d)..<((part + 1) * d)]))
    }
}
