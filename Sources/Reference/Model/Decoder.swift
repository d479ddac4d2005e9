import CLOTCore

extension Reference {
    /// The parallel transformer decoder of CLOT (§3.1; the released FUTR/DETR-style
    /// `transformer.py`, METHOD.md §5): n_seg learnable queries attend to the frame memory.
    ///
    /// Each of the L post-norm layers, with tgt₀ = 0 (or a learnable table: choice
    /// `decoder-target`), query positions Q_pos (learnable) and memory positions P
    /// (`MemoryPositions`: choices `memory-positions` and `position-index`):
    ///
    ///     t₁ = LN₁(t + Drop(SelfAttn(q = k = v = t + Q_pos)))            (causal when autoregressive)
    ///     t₂ = LN₂(t₁ + Drop(CrossAttn(q = t₁ + Q_pos, k = v = M + P, ignoring padded frames)))
    ///     t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
    ///
    /// and a final LayerNorm gives the segment embeddings S (n_seg × D per video). The positions
    /// enter the attention values too, as in the released `forward_post` (`q = k = v =
    /// with_pos_embed(tgt, query_pos)`, `value = with_pos_embed(memory, pos)`) and in FUTR.
    public enum Decoder {
        /// Everything the backward pass needs, per layer.
        public struct Cache: Sendable {
            struct Layer: Sendable {
                var target: Matrix<Double>
                var selfAttention: MultiHeadAttention.Cache, selfDropout: Matrix<Double>?
                var norm1: LayerNorm.Cache, afterNorm1: Matrix<Double>
                var crossAttention: MultiHeadAttention.Cache, crossDropout: Matrix<Double>?
                var norm2: LayerNorm.Cache, afterNorm2: Matrix<Double>
                var hidden: Matrix<Double>, hiddenDropout: Matrix<Double>?, activated: Matrix<Double>
                var outputDropout: Matrix<Double>?
                var norm3: LayerNorm.Cache
            }
            var layers: [Layer]
            var finalNorm: LayerNorm.Cache
            var batch: Int
            var segments: Int
            var frames: Int
        }

        /// Gradients of the decoder's inputs and parameters.
        public struct Gradients: Sendable {
            /// ∂L/∂memory, (B·T) × D.
            public var memory: Matrix<Double>
            /// ∂L/∂Q_pos, n_seg × D.
            public var queryPositions: Matrix<Double>
            /// ∂L/∂tgt₀ (n_seg × D) when tgt is learned, else 0 × D.
            public var target: Matrix<Double>
            /// ∂L/∂W_pos (L × D) when the memory positions are learned, else 0 × D.
            public var memoryPositions: Matrix<Double>
            public var layers: [ModelParameters<Double>.DecoderLayer]
            public var finalNorm: ModelParameters<Double>.Norm
        }

