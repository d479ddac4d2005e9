import CLOTCore
import Reference
import Testing
import TestSupport

/// Every hand-written backward pass of `Reference`'s layers against central finite differences
/// in Double, for every input and every parameter (the Optimized backward passes are held to
/// these by `LayerAgreementTests`).
///
/// The objective is the scalar f = Σ (output ⊙ R) for a random R, so ∂f/∂output = R is the
/// gradient handed to `backward`, and each entry of the analytic gradient is compared with
///
///     (f(θ + h e_i) − f(θ − h e_i)) / 2h,   h = 1e-5.
///
/// Why h = 1e-5: the central difference's truncation error is h²·f'''/6 ≈ 2e-11·f''' and its
/// rounding error is about ε·|f|/h ≈ 2e-11·|f| (ε = 2.2e-16); h ≈ ε^(1/3) ≈ 6e-6 balances the
/// two, so with inputs of order 1 both stay near 1e-10 (measured: at most 3e-10 over every
/// case here), four orders below the 1e-6 budget.
/// The error is norm-wise, ‖analytic − numeric‖₂ / ‖numeric‖₂ over a whole gradient tensor,
/// so entries that vanish (masked keys, ReLU's dead inputs) are checked without dividing by 0.
@Suite struct LayerGradientTests {
    /// The finite-difference step (see the suite comment).
    static let step = 1e-5
    /// The budget for ‖analytic − numeric‖ / ‖numeric‖: 1e-6, against a measured error of at
    /// most 3e-10 (truncation and rounding above); a wrong term in a backward pass gives O(1).
    static let budget = 1e-6

    // MARK: Layers without parameters

    @Test("ReLU: ∂x", arguments: 0..<3)
    func relu(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(6, 5, using: &g), r = RandomMatrix.gaussian(6, 5, using: &g)
        let analytic = Reference.ReLU.backward(x, outputGradient: r)
        expectGradient(analytic, of: x, "∂x") { objective(Reference.ReLU.forward($0), r) }
    }

    @Test("RowNormalize: ∂x", arguments: 0..<3)
    func rowNormalize(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(5, 7, using: &g), r = RandomMatrix.gaussian(5, 7, using: &g)
        let analytic = Reference.RowNormalize.backward(x, outputGradient: r)
        expectGradient(analytic, of: x, "∂x") { objective(Reference.RowNormalize.forward($0), r) }
    }

    /// Below the clamp ‖x‖ ≤ 1e-12 the map is x/1e-12, linear, so a step that keeps every row
    /// under the clamp (h = 1e-16 on entries of 1e-14) makes the difference exact up to rounding:
    /// ε·|f|/h ≈ 2e-16·0.1/1e-16, against gradient entries of 1e12.
    @Test("RowNormalize: ∂x below the 1e-12 clamp", arguments: 0..<3)
    func rowNormalizeClamped(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(3, 4, scale: 1e-14, using: &g), r = RandomMatrix.gaussian(3, 4, using: &g)
        let analytic = Reference.RowNormalize.backward(x, outputGradient: r)
        expectGradient(analytic, of: x, "∂x", step: 1e-16) { objective(Reference.RowNormalize.forward($0), r) }
    }

    @Test("Dropout with a fixed mask: ∂x", arguments: 0..<3)
    func dropout(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(6, 8, using: &g), r = RandomMatrix.gaussian(6, 8, using: &g)
        let mask = Reference.Dropout.mask(rows: 6, columns: 8, probability: 0.3, generator: &g)
        #expect(mask.elements.contains(0) && mask.elements.contains(1 / 0.7), "the mask should drop and keep")
        let analytic = Reference.Dropout.backward(outputGradient: r, mask: mask)
        expectGradient(analytic, of: x, "∂x") { objective(Reference.Dropout.forward($0, mask: mask), r) }
    }

    @Test("SoftmaxWithTemperature: ∂x", arguments: 0..<3)
    func softmax(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let tau = 0.5
        let x = RandomMatrix.gaussian(5, 6, using: &g), r = RandomMatrix.gaussian(5, 6, using: &g)
        let p = Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
        let analytic = Reference.SoftmaxWithTemperature.backward(probabilities: p, outputGradient: r, temperature: tau)
        expectGradient(analytic, of: x, "∂x") { objective(Reference.SoftmaxWithTemperature.forward($0, temperature: tau), r) }
    }

