import CLOTCore

extension Optimized {
    /// The frame encoder of ASOT and CLOT in Float32: the wiring written once for both backends
    /// (`FrameEncoder`, whose doc comment has the equations), on the Optimized layers
    /// (`Optimized`'s `LayerArithmetic`): every product one sgemm, and the first layer's backward skips
    /// ∂X, the widest product of the pass.
    public typealias Encoder = FrameEncoder<Optimized>
}
