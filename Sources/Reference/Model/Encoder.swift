import CLOTCore

extension Reference {
    /// The frame encoder of ASOT and CLOT (the ASOT code's MLP; CLOT §3.1) in Double:
    ///
    ///     F = rownorm(MLP(X)),   MLP = Linear → ReLU → Drop → … → Linear
    ///
    /// on raw features X, (B·T) × d_in → (B·T) × D. The wiring is written once for both backends
    /// (`FrameEncoder`); the arithmetic is Reference's layers (`Reference`'s `LayerArithmetic`).
    public typealias Encoder = FrameEncoder<Reference>
}