    /// The loss through the softmax at τ = 0.1 (the CLOT value), on logits like cosine
    /// similarities (in [−1, 1]), with padded rows. Row 0 gets one logit pushed to −2.4, so at
    /// τ = 0.1 its probability is about 1e-11, the size of the log's offset: there the exact
    /// gradient is not (P − T)/(Rτ), and the finite differences see which one is computed.
    @Test("SoftCrossEntropy: ∂logits through the softmax, masked rows, a probability near 1e-11", arguments: 0..<3)
    func softCrossEntropy(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let tau = 0.1, rows = 7, k = 5
        var x = RandomMatrix.uniform(rows, k, in: -1..<1, using: &g)
        x[0, 2] = -2.4
        let t = RandomMatrix.stochastic(rows, k, using: &g)
        let mask = [true, true, false, true, true, false, true]
        func loss(_ logits: Matrix<Double>) -> Double {
            Reference.SoftCrossEntropy.forward(probabilities: Reference.SoftmaxWithTemperature.forward(logits, temperature: tau),
                                               targets: t, mask: mask)
        }
        let p = Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
        #expect(p[0, 2] < 1e-9, "row 0, class 2 should sit near the 1e-11 offset, got \(p[0, 2])")
        let lossGradient = 0.7   // ∂(objective)/∂L ≠ 1, so the scaling is checked too
        let analytic = Reference.SoftCrossEntropy.backward(probabilities: p, targets: t, mask: mask,
                                                           temperature: tau, lossGradient: lossGradient)
        expectGradient(analytic, of: x, "∂logits") { lossGradient * loss($0) }
        // The offset matters at row 0: (P − T)/(Rτ) is off there by about T·1e-11/(P + 1e-11)/(Rτ).
        let naive = (p[0, 2] - t[0, 2]) * lossGradient / (Double(rows) * tau)
        #expect(abs(analytic[0, 2] - naive) > 1e-3 * abs(naive), "the 1e-11 offset should change the gradient at a tiny P")
        // Padded rows get no gradient.
        #expect(analytic.row(2).allSatisfy { $0 == 0 } && analytic.row(5).allSatisfy { $0 == 0 })
    }

    // MARK: Layers with parameters

    @Test("Linear: ∂x, ∂W, ∂b", arguments: 0..<3)
    func linear(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(6, 4, using: &g)
        let parameters = Reference.Linear.Parameters(weight: RandomMatrix.gaussian(3, 4, using: &g),
                                                     bias: RandomMatrix.gaussian(1, 3, using: &g).elements)
        let r = RandomMatrix.gaussian(6, 3, using: &g)
        let analytic = Reference.Linear.backward(x, parameters: parameters, outputGradient: r)
        func f(_ x: Matrix<Double>, _ p: Reference.Linear.Parameters) -> Double {
            objective(Reference.Linear.forward(x, parameters: p), r)
        }
        expectGradient(analytic.input, of: x, "∂x") { f($0, parameters) }
        expectGradient(analytic.parameters.weight, of: parameters.weight, "∂W") { w in
            f(x, .init(weight: w, bias: parameters.bias))
        }
        expectGradient(analytic.parameters.bias, of: parameters.bias, "∂b") { b in
            f(x, .init(weight: parameters.weight, bias: b))
        }
    }

    @Test("LayerNorm: ∂x, ∂γ, ∂β", arguments: 0..<3)
    func layerNorm(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(5, 6, using: &g)
        let parameters = Reference.LayerNorm.Parameters(gamma: RandomMatrix.gaussian(1, 6, using: &g).elements,
                                                        beta: RandomMatrix.gaussian(1, 6, using: &g).elements)
        let r = RandomMatrix.gaussian(5, 6, using: &g)
        let (_, cache) = Reference.LayerNorm.forward(x, parameters: parameters)
        let analytic = Reference.LayerNorm.backward(cache: cache, parameters: parameters, outputGradient: r)
        func f(_ x: Matrix<Double>, _ p: Reference.LayerNorm.Parameters) -> Double {
            objective(Reference.LayerNorm.forward(x, parameters: p).output, r)
        }
        expectGradient(analytic.input, of: x, "∂x") { f($0, parameters) }
        expectGradient(analytic.parameters.gamma, of: parameters.gamma, "∂γ") { f(x, .init(gamma: $0, beta: parameters.beta)) }
        expectGradient(analytic.parameters.beta, of: parameters.beta, "∂β") { f(x, .init(gamma: parameters.gamma, beta: $0)) }
    }

