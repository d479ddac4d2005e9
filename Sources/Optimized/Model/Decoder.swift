import CLOTCore

extension Optimized {
    /// The parallel transformer decoder of CLOT in Float32; the same API, layer order and
    /// random draws as `Reference.Decoder`, whose doc comment has the equations. Per layer:
    ///
    ///     t₁ = LN₁(t + Drop(SelfAttn(q = k = v = t + Q_pos)))
    ///     t₂ = LN₂(t₁ + Drop(CrossAttn(q = t₁ + Q_pos, k = v = M + P, ignoring padded frames)))
    ///     t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
    ///
    /// then a final LayerNorm. Dropout masks are drawn in exactly Reference's order (per layer:
    /// self-attention weights, its output, cross-attention weights, its output, the hidden
    /// activation, the FFN output), so one seed gives the same masks in both backends. Every
    /// product runs on sgemm inside the Optimized layers.
    public enum Decoder {
        /// Everything the backward pass needs, per layer.
        public struct Cache: Sendable {
            struct Layer: Sendable {
                var selfAttention: MultiHeadAttention.Cache, selfDropout: Matrix<Float>?
                var norm1: LayerNorm.Cache, afterNorm1: Matrix<Float>
                var crossAttention: MultiHeadAttention.Cache, crossDropout: Matrix<Float>?
                var norm2: LayerNorm.Cache, afterNorm2: Matrix<Float>
                var hidden: Matrix<Float>, hiddenDropout: Matrix<Float>?, activated: Matrix<Float>
                var outputDropout: Matrix<Float>?
                var norm3: LayerNorm.Cache
            }
            var layers: [Layer]
            var finalNorm: LayerNorm.Cache
            var batch: Int
            var segments: Int
            var memoryRows: Int
            var frames: Int
        }

        /// Gradients of the decoder's inputs and parameters.
        public struct Gradients: Sendable {
            /// ∂L/∂memory, (B·T) × D.
            public var memory: Matrix<Float>
            /// ∂L/∂Q_pos, n_seg × D.
            public var queryPositions: Matrix<Float>
            /// ∂L/∂tgt₀ (n_seg × D) when tgt is learned, else 0 × D.
            public var target: Matrix<Float>
            /// ∂L/∂W_pos (L × D) when the memory positions are learned, else 0 × D.
            public var memoryPositions: Matrix<Float>
            public var layers: [ModelParameters<Float>.DecoderLayer]
            public var finalNorm: ModelParameters<Float>.Norm
        }

        /// Runs the decoder on a batch of B memories stacked as (B·T) × D.
        /// - Parameters:
        ///   - memory: frame features M, (B·T) × D.
        ///   - mask: B·T flags, true on real frames.
        ///   - dropout: probability; 0 turns dropout off (and draws nothing).
        /// - Returns: S, (B·n_seg) × D, and the cache.
        public static func forward(memory: Matrix<Float>, mask: [Bool], batch: Int, parameters p: ModelParameters<Float>,
                                   configuration c: ModelConfiguration, dropout: Double = 0,
                                   generator: inout MersenneTwister) -> (output: Matrix<Float>, cache: Cache) {
            let d = memory.columns, frames = memory.rows / batch, s = p.queryPositions.rows
            precondition(mask.count == memory.rows, "one mask flag per memory row")
            var keys = tiled(MemoryPositions.forward(frames: frames, dimension: d, table: p.memoryPositions, configuration: c), batch)
            addInPlace(&keys, memory)
            let queryPositions = tiled(p.queryPositions, batch)
            let ignore = mask.map { !$0 }
            func drop(_ x: Matrix<Float>) -> (Matrix<Float>, Matrix<Float>?) {
                guard dropout > 0 else { return (x, nil) }
                let m = Dropout.mask(rows: x.rows, columns: x.columns, probability: dropout, generator: &generator)
                return (Dropout.forward(x, mask: m), m)
            }
            var target = c.targetRows > 0 ? tiled(p.target, batch) : CLOTModel.zeros(batch * s, d)
            var layers: [Cache.Layer] = []
            layers.reserveCapacity(p.decoder.count)
            for layer in p.decoder {
                let q1 = add(target, queryPositions)
                let (sa, saCache) = MultiHeadAttention.forward(query: q1, key: q1, value: q1, parameters: attention(layer.selfAttention),
                                                               heads: c.heads, batch: batch, causal: c.autoregressiveDecoder,
                                                               dropout: dropout, generator: &generator)
                var (saDropped, saMask) = drop(sa)
                addInPlace(&saDropped, target)
                let (t1, n1) = LayerNorm.forward(saDropped, parameters: norm(layer.norm1))
                let (ca, caCache) = MultiHeadAttention.forward(query: add(t1, queryPositions), key: keys, value: keys,
                                                               parameters: attention(layer.crossAttention), heads: c.heads, batch: batch,
                                                               keyPaddingMask: ignore, dropout: dropout, generator: &generator)
                var (caDropped, caMask) = drop(ca)
                addInPlace(&caDropped, t1)
                let (t2, n2) = LayerNorm.forward(caDropped, parameters: norm(layer.norm2))
                let hidden = Linear.forward(t2, parameters: dense(layer.feedForward1))
                let (activated, hiddenMask) = drop(ReLU.forward(hidden))
                let f = Linear.forward(activated, parameters: dense(layer.feedForward2))
                var (fDropped, fMask) = drop(f)
                addInPlace(&fDropped, t2)
                let (t3, n3) = LayerNorm.forward(fDropped, parameters: norm(layer.norm3))
                layers.append(Cache.Layer(selfAttention: saCache, selfDropout: saMask, norm1: n1, afterNorm1: t1,
                                          crossAttention: caCache, crossDropout: caMask, norm2: n2, afterNorm2: t2,
                                          hidden: hidden, hiddenDropout: hiddenMask, activated: activated,
                                          outputDropout: fMask, norm3: n3))
                target = t3
            }
            let (output, finalCache) = LayerNorm.forward(target, parameters: norm(p.finalNorm))
            return (output, Cache(layers: layers, finalNorm: finalCache, batch: batch, segments: s, memoryRows: memory.rows,
                                  frames: frames))
        }

