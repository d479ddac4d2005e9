import CLOTCore

extension Optimized {
    /// The parallel transformer decoder of CLOT in Float32: the wiring written once for both
    /// backends (`SegmentDecoder`, whose doc comment has the equations and the order of the
    /// dropout draws, the same in both backends), on the Optimized layers (`Optimized`'s `LayerArithmetic`),
    /// every product on sgemm.
    public typealias Decoder = SegmentDecoder<Optimized>
}