        /// Runs the decoder on a batch of B memories stacked as (B·T) × D.
        /// - Parameters:
        ///   - memory: frame features M, (B·T) × D.
        ///   - mask: B·T flags, true on real frames.
        ///   - dropout: probability; 0 (or no generator) turns dropout off.
        /// - Returns: S, (B·n_seg) × D, and the cache.
        public static func forward(memory: Matrix<Double>, mask: [Bool], batch: Int, parameters p: ModelParameters<Double>,
                                   configuration c: ModelConfiguration, dropout: Double = 0,
                                   generator: inout MersenneTwister) -> (output: Matrix<Double>, cache: Cache) {
            let d = memory.columns, frames = memory.rows / batch, s = p.queryPositions.rows
            let positions = tiled(MemoryPositions.forward(frames: frames, dimension: d, table: p.memoryPositions, configuration: c), batch)
            let queryPositions = tiled(p.queryPositions, batch)
            let keys = add(memory, positions)
            let ignore = mask.map { !$0 }
            func drop(_ x: Matrix<Double>) -> (Matrix<Double>, Matrix<Double>?) {
                guard dropout > 0 else { return (x, nil) }
                let m = Dropout.mask(rows: x.rows, columns: x.columns, probability: dropout, generator: &generator)
                return (Dropout.forward(x, mask: m), m)
            }
            var target = c.targetRows > 0 ? tiled(p.target, batch) : Matrix<Double>.zeros(batch * s, d)
            var layers: [Cache.Layer] = []
            for layer in p.decoder {
                let q1 = add(target, queryPositions)
                let (sa, saCache) = MultiHeadAttention.forward(query: q1, key: q1, value: q1, parameters: attention(layer.selfAttention),
                                                               heads: c.heads, batch: batch, causal: c.autoregressiveDecoder,
                                                               dropout: dropout, generator: &generator)
                let (saDropped, saMask) = drop(sa)
                let (t1, n1) = LayerNorm.forward(add(target, saDropped), parameters: norm(layer.norm1))
                let (ca, caCache) = MultiHeadAttention.forward(query: add(t1, queryPositions), key: keys, value: keys,
                                                               parameters: attention(layer.crossAttention), heads: c.heads, batch: batch,
                                                               keyPaddingMask: ignore, dropout: dropout, generator: &generator)
                let (caDropped, caMask) = drop(ca)
                let (t2, n2) = LayerNorm.forward(add(t1, caDropped), parameters: norm(layer.norm2))
                let hidden = Linear.forward(t2, parameters: dense(layer.feedForward1))
                let (activated, hiddenMask) = drop(ReLU.forward(hidden))
                let f = Linear.forward(activated, parameters: dense(layer.feedForward2))
                let (fDropped, fMask) = drop(f)
                let (t3, n3) = LayerNorm.forward(add(t2, fDropped), parameters: norm(layer.norm3))
                layers.append(Cache.Layer(target: target, selfAttention: saCache, selfDropout: saMask, norm1: n1, afterNorm1: t1,
                                          crossAttention: caCache, crossDropout: caMask, norm2: n2, afterNorm2: t2,
                                          hidden: hidden, hiddenDropout: hiddenMask, activated: activated,
                                          outputDropout: fMask, norm3: n3))
                target = t3
            }
            let (output, finalCache) = LayerNorm.forward(target, parameters: norm(p.finalNorm))
            return (output, Cache(layers: layers, finalNorm: finalCache, batch: batch, segments: s, frames: frames))
        }

