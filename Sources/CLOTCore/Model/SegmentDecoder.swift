/// The parallel transformer decoder of CLOT (§3.1, Documentation/Method.md §5; the released
/// FUTR/DETR-style `transformer.py`): n_seg learnable queries attend to the frame memory. Wired
/// once for both backends, which supply the arithmetic (`LayerArithmetic`); `Reference.Decoder`
/// and `Optimized.Decoder` are this type.
///
/// Each of the L post-norm layers, with tgt₀ = 0 (or a learnable table: choice
/// `decoder-target`), query positions Q_pos (learnable) and memory positions P
/// (`memory-positions` and `position-index`):
///
///     t₁ = LN₁(t + Drop(SelfAttn(q = k = v = t + Q_pos)))            (causal when autoregressive)
///     t₂ = LN₂(t₁ + Drop(CrossAttn(q = t₁ + Q_pos, k = v = M + P, ignoring padded frames)))
///     t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
///
/// and a final LayerNorm gives the segment embeddings S (n_seg × D per video). The positions
/// enter the attention values too, as in the released `forward_post` (`q = k = v =
/// with_pos_embed(tgt, query_pos)`, `value = with_pos_embed(memory, pos)`) and in FUTR. Dropout
/// masks are drawn per layer in this order: self-attention weights, its output, cross-attention
/// weights, its output, the hidden activation, the FFN output.
public enum SegmentDecoder<Arithmetic: LayerArithmetic> {
    public typealias Scalar = Arithmetic.Scalar

    /// Everything the backward pass needs, per layer.
    public struct Cache: Sendable {
        public struct Layer: Sendable {
            public var selfAttention: AttentionCache<Scalar>, selfDropout: Matrix<Scalar>?
            public var norm1: NormCache<Scalar>, afterNorm1: Matrix<Scalar>
            public var crossAttention: AttentionCache<Scalar>, crossDropout: Matrix<Scalar>?
            public var norm2: NormCache<Scalar>, afterNorm2: Matrix<Scalar>
            public var hidden: Matrix<Scalar>, hiddenDropout: Matrix<Scalar>?, activated: Matrix<Scalar>
            public var outputDropout: Matrix<Scalar>?
            public var norm3: NormCache<Scalar>

            @inlinable
            public init(selfAttention: AttentionCache<Scalar>, selfDropout: Matrix<Scalar>?,
                        norm1: NormCache<Scalar>, afterNorm1: Matrix<Scalar>,
                        crossAttention: AttentionCache<Scalar>, crossDropout: Matrix<Scalar>?,
                        norm2: NormCache<Scalar>, afterNorm2: Matrix<Scalar>,
                        hidden: Matrix<Scalar>, hiddenDropout: Matrix<Scalar>?, activated: Matrix<Scalar>,
                        outputDropout: Matrix<Scalar>?, norm3: NormCache<Scalar>) {
                self.selfAttention = selfAttention; self.selfDropout = selfDropout
                self.norm1 = norm1; self.afterNorm1 = afterNorm1
                self.crossAttention = crossAttention; self.crossDropout = crossDropout
                self.norm2 = norm2; self.afterNorm2 = afterNorm2
                self.hidden = hidden; self.hiddenDropout = hiddenDropout; self.activated = activated
                self.outputDropout = outputDropout; self.norm3 = norm3
            }
        }
        public var layers: [Layer]
        public var finalNorm: NormCache<Scalar>
        public var batch: Int
        public var segments: Int
        public var memoryRows: Int
        public var frames: Int

        @inlinable
        public init(layers: [Layer], finalNorm: NormCache<Scalar>, batch: Int, segments: Int, memoryRows: Int, frames: Int) {
            self.layers = layers; self.finalNorm = finalNorm
            self.batch = batch; self.segments = segments; self.memoryRows = memoryRows; self.frames = frames
        }
    }

    /// Gradients of the decoder's inputs and parameters.
    public struct Gradients: Sendable {
        /// ∂L/∂memory, (B·T) × D.
        public var memory: Matrix<Scalar>
        /// ∂L/∂Q_pos, n_seg × D.
        public var queryPositions: Matrix<Scalar>
        /// ∂L/∂tgt₀ (n_seg × D) when tgt is learned, else 0 × D.
        public var target: Matrix<Scalar>
        /// ∂L/∂W_pos (L × D) when the memory positions are learned, else 0 × D.
        public var memoryPositions: Matrix<Scalar>
        public var layers: [ModelParameters<Scalar>.DecoderLayer]
        public var finalNorm: ModelParameters<Scalar>.Norm

