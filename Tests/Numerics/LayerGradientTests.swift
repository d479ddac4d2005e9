import CLOTCore
import Implementations
import Reference
import Testing
import TestSupport

/// Every hand-written backward pass of the layers against central finite differences in
/// Double (`GradientCheck`: step, budget and why), for every input and every parameter, on
/// both implementations.
///
/// The objective is the scalar f = Σ (output ⊙ R) for a random R, so ∂f/∂output = R is the
/// gradient handed to `backward`, and each entry of the analytic gradient is compared with
///
///     (f(θ + h e_i) − f(θ − h e_i)) / 2h,   h = 1e-5,
///
/// f being the Reference forward pass in Double. The inputs are rounded to Float32 first, so
/// the Optimized backward pass sees the very point the differences are taken at; it is held to
/// `GradientCheck.floatBudget` (its own Float32 rounding), the Reference one to
/// `GradientCheck.budget`. A Float32 difference quotient would be no oracle (see `GradientCheck`).
@Suite struct LayerGradientTests {
    /// A random Gaussian matrix rounded to Float32 values (exactly representable in both).
    static func gaussian(_ rows: Int, _ columns: Int, scale: Double = 1, using g: inout MersenneTwister) -> Matrix<Double> {
        RandomMatrix.gaussian(rows, columns, scale: scale, using: &g).float32.float64
    }

    // MARK: Layers without parameters

