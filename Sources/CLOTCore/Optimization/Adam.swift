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
        for i in parameters.indices {
            let g = gradient[i] + weightDecay * parameters[i]
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g
            let denominator = secondMoment[i].squareRoot() / correction2Root + epsilon
            parameters[i] -= stepSize * firstMoment[i] / denominator
        }
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
