/// Buffers of one `Optimized.solveASOT` call in the marginal modes other than the default
/// (which runs on `FusedASOTItem`), allocated once so the iteration loops allocate nothing.
/// Laid out per batch item, row-major N × K.
final class ASOTWorkspace {
    let batch: Int, frames: Int, clusters: Int
    let plans: UnsafeMutableBufferPointer<Float>
    let fused: UnsafeMutableBufferPointer<Float>
    let gradients: UnsafeMutableBufferPointer<Float>
    let prefix: UnsafeMutableBufferPointer<Double>
    let rowMass: UnsafeMutableBufferPointer<Float>
    let columnMass: UnsafeMutableBufferPointer<Float>
    // Balanced projection (the official Sinkhorn), batch-wide as officially.
    let kernel: UnsafeMutableBufferPointer<Float>
    let a: UnsafeMutableBufferPointer<Float>, b: UnsafeMutableBufferPointer<Float>
    let u: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>

    init(batch: Int, frames: Int, clusters: Int, balanced: Bool) {
        self.batch = batch
        self.frames = frames
        self.clusters = clusters
        let size = batch * frames * clusters
        func make<T: Numeric>(_ count: Int, _: T.Type) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0)
            return p
        }
        plans = make(size, Float.self)
        fused = make(size, Float.self)
        gradients = make(size, Float.self)
        prefix = make((frames + 1) * clusters, Double.self)
        rowMass = make(frames, Float.self)
        columnMass = make(clusters, Float.self)
        kernel = make(balanced ? size : 0, Float.self)
        a = make(batch * frames, Float.self)
        b = make(batch * clusters, Float.self)
        u = make(batch * frames, Float.self)
        v = make(batch * clusters, Float.self)
    }

    deinit {
        for p in [plans, fused, gradients, rowMass, columnMass, kernel, a, b, u, v] { p.deallocate() }
        prefix.deallocate()
    }

    /// Item `index`'s N × K slice of a batch-wide buffer.
    func item(_ buffer: UnsafeMutableBufferPointer<Float>, _ index: Int) -> UnsafeMutableBufferPointer<Float> {
        let size = frames * clusters
        return UnsafeMutableBufferPointer(rebasing: buffer[(index * size)..<((index + 1) * size)])
    }
}