        /// The backward pass: gradients of the memory, the query positions, the learnable tgt and
        /// memory positions (when the choices make them learnable) and every layer.
        public static func backward(cache: Cache, parameters p: ModelParameters<Float>, configuration c: ModelConfiguration,
                                    outputGradient: Matrix<Float>) -> Gradients {
            let batch = cache.batch, s = cache.segments, d = outputGradient.columns
            var dMemory = CLOTModel.zeros(cache.memoryRows, d)
            var dQueryTiled = CLOTModel.zeros(batch * s, d)
            let final = LayerNorm.backward(cache: cache.finalNorm, parameters: norm(p.finalNorm), outputGradient: outputGradient)
            var dTarget = final.input
            var layerGradients: [ModelParameters<Float>.DecoderLayer] = []
            layerGradients.reserveCapacity(p.decoder.count)
            for (index, layer) in p.decoder.enumerated().reversed() {
                let lc = cache.layers[index]
                // t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
                let n3 = LayerNorm.backward(cache: lc.norm3, parameters: norm(layer.norm3), outputGradient: dTarget)
                let dF = Dropout.backward(outputGradient: n3.input, mask: lc.outputDropout)
                let ff2 = Linear.backward(lc.activated, parameters: dense(layer.feedForward2), outputGradient: dF)
                let dRelu = Dropout.backward(outputGradient: ff2.input, mask: lc.hiddenDropout)
                let ff1 = Linear.backward(lc.afterNorm2, parameters: dense(layer.feedForward1),
                                          outputGradient: ReLU.backward(lc.hidden, outputGradient: dRelu))
                var dT2 = n3.input
                addInPlace(&dT2, ff1.input)
                // t₂ = LN₂(t₁ + Drop(CrossAttn(t₁ + Q_pos, M + P, M + P)))
                let n2 = LayerNorm.backward(cache: lc.norm2, parameters: norm(layer.norm2), outputGradient: dT2)
                let cross = MultiHeadAttention.backward(cache: lc.crossAttention, parameters: attention(layer.crossAttention),
                                                        outputGradient: Dropout.backward(outputGradient: n2.input, mask: lc.crossDropout))
                addInPlace(&dMemory, cross.key)
                addInPlace(&dMemory, cross.value)
                addInPlace(&dQueryTiled, cross.query)
                var dT1 = n2.input
                addInPlace(&dT1, cross.query)
                // t₁ = LN₁(t + Drop(SelfAttn(t + Q_pos, t + Q_pos, t + Q_pos)))
                let n1 = LayerNorm.backward(cache: lc.norm1, parameters: norm(layer.norm1), outputGradient: dT1)
                let selfGrad = MultiHeadAttention.backward(cache: lc.selfAttention, parameters: attention(layer.selfAttention),
                                                           outputGradient: Dropout.backward(outputGradient: n1.input, mask: lc.selfDropout))
                var dQ1 = selfGrad.query
                addInPlace(&dQ1, selfGrad.key)
                addInPlace(&dQ1, selfGrad.value)
                addInPlace(&dQueryTiled, dQ1)
                dTarget = n1.input
                addInPlace(&dTarget, dQ1)
                layerGradients.append(ModelParameters<Float>.DecoderLayer(
                    selfAttention: shared(selfGrad.parameters), crossAttention: shared(cross.parameters),
                    feedForward1: .init(weight: ff1.parameters.weight, bias: ff1.parameters.bias),
                    feedForward2: .init(weight: ff2.parameters.weight, bias: ff2.parameters.bias),
                    norm1: .init(gamma: n1.parameters.gamma, beta: n1.parameters.beta),
                    norm2: .init(gamma: n2.parameters.gamma, beta: n2.parameters.beta),
                    norm3: .init(gamma: n3.parameters.gamma, beta: n3.parameters.beta)))
            }
            // Σ over the B copies of Q_pos (and of the learnable tgt₀).
            let dQuery = summedOverVideos(dQueryTiled, batch: batch, rows: s)
            let dTargetTable = c.targetRows > 0 ? summedOverVideos(dTarget, batch: batch, rows: s) : CLOTModel.zeros(0, d)
            // P enters only as M + P (keys and values), so ∂L/∂P = ∂L/∂M.
            let dTable = MemoryPositions.backward(frames: cache.frames, batch: batch, outputGradient: dMemory, configuration: c)
            return Gradients(memory: dMemory, queryPositions: dQuery, target: dTargetTable, memoryPositions: dTable,
                             layers: layerGradients.reversed(), finalNorm: .init(gamma: final.parameters.gamma, beta: final.parameters.beta))
        }

