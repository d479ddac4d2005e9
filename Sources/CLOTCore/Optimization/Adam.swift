/// Adam [Kingma & Ba 2015] with L2 weight decay added to the gradient, step for step as
/// `torch.optim.Adam(params, lr, weight_decay)` applies it (not AdamW):
///
///     g ← g + λ·p
///     m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// One instance holds the moments of one parameter tensor (flattened). Its state is Codable
/// so training checkpoints can resume exactly. Generic over the scalar so both backends share
/// the one implementation (it is elementwise bookkeeping, not a kernel worth two versions).
///
/// [Kingma & Ba 2015]: https://arxiv.org/abs/1412.6980
public struct Adam<Scalar: BinaryFloatingPoint & Codable & Sendable>: Codable, Sendable, Equatable {
    public var learningRate: Scalar
    public var weightDecay: Scalar
    public var beta1: Scalar = 0.9
    public var beta2: Scalar = 0.999
    public var epsilon: Scalar = 1e-8
    public var step = 0
    public var firstMoment: [Scalar]
    public var secondMoment: [Scalar]

    public init(count: Int, learningRate: Scalar, weightDecay: Scalar = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        firstMoment = Array(repeating: 0, count: count)
        secondMoment = Array(repeating: 0, count: count)
    }

    /// Applies one update to `parameters` given their `gradient`.
    @inlinable
    public mutating func update(_ parameters: inout [Scalar], gradient: [Scalar]) {
        precondition(parameters.count == firstMoment.count && gradient.count == firstMoment.count, "Adam: size mismatch")
        step += 1
        // Bias corrections in Double, as torch computes `1 - beta ** step` in Python floats.
        let correction1 = Scalar(1 - power(Double(beta1), step))
        let correction2Root = Scalar((1 - power(Double(beta2), step)).squareRoot())
        let stepSize = learningRate / correction1
        let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)
        // Over buffers (no bounds or uniqueness checks per element); Float runs eight lanes at
        // a time. Every lane does the scalar formula's IEEE operations in the same order
        // (Swift never contracts a·b + c), so both paths give the same bits.
        gradient.withUnsafeBufferPointer { gp in
        parameters.withUnsafeMutableBufferPointer { pp in
        firstMoment.withUnsafeMutableBufferPointer { mp in
        secondMoment.withUnsafeMutableBufferPointer { vp in
            var start = 0
            if Scalar.self == Float.self {
                start = adamLanes(count: pp.count, UnsafeRawPointer(gp.baseAddress), UnsafeMutableRawPointer(pp.baseAddress),
                                  UnsafeMutableRawPointer(mp.baseAddress), UnsafeMutableRawPointer(vp.baseAddress),
                                  Float(beta1), Float(beta2), Float(epsilon), Float(weightDecay),
                                  Float(stepSize), Float(correction2Root))
            }
            for i in start..<pp.count {
                let g = gp[i] + weightDecay * pp[i]
                let m = beta1 * mp[i] + (1 - beta1) * g
                let v = beta2 * vp[i] + (1 - beta2) * g * g
                mp[i] = m
                vp[i] = v
                let denominator = v.squareRoot() / correction2Root + epsilon
                pp[i] -= stepSize * m / denominator
            }
        }}}}
    }

    /// xⁿ by repeated squaring (O(log n), so late steps cost no more than early ones).
    @usableFromInline
    func power(_ x: Double, _ n: Int) -> Double {
        var result = 1.0, base = x, exponent = n
        while exponent > 0 {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
        }
        return result
    }
}

/// The Float update eight lanes at a time over the first ⌊count/8⌋·8 entries (Adam.update's
/// formula, operation for operation); returns where the scalar remainder starts.
@usableFromInline
func adamLanes(count: Int, _ g: UnsafeRawPointer?, _ p: UnsafeMutableRawPointer?, _ m: UnsafeMutableRawPointer?,
               _ v: UnsafeMutableRawPointer?, _ beta1: Float, _ beta2: Float, _ epsilon: Float, _ weightDecay: Float,
               _ stepSize: Float, _ correction2Root: Float) -> Int {
    guard count >= 8, let g, let p, let m, let v else { return 0 }
    typealias F8 = SIMD8<Float>
    let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
    var i = 0
    while i + 8 <= count {
        let offset = 4 * i
        let pi = p.loadUnaligned(fromByteOffset: offset, as: F8.self)
        let gi = g.loadUnaligned(fromByteOffset: offset, as: F8.self) + weightDecay * pi
        let mi = beta1 * m.loadUnaligned(fromByteOffset: offset, as: F8.self) + oneMinusBeta1 * gi
        let vi = beta2 * v.loadUnaligned(fromByteOffset: offset, as: F8.self) + oneMinusBeta2 * gi * gi
        m.storeBytes(of: mi, toByteOffset: offset, as: F8.self)
        v.storeBytes(of: vi, toByteOffset: offset, as: F8.self)
        // v ≥ 0 (never −0: (1 − β₂)g² is +0 or positive), so √|v| is √v; the |·| lets LLVM
        // drop sqrtf's errno branch and use one vsqrtps instead of eight checked sqrtss.
        var root = F8()
        for k in 0..<8 { root[k] = Swift.abs(vi[k]).squareRoot() }
        let denominator = root / correction2Root + epsilon
        p.storeBytes(of: pi - stepSize * mi / denominator, toByteOffset: offset, as: F8.self)
        i += 8
    }
    return i
}