        /// The backward pass: gradients of the memory, the query positions, the learnable tgt and
        /// memory positions (when the choices make them learnable) and every layer.
        public static func backward(cache: Cache, parameters p: ModelParameters<Double>, configuration c: ModelConfiguration,
                                    outputGradient: Matrix<Double>) -> Gradients {
            let batch = cache.batch, s = cache.segments, d = outputGradient.columns
            let memoryRows = cache.layers.first?.crossAttention.value.rows ?? 0
            var dMemory = Matrix<Double>.zeros(memoryRows, d)
            var dQueryTiled = Matrix<Double>.zeros(batch * s, d)
            let final = LayerNorm.backward(cache: cache.finalNorm, parameters: norm(p.finalNorm), outputGradient: outputGradient)
            var dTarget = final.input
            var layerGradients: [ModelParameters<Double>.DecoderLayer] = []
            for (index, layer) in p.decoder.enumerated().reversed() {
                let lc = cache.layers[index]
                // t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
                let n3 = LayerNorm.backward(cache: lc.norm3, parameters: norm(layer.norm3), outputGradient: dTarget)
                let dF = Dropout.backward(outputGradient: n3.input, mask: lc.outputDropout)
                let ff2 = Linear.backward(lc.activated, parameters: dense(layer.feedForward2), outputGradient: dF)
                let dRelu = Dropout.backward(outputGradient: ff2.input, mask: lc.hiddenDropout)
                let ff1 = Linear.backward(lc.afterNorm2, parameters: dense(layer.feedForward1),
                                          outputGradient: ReLU.backward(lc.hidden, outputGradient: dRelu))
                let dT2 = add(n3.input, ff1.input)
                // t₂ = LN₂(t₁ + Drop(CrossAttn(t₁ + Q_pos, M + P, M + P)))
                let n2 = LayerNorm.backward(cache: lc.norm2, parameters: norm(layer.norm2), outputGradient: dT2)
                let cross = MultiHeadAttention.backward(cache: lc.crossAttention, parameters: attention(layer.crossAttention),
                                                        outputGradient: Dropout.backward(outputGradient: n2.input, mask: lc.crossDropout))
                dMemory = add(dMemory, add(cross.key, cross.value))
                dQueryTiled = add(dQueryTiled, cross.query)
                let dT1 = add(n2.input, cross.query)
                // t₁ = LN₁(t + Drop(SelfAttn(t + Q_pos, t + Q_pos, t + Q_pos)))
                let n1 = LayerNorm.backward(cache: lc.norm1, parameters: norm(layer.norm1), outputGradient: dT1)
                let selfGrad = MultiHeadAttention.backward(cache: lc.selfAttention, parameters: attention(layer.selfAttention),
                                                           outputGradient: Dropout.backward(outputGradient: n1.input, mask: lc.selfDropout))
                let dQ1 = add(add(selfGrad.query, selfGrad.key), selfGrad.value)
                dQueryTiled = add(dQueryTiled, dQ1)
                dTarget = add(n1.input, dQ1)
                layerGradients.append(ModelParameters<Double>.DecoderLayer(
                    selfAttention: shared(selfGrad.parameters), crossAttention: shared(cross.parameters),
                    feedForward1: .init(weight: ff1.parameters.weight, bias: ff1.parameters.bias),
                    feedForward2: .init(weight: ff2.parameters.weight, bias: ff2.parameters.bias),
                    norm1: .init(gamma: n1.parameters.gamma, beta: n1.parameters.beta),
                    norm2: .init(gamma: n2.parameters.gamma, beta: n2.parameters.beta),
                    norm3: .init(gamma: n3.parameters.gamma, beta: n3.parameters.beta)))
            }
            var dQuery = Matrix<Double>.zeros(s, d)
            for b in 0..<batch { for i in 0..<s { for j in 0..<d { dQuery[i, j] += dQueryTiled[b * s + i, j] } } }
            // tgt₀ is the learnable table repeated per video: its gradient is dTarget summed over videos.
            var dTargetTable = Matrix<Double>.zeros(c.targetRows, d)
            if c.targetRows > 0 {
                for b in 0..<batch { for i in 0..<s { for j in 0..<d { dTargetTable[i, j] += dTarget[b * s + i, j] } } }
            }
            // P enters only as M + P (keys and values), so ∂L/∂P = ∂L/∂M.
            let dTable = MemoryPositions.backward(frames: cache.frames, batch: batch, outputGradient: dMemory, configuration: c)
            return Gradients(memory: dMemory, queryPositions: dQuery, target: dTargetTable, memoryPositions: dTable,
                             layers: layerGradients.reversed(), finalNorm: .init(gamma: final.parameters.gamma, beta: final.parameters.beta))
        }

        // MARK: conversions from the shared parameter container to the layers' own types

        static func attention(_ a: ModelParameters<Double>.Attention) -> MultiHeadAttention.Parameters {
            MultiHeadAttention.Parameters(inWeight: a.inWeight, inBias: a.inBias, outWeight: a.outWeight, outBias: a.outBias)
        }
        static func shared(_ a: MultiHeadAttention.Parameters) -> ModelParameters<Double>.Attention {
            .init(inWeight: a.inWeight, inBias: a.inBias, outWeight: a.outWeight, outBias: a.outBias)
        }
        static func norm(_ n: ModelParameters<Double>.Norm) -> LayerNorm.Parameters { LayerNorm.Parameters(gamma: n.gamma, beta: n.beta) }
        static func dense(_ l: ModelParameters<Double>.Dense) -> Linear.Parameters { Linear.Parameters(weight: l.weight, bias: l.bias) }

        /// `x` repeated `times` times down the rows.
        static func tiled(_ x: Matrix<Double>, _ times: Int) -> Matrix<Double> {
            Matrix(rows: x.rows * times, columns: x.columns, elements: Array([[Double]](repeating: x.elements, count: times).joined()))
        }

        static func add(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
            precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ")
            var out = a
            for i in out.elements.indices { out.elements[i] += b.elements[i] }
            return out
        }
    }
}
