extension SegmentDecoder {
    /// The backward pass: gradients of the memory, the query positions, the learnable tgt and
    /// memory positions (when the choices make them learnable) and every layer, through the
    /// three residual equations of the type's doc comment in reverse.
    /// - Postconditions: ∂L/∂memory is (B·T) × D; ∂L/∂Q_pos and ∂L/∂tgt₀ are summed over the B
    ///   copies of the tables; one layer gradient per decoder layer, in layer order.
    /// - Edge Cases: tgt = 0 or sinusoidal positions give 0 × D gradients for those tables.
    @inlinable
    public static func backward(cache: Cache, parameters p: ModelParameters<Scalar>, configuration c: ModelConfiguration,
                                outputGradient: Matrix<Scalar>) -> Gradients {
        typealias A = Arithmetic
        let batch = cache.batch, s = cache.segments, d = outputGradient.columns
        var dMemory = A.zeros(cache.memoryRows, d)
        var dQueryTiled = A.zeros(batch * s, d)
        let final = A.layerNormBackward(cache.finalNorm, p.finalNorm, outputGradient: outputGradient)
        var dTarget = final.input
        var layerGradients: [ModelParameters<Scalar>.DecoderLayer] = []
        layerGradients.reserveCapacity(p.decoder.count)
        for (index, layer) in p.decoder.enumerated().reversed() {
            let lc = cache.layers[index]
            // t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
            let n3 = A.layerNormBackward(lc.norm3, layer.norm3, outputGradient: dTarget)
            let ff2 = A.linearBackward(lc.activated, layer.feedForward2, outputGradient: A.dropoutBackward(n3.input, mask: lc.outputDropout))
            var dHidden = A.dropoutBackward(ff2.input, mask: lc.hiddenDropout)
            A.reluBackward(lc.hidden, outputGradient: &dHidden)
            let ff1 = A.linearBackward(lc.afterNorm2, layer.feedForward1, outputGradient: dHidden)
            var dT2 = n3.input
            A.addInPlace(&dT2, ff1.input)
            // t₂ = LN₂(t₁ + Drop(CrossAttn(t₁ + Q_pos, M + P, M + P)))
            let n2 = A.layerNormBackward(lc.norm2, layer.norm2, outputGradient: dT2)
            let cross = A.attentionBackward(lc.crossAttention, layer.crossAttention,
                                            outputGradient: A.dropoutBackward(n2.input, mask: lc.crossDropout))
            A.addInPlace(&dMemory, cross.key, cross.value)
            A.addInPlace(&dQueryTiled, cross.query)
            var dT1 = n2.input
            A.addInPlace(&dT1, cross.query)
            // t₁ = LN₁(t + Drop(SelfAttn(t + Q_pos, t + Q_pos, t + Q_pos)))
            let n1 = A.layerNormBackward(lc.norm1, layer.norm1, outputGradient: dT1)
            let selfGrad = A.attentionBackward(lc.selfAttention, layer.selfAttention,
                                               outputGradient: A.dropoutBackward(n1.input, mask: lc.selfDropout))
            var dQ1 = selfGrad.query
            A.addInPlace(&dQ1, selfGrad.key)
            A.addInPlace(&dQ1, selfGrad.value)
            A.addInPlace(&dQueryTiled, dQ1)
            dTarget = n1.input
            A.addInPlace(&dTarget, dQ1)
            layerGradients.append(ModelParameters<Scalar>.DecoderLayer(
                selfAttention: selfGrad.parameters, crossAttention: cross.parameters,
                feedForward1: ff1.parameters, feedForward2: ff2.parameters,
                norm1: n1.parameters, norm2: n2.parameters, norm3: n3.parameters))
        }
        // Σ over the B copies of Q_pos (and of the learnable tgt₀).
        let dQuery = A.summedOverVideos(dQueryTiled, batch: batch, rows: s)
        let dTargetTable = c.targetRows > 0 ? A.summedOverVideos(dTarget, batch: batch, rows: s) : A.zeros(0, d)
        // P enters only as M + P (keys and values), so ∂L/∂P = ∂L/∂M.
        let dTable = MemoryPositions<A>.backward(frames: cache.frames, batch: batch, outputGradient: dMemory, configuration: c)
        return Gradients(memory: dMemory, queryPositions: dQuery, target: dTargetTable, memoryPositions: dTable,
                         layers: layerGradients.reversed(), finalNorm: final.parameters)
    }
}
