import CLOTCore

extension Reference {
    /// The parallel transformer decoder of CLOT (§3.1; the released FUTR/DETR-style
    /// `transformer.py`) in Double: n_seg learnable queries attend to the frame memory. Per
    /// post-norm layer, with tgt₀ = 0 (or a learnable table), query positions Q_pos and memory
    /// positions P (`MemoryPositions`):
    ///
    ///     t₁ = LN₁(t + Drop(SelfAttn(q = k = v = t + Q_pos)))            (causal when autoregressive)
    ///     t₂ = LN₂(t₁ + Drop(CrossAttn(q = t₁ + Q_pos, k = v = M + P, ignoring padded frames)))
    ///     t₃ = LN₃(t₂ + Drop(W₂ Drop(ReLU(W₁ t₂))))
    ///
    /// then a final LayerNorm gives S. The wiring is written once for both backends
    /// (`SegmentDecoder`, whose doc comment has the details and the order of the dropout draws);
    /// the arithmetic is Reference's layers (`Reference`'s `LayerArithmetic`).
    public typealias Decoder = SegmentDecoder<Reference>
}