        @inlinable
        public init(memory: Matrix<Scalar>, queryPositions: Matrix<Scalar>, target: Matrix<Scalar>, memoryPositions: Matrix<Scalar>,
                    layers: [ModelParameters<Scalar>.DecoderLayer], finalNorm: ModelParameters<Scalar>.Norm) {
            self.memory = memory; self.queryPositions = queryPositions; self.target = target
            self.memoryPositions = memoryPositions; self.layers = layers; self.finalNorm = finalNorm
        }
    }

    /// Runs the decoder on a batch of B memories stacked as (B·T) × D.
    /// - Parameters:
    ///   - memory: frame features M, (B·T) × D.
    ///   - mask: B·T flags, true on real frames.
    ///   - dropout: probability; 0 turns dropout off (and draws nothing).
    /// - Returns: S, (B·n_seg) × D, and the cache.
    /// - Postconditions: every row of S is LayerNorm'd (mean β, spread γ); with dropout > 0,
    ///   six masks per layer drawn in the order of the type's doc comment.
    /// - Edge Cases: no layers gives the final LayerNorm of tgt₀; `dropout` = 0 draws nothing;
    ///   padded frames (mask false) are ignored as keys of the cross-attention.
    @inlinable
    public static func forward(memory: Matrix<Scalar>, mask: [Bool], batch: Int, parameters p: ModelParameters<Scalar>,
                               configuration c: ModelConfiguration, dropout: Double = 0,
                               generator: inout MersenneTwister) -> (output: Matrix<Scalar>, cache: Cache) {
        typealias A = Arithmetic
        let d = memory.columns, frames = memory.rows / batch, s = p.queryPositions.rows
        precondition(mask.count == memory.rows, "one mask flag per memory row")
        var keys = A.tiled(MemoryPositions<A>.forward(frames: frames, dimension: d, table: p.memoryPositions, configuration: c), batch)
        A.addInPlace(&keys, memory)
        let queryPositions = A.tiled(p.queryPositions, batch)
        let ignore = mask.map { !$0 }
        var target = c.targetRows > 0 ? A.tiled(p.target, batch) : A.zeros(batch * s, d)
        var layers: [Cache.Layer] = []
        layers.reserveCapacity(p.decoder.count)
        for layer in p.decoder {
            let q1 = A.add(target, queryPositions)
            let (sa, saCache) = A.attention(query: q1, key: q1, value: q1, layer.selfAttention, heads: c.heads, batch: batch,
                                            keyPaddingMask: nil, causal: c.autoregressiveDecoder, dropout: dropout, generator: &generator)
            var (saDropped, saMask) = A.dropout(sa, probability: dropout, generator: &generator)
            A.addInPlace(&saDropped, target)
            let (t1, n1) = A.layerNorm(saDropped, layer.norm1)
            let (ca, caCache) = A.attention(query: A.add(t1, queryPositions), key: keys, value: keys, layer.crossAttention,
                                            heads: c.heads, batch: batch, keyPaddingMask: ignore, causal: false,
                                            dropout: dropout, generator: &generator)
            var (caDropped, caMask) = A.dropout(ca, probability: dropout, generator: &generator)
            A.addInPlace(&caDropped, t1)
            let (t2, n2) = A.layerNorm(caDropped, layer.norm2)
            let hidden = A.linear(t2, layer.feedForward1)
            let (activated, hiddenMask) = A.dropout(A.relu(hidden), probability: dropout, generator: &generator)
            var (fDropped, fMask) = A.dropout(A.linear(activated, layer.feedForward2), probability: dropout, generator: &generator)
            A.addInPlace(&fDropped, t2)
            let (t3, n3) = A.layerNorm(fDropped, layer.norm3)
            layers.append(Cache.Layer(selfAttention: saCache, selfDropout: saMask, norm1: n1, afterNorm1: t1,
                                      crossAttention: caCache, crossDropout: caMask, norm2: n2, afterNorm2: t2,
                                      hidden: hidden, hiddenDropout: hiddenMask, activated: activated,
                                      outputDropout: fMask, norm3: n3))
            target = t3
        }
        let (output, finalCache) = A.layerNorm(target, p.finalNorm)
        return (output, Cache(layers: layers, finalNorm: finalCache, batch: batch, segments: s, memoryRows: memory.rows,
                              frames: frames))
    }
}