    /// The attention variants the CLOT decoder uses: cross-attention over padded frames (key
    /// padding mask), causal self-attention (the autoregressive decoder), and attention dropout
    /// with a fixed mask; two sequences per batch, D = 8 in 2 heads.
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
            objective(Reference.MultiHeadAttention.forward(query: q, key: k, value: v, parameters: p, heads: heads, batch: batch,
                                                           keyPaddingMask: padding, causal: causal, dropoutMask: dropout).output, r)
        }
        let (_, cache) = Reference.MultiHeadAttention.forward(query: query, key: key, value: value, parameters: parameters,
                                                              heads: heads, batch: batch, keyPaddingMask: padding,
                                                              causal: causal, dropoutMask: dropout)
        let analytic = Reference.MultiHeadAttention.backward(cache: cache, parameters: parameters, outputGradient: r)
        expectGradient(analytic.query, of: query, "∂query") { f($0, key, value, parameters) }
        expectGradient(analytic.key, of: key, "∂key") { f(query, $0, value, parameters) }
        expectGradient(analytic.value, of: value, "∂value") { f(query, key, $0, parameters) }
        typealias P = Reference.MultiHeadAttention.Parameters
        let p = parameters
        expectGradient(analytic.parameters.inWeight, of: p.inWeight, "∂W_in") {
            f(query, key, value, P(inWeight: $0, inBias: p.inBias, outWeight: p.outWeight, outBias: p.outBias))
        }
        expectGradient(analytic.parameters.inBias, of: p.inBias, "∂b_in") {
            f(query, key, value, P(inWeight: p.inWeight, inBias: $0, outWeight: p.outWeight, outBias: p.outBias))
        }
        expectGradient(analytic.parameters.outWeight, of: p.outWeight, "∂W_out") {
            f(query, key, value, P(inWeight: p.inWeight, inBias: p.inBias, outWeight: $0, outBias: p.outBias))
        }
        expectGradient(analytic.parameters.outBias, of: p.outBias, "∂b_out") {
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
            expectGradient(total, of: query, "∂(query = key)") { f($0, $0, value, parameters) }
        }
    }

    // MARK: Helpers

    /// f = Σ (output ⊙ R).
    func objective(_ output: Matrix<Double>, _ r: Matrix<Double>) -> Double {
        precondition(output.rows == r.rows && output.columns == r.columns)
        return zip(output.elements, r.elements).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Compares an analytic gradient with central differences of f around `point`.
    func expectGradient(_ analytic: Matrix<Double>, of point: Matrix<Double>, _ label: String, step: Double = step,
                        sourceLocation: SourceLocation = #_sourceLocation, _ f: (Matrix<Double>) -> Double) {
        precondition(analytic.rows == point.rows && analytic.columns == point.columns, "\(label): shapes differ")
        expectGradient(analytic.elements, of: point.elements, label, step: step, sourceLocation: sourceLocation) {
            f(Matrix(rows: point.rows, columns: point.columns, elements: $0))
        }
    }

    func expectGradient(_ analytic: [Double], of point: [Double], _ label: String, step h: Double = step,
                        sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Double]) -> Double) {
        precondition(analytic.count == point.count, "\(label): sizes differ")
        var x = point
        var difference = 0.0, norm = 0.0
        for i in x.indices {
            x[i] = point[i] + h
            let up = f(x)
            x[i] = point[i] - h
            let down = f(x)
            x[i] = point[i]
            let numeric = (up - down) / (2 * h)
            difference += (analytic[i] - numeric) * (analytic[i] - numeric)
            norm += numeric * numeric
        }
        let error = difference == 0 ? 0 : (difference / max(norm, .leastNormalMagnitude)).squareRoot()
        #expect(norm > 0, "\(label): the numeric gradient vanishes, so the check is empty", sourceLocation: sourceLocation)
        #expect(error < Self.budget, "\(label): relative error \(error) against finite differences", sourceLocation: sourceLocation)
    }
}