        /// Σ_b x[b·rows ..< (b + 1)·rows], rows × D.
        static func summedOverVideos(_ x: Matrix<Float>, batch: Int, rows: Int) -> Matrix<Float> {
            let d = x.columns
            var out = CLOTModel.zeros(rows, d)
            x.elements.withUnsafeBufferPointer { src in
                out.elements.withUnsafeMutableBufferPointer { dst in
                    for b in 0..<batch {
                        let base = b * rows * d
                        for e in 0..<(rows * d) { dst[e] += src[base + e] }
                    }
                }
            }
            return out
        }

        // MARK: conversions from the shared parameter container to the layers' own types (no copies: COW)

        static func attention(_ a: ModelParameters<Float>.Attention) -> MultiHeadAttention.Parameters {
            MultiHeadAttention.Parameters(inWeight: a.inWeight, inBias: a.inBias, outWeight: a.outWeight, outBias: a.outBias)
        }
        static func shared(_ a: MultiHeadAttention.Parameters) -> ModelParameters<Float>.Attention {
            .init(inWeight: a.inWeight, inBias: a.inBias, outWeight: a.outWeight, outBias: a.outBias)
        }
        static func norm(_ n: ModelParameters<Float>.Norm) -> LayerNorm.Parameters { LayerNorm.Parameters(gamma: n.gamma, beta: n.beta) }
        static func dense(_ l: ModelParameters<Float>.Dense) -> Linear.Parameters { Linear.Parameters(weight: l.weight, bias: l.bias) }

        /// `x` repeated `times` times down the rows.
        static func tiled(_ x: Matrix<Float>, _ times: Int) -> Matrix<Float> {
            var elements: [Float] = []
            elements.reserveCapacity(x.elements.count * times)
            for _ in 0..<times { elements.append(contentsOf: x.elements) }
            return Matrix(rows: x.rows * times, columns: x.columns, elements: elements)
        }

        /// a + b.
        static func add(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float> {
            var out = a
            addInPlace(&out, b)
            return out
        }

        /// a ← a + b.
        static func addInPlace(_ a: inout Matrix<Float>, _ b: Matrix<Float>) {
            precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
            b.elements.withUnsafeBufferPointer { bp in
                a.elements.withUnsafeMutableBufferPointer { ap in
                    for i in 0..<ap.count { ap[i] += bp[i] }
                }
            }
        }
    }
}