    @Test("ReLU: ∂x", arguments: Implementation.allCases, 0..<3)
    func relu(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(6, 5, using: &g), r = Self.gaussian(6, 5, using: &g)
        let analytic = implementation.layers.reluBackward(x, outputGradient: r)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂x", budget: GradientCheck.budget(implementation)) {
            GradientCheck.objective(Reference.ReLU.forward($0), r)
        }
    }

    @Test("RowNormalize: ∂x", arguments: Implementation.allCases, 0..<3)
    func rowNormalize(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(5, 7, using: &g), r = Self.gaussian(5, 7, using: &g)
        let analytic = implementation.layers.rowNormalizeBackward(x, outputGradient: r)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂x", budget: GradientCheck.budget(implementation)) {
            GradientCheck.objective(Reference.RowNormalize.forward($0), r)
        }
    }

    /// Below the clamp ‖x‖ ≤ 1e-12 the map is x/1e-12, linear, so a step that keeps every row
    /// under the clamp (h = 1e-16 on entries of 1e-14) makes the difference exact up to rounding:
    /// ε·|f|/h ≈ 2e-16·0.1/1e-16, against gradient entries of 1e12. (Float32 holds entries of
    /// 1e-14 and their squares of 1e-28 as normal numbers, so the Optimized clamp is tested too.)
    @Test("RowNormalize: ∂x below the 1e-12 clamp", arguments: Implementation.allCases, 0..<3)
    func rowNormalizeClamped(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(3, 4, scale: 1e-14, using: &g), r = Self.gaussian(3, 4, using: &g)
        let analytic = implementation.layers.rowNormalizeBackward(x, outputGradient: r)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂x", step: 1e-16, budget: GradientCheck.budget(implementation)) {
            GradientCheck.objective(Reference.RowNormalize.forward($0), r)
        }
    }

    @Test("Dropout with a fixed mask: ∂x", arguments: Implementation.allCases, 0..<3)
    func dropout(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(6, 8, using: &g), r = Self.gaussian(6, 8, using: &g)
        let mask = Reference.Dropout.mask(rows: 6, columns: 8, probability: 0.3, generator: &g)
        #expect(mask.elements.contains(0) && mask.elements.contains(1 / 0.7), "the mask should drop and keep")
        let analytic = implementation.layers.dropoutBackward(outputGradient: r, mask: mask)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂x", budget: GradientCheck.budget(implementation)) {
            GradientCheck.objective(Reference.Dropout.forward($0, mask: mask), r)
        }
    }

    @Test("SoftmaxWithTemperature: ∂x", arguments: Implementation.allCases, 0..<3)
    func softmax(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let tau = 0.5
        let x = Self.gaussian(5, 6, using: &g), r = Self.gaussian(5, 6, using: &g)
        let layers = implementation.layers
        let analytic = layers.softmaxBackward(probabilities: layers.softmax(x, temperature: tau), outputGradient: r, temperature: tau)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂x", budget: GradientCheck.budget(implementation)) {
            GradientCheck.objective(Reference.SoftmaxWithTemperature.forward($0, temperature: tau), r)
        }
    }

    /// The loss through the softmax at τ = 0.1 (the CLOT value), on logits like cosine
    /// similarities (in [−1, 1]), with padded rows. Row 0 gets one logit pushed to −2.4, so at
    /// τ = 0.1 its probability is about 1e-11, the size of the log's offset: there the exact
    /// gradient is not (P − T)/(Rτ), and the finite differences see which one is computed.
    /// (1e-11 is a normal Float32 number, so the Optimized pass sees the offset as well.)
    @Test("SoftCrossEntropy: ∂logits through the softmax, masked rows, a probability near 1e-11",
          arguments: Implementation.allCases, 0..<3)
    func softCrossEntropy(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let tau = 0.1, rows = 7, k = 5
        var x = RandomMatrix.uniform(rows, k, in: -1..<1, using: &g).float32.float64
        x[0, 2] = -2.4
        x = x.float32.float64
        let t = RandomMatrix.stochastic(rows, k, using: &g).float32.float64
        let mask = [true, true, false, true, true, false, true]
        func loss(_ logits: Matrix<Double>) -> Double {
            Reference.SoftCrossEntropy.forward(probabilities: Reference.SoftmaxWithTemperature.forward(logits, temperature: tau),
                                               targets: t, mask: mask)
        }
        let p = implementation.layers.softmax(x, temperature: tau)
        // The probability sits below 1e-9 (a bound, not a tolerance: the offset is 1e-11).
        #expect(p[0, 2] < 1e-9, "row 0, class 2 should sit near the 1e-11 offset, got \(p[0, 2])")
        let lossGradient = 0.7   // ∂(objective)/∂L ≠ 1, so the scaling is checked too
        let analytic = implementation.layers.softCrossEntropyBackward(probabilities: p, targets: t, mask: mask,
                                                                       temperature: tau, lossGradient: lossGradient)
        GradientCheck.expect(analytic, of: x, "\(implementation) ∂logits", budget: GradientCheck.budget(implementation)) {
            lossGradient * loss($0)
        }
        // The offset matters at row 0: (P − T)/(Rτ) is off there by about T·1e-11/(P + 1e-11)/(Rτ).
        let naive = (p[0, 2] - t[0, 2]) * lossGradient / (Double(rows) * tau)
        #expect(abs(analytic[0, 2] - naive) > Tolerance.visible * abs(naive), "the 1e-11 offset should change the gradient at a tiny P")
        // Padded rows get no gradient.
        #expect(analytic.row(2).allSatisfy { $0 == 0 } && analytic.row(5).allSatisfy { $0 == 0 })
    }

    // MARK: Layers with parameters

    @Test("Linear: ∂x, ∂W, ∂b", arguments: Implementation.allCases, 0..<3)
    func linear(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(6, 4, using: &g)
        let weight = Self.gaussian(3, 4, using: &g), bias = Self.gaussian(1, 3, using: &g).elements
        let r = Self.gaussian(6, 3, using: &g)
        let analytic = implementation.layers.linearBackward(x, weight: weight, bias: bias, outputGradient: r)
        func f(_ x: Matrix<Double>, _ w: Matrix<Double>, _ b: [Double]) -> Double {
            GradientCheck.objective(Reference.Linear.forward(x, parameters: .init(weight: w, bias: b)), r)
        }
        let budget = GradientCheck.budget(implementation)
        GradientCheck.expect(analytic.input, of: x, "\(implementation) ∂x", budget: budget) { f($0, weight, bias) }
        GradientCheck.expect(analytic.weight, of: weight, "\(implementation) ∂W", budget: budget) { f(x, $0, bias) }
        GradientCheck.expect(analytic.bias, of: bias, "\(implementation) ∂b", budget: budget) { f(x, weight, $0) }
    }

    @Test("LayerNorm: ∂x, ∂γ, ∂β", arguments: Implementation.allCases, 0..<3)
    func layerNorm(_ implementation: Implementation, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = Self.gaussian(5, 6, using: &g)
        let gamma = Self.gaussian(1, 6, using: &g).elements, beta = Self.gaussian(1, 6, using: &g).elements
        let r = Self.gaussian(5, 6, using: &g)
        let analytic = implementation.layers.layerNormBackward(x, gamma: gamma, beta: beta, outputGradient: r)
        func f(_ x: Matrix<Double>, _ gamma: [Double], _ beta: [Double]) -> Double {
            GradientCheck.objective(Reference.LayerNorm.forward(x, parameters: .init(gamma: gamma, beta: beta)).output, r)
        }
        let budget = GradientCheck.budget(implementation)
        GradientCheck.expect(analytic.input, of: x, "\(implementation) ∂x", budget: budget) { f($0, gamma, beta) }
        GradientCheck.expect(analytic.gamma, of: gamma, "\(implementation) ∂γ", budget: budget) { f(x, $0, beta) }
        GradientCheck.expect(analytic.beta, of: beta, "\(implementation) ∂β", budget: budget) { f(x, gamma, $0) }
    }

    /// The attention variants the CLOT decoder uses: cross-attention over padded frames (key
    /// padding mask), causal self-attention (the autoregressive decoder), and attention dropout
    /// with a fixed mask; two sequences per batch, D = 8 in 2 heads. Reference only: the
    /// Optimized attention takes its own parameter and cache types, which `LayerOperations`
    /// does not carry; its backward pass is held to this one by `LayerAgreementTests`.
    enum AttentionCase: String, CaseIterable, CustomTestStringConvertible {
        case cross, crossPadded, causalSelf, paddedWithDropout
        var testDescription: String { rawValue }
    }

    @Test("MultiHeadAttention: ∂query, ∂key, ∂value, ∂W_in, ∂b_in, ∂W_out, ∂b_out",
          arguments: AttentionCase.allCases, 0..<3)
    func multiHeadAttention(variant: AttentionCase, seed: Int) {
        var g = MersenneTwister(seed: seed)
        let d = 8, heads = 2, batch = 2
        let s = variant == .causalSelf ? 5 : 3, n = 5
        let query = RandomMatrix.gaussian(batch * s, d, using: &g)
        let key = variant == .causalSelf ? query : RandomMatrix.gaussian(batch * n, d, using: &g)
        let value = RandomMatrix.gaussian(batch * n, d, using: &g)
        let parameters = Reference.MultiHeadAttention.Parameters(
            inWeight: RandomMatrix.gaussian(3 * d, d, scale: 0.5, using: &g),
            inBias: RandomMatrix.gaussian(1, 3 * d, scale: 0.5, using: &g).elements,
            outWeight: RandomMatrix.gaussian(d, d, scale: 0.5, using: &g),
            outBias: RandomMatrix.gaussian(1, d, scale: 0.5, using: &g).elements)
        // Item 0 ignores its last key, item 1 its last two (torch: true = ignore).
        let padding: [Bool]? = (variant == .crossPadded || variant == .paddedWithDropout)
            ? [false, false, false, false, true, false, false, false, true, true] : nil
        let dropout = variant == .paddedWithDropout
            ? Reference.Dropout.mask(rows: batch * heads * s, columns: n, probability: 0.2, generator: &g) : nil
        let causal = variant == .causalSelf
        let r = RandomMatrix.gaussian(batch * s, d, using: &g)
        func f(_ q: Matrix<Double>, _ k: Matrix<Double>, _ v: Matrix<Double>, _ p: Reference.MultiHeadAttention.Parameters) -> Double {
            GradientCheck.objective(Reference.MultiHeadAttention.forward(query: q, key: k, value: v, parameters: p, heads: heads, batch: batch,
                                                           keyPaddingMask: padding, causal: causal, dropoutMask: dropout).output, r)
        }
        let (_, cache) = Reference.MultiHeadAttention.forward(query: query, key: key, value: value, parameters: parameters,
                                                              heads: heads, batch: batch, keyPaddingMask: padding,
                                                              causal: causal, dropoutMask: dropout)
        let analytic = Reference.MultiHeadAttention.backward(cache: cache, parameters: parameters, outputGradient: r)
        GradientCheck.expect(analytic.query, of: query, "∂query") { f($0, key, value, parameters) }
        GradientCheck.expect(analytic.key, of: key, "∂key") { f(query, $0, value, parameters) }
        GradientCheck.expect(analytic.value, of: value, "∂value") { f(query, key, $0, parameters) }
        typealias P = Reference.MultiHeadAttention.Parameters
        let p = parameters
        GradientCheck.expect(analytic.parameters.inWeight, of: p.inWeight, "∂W_in") {
            f(query, key, value, P(inWeight: $0, inBias: p.inBias, outWeight: p.outWeight, outBias: p.outBias))
        }
        GradientCheck.expect(analytic.parameters.inBias, of: p.inBias, "∂b_in") {
            f(query, key, value, P(inWeight: p.inWeight, inBias: $0, outWeight: p.outWeight, outBias: p.outBias))
        }
        GradientCheck.expect(analytic.parameters.outWeight, of: p.outWeight, "∂W_out") {
            f(query, key, value, P(inWeight: p.inWeight, inBias: p.inBias, outWeight: $0, outBias: p.outBias))
        }
        GradientCheck.expect(analytic.parameters.outBias, of: p.outBias, "∂b_out") {
            f(query, key, value, P(inWeight: p.inWeight, inBias: p.inBias, outWeight: p.outWeight, outBias: $0))
        }
        if let padding {
            // A masked key or value row has no influence, so its gradient is exactly 0.
            for row in padding.indices where padding[row] {
                #expect(analytic.key.row(row).allSatisfy { $0 == 0 } && analytic.value.row(row).allSatisfy { $0 == 0 })
            }
        }
        if variant == .causalSelf {
            // Self-attention, q = k = the same tensor: the total is ∂query + ∂key, checked as one.
            let total = Matrix(rows: query.rows, columns: d, elements: zip(analytic.query.elements, analytic.key.elements).map { $0 + $1 })
            GradientCheck.expect(total, of: query, "∂(query = key)") { f($0, $0, value, parameters) }
        }
    }
}
