import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// `Optimized` (Float32, sgemm) against `Reference` (Double, loops): forward outputs and every
/// gradient, on random inputs of several shapes, padded batches included.
///
/// The Reference runs on the Float inputs widened to Double, so only the arithmetic differs.
/// Error measure: `scaledMaxError`, max |Optimized − Reference| / max |Reference| over a whole
/// tensor. Budget: `Tolerance.float32` = 1e-4. Why: every entry here is a sum of at most a few
/// hundred products (sgemm's k ≤ 256) and a few exp/log, each rounding at ε = 6e-8 relative
/// to the tensor's scale; even √k·ε·(a condition factor of 10–50 for the softmax at τ = 0.1
/// and for LayerNorm's centring) stays below 1e-5, ten times under the budget (measured: at
/// most 1.5e-6 over every tensor here). Entry-wise
/// relative error is not used: entries near 0 by cancellation carry an absolute error set by
/// the tensor's scale, not their own.
@Suite struct LayerAgreementTests {
    /// Rows × columns shapes: tiny, not a multiple of the 8-lane width, the training batch
    /// (2 videos × 256 frames × D = 40), wide inputs (d_in = 64 → 128, the Breakfast MLP).
    struct Shape: CustomTestStringConvertible, Sendable {
        var rows: Int, inputs: Int, outputs: Int
        var testDescription: String { "\(rows)×\(inputs)→\(outputs)" }
    }
    static let shapes = [Shape(rows: 3, inputs: 2, outputs: 5), Shape(rows: 13, inputs: 11, outputs: 7),
                         Shape(rows: 512, inputs: 40, outputs: 40), Shape(rows: 256, inputs: 64, outputs: 128)]

    @Test("Linear: y, ∂x, ∂W, ∂b", arguments: shapes)
    func linear(shape: Shape) {
        var g = MersenneTwister(seed: 11)
        let x = RandomMatrix.gaussian(shape.rows, shape.inputs, using: &g).roundedToFloat
        let w = RandomMatrix.gaussian(shape.outputs, shape.inputs, scale: 0.3, using: &g).roundedToFloat
        let b = RandomMatrix.gaussian(1, shape.outputs, using: &g).roundedToFloat.elements
        let dy = RandomMatrix.gaussian(shape.rows, shape.outputs, using: &g).roundedToFloat
        let reference = Reference.Linear.Parameters(weight: w, bias: b)
        let optimized = Optimized.Linear.Parameters(weight: w.float32, bias: b.map { Float($0) })
        expectAgree(Optimized.Linear.forward(x.float32, parameters: optimized),
                    Reference.Linear.forward(x, parameters: reference), "y")
        let o = Optimized.Linear.backward(x.float32, parameters: optimized, outputGradient: dy.float32)
        let r = Reference.Linear.backward(x, parameters: reference, outputGradient: dy)
        expectAgree(o.input, r.input, "∂x")
        expectAgree(o.parameters.weight, r.parameters.weight, "∂W")
        expectAgree(o.parameters.bias, r.parameters.bias, "∂b")
    }

    @Test("ReLU, RowNormalize, Dropout: forward and ∂x", arguments: shapes)
    func elementwise(shape: Shape) {
        var g = MersenneTwister(seed: 12)
        let x = RandomMatrix.gaussian(shape.rows, shape.inputs, using: &g).roundedToFloat
        let dy = RandomMatrix.gaussian(shape.rows, shape.inputs, using: &g).roundedToFloat
        expectAgree(Optimized.ReLU.forward(x.float32), Reference.ReLU.forward(x), "ReLU y")
        expectAgree(Optimized.ReLU.backward(x.float32, outputGradient: dy.float32),
                    Reference.ReLU.backward(x, outputGradient: dy), "ReLU ∂x")
        expectAgree(Optimized.RowNormalize.forward(x.float32), Reference.RowNormalize.forward(x), "RowNormalize y")
        expectAgree(Optimized.RowNormalize.backward(x.float32, outputGradient: dy.float32),
                    Reference.RowNormalize.backward(x, outputGradient: dy), "RowNormalize ∂x")
        // The same seed gives the same mask in both implementations.
        var g1 = MersenneTwister(seed: 99), g2 = MersenneTwister(seed: 99)
        let (yr, mr) = Reference.Dropout.forward(x, probability: 0.25, training: true, generator: &g1)
        let (yo, mo) = Optimized.Dropout.forward(x.float32, probability: 0.25, training: true, generator: &g2)
        #expect(mo == mr?.float32, "the two dropout masks differ")
        #expect(g1 == g2, "the two generators consumed different numbers of draws")
        expectAgree(yo, yr, "Dropout y")
        expectAgree(Optimized.Dropout.backward(outputGradient: dy.float32, mask: mo),
                    Reference.Dropout.backward(outputGradient: dy, mask: mr), "Dropout ∂x")
    }

    /// Softmax and the loss at the CLOT temperature τ = 0.1 on cosine-like logits in [−1, 1],
    /// with a third of the rows padded.
    @Test("SoftmaxWithTemperature and SoftCrossEntropy: P, ∂x, L, ∂logits", arguments: shapes)
    func softmaxAndLoss(shape: Shape) {
        var g = MersenneTwister(seed: 13)
        let tau = 0.1, k = shape.outputs
        let x = RandomMatrix.uniform(shape.rows, k, in: -1..<1, using: &g).roundedToFloat
        let dp = RandomMatrix.gaussian(shape.rows, k, using: &g).roundedToFloat
        let t = RandomMatrix.stochastic(shape.rows, k, using: &g).roundedToFloat
        let mask = (0..<shape.rows).map { $0 % 3 != 2 }
        let pr = Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
        let po = Optimized.SoftmaxWithTemperature.forward(x.float32, temperature: Float(tau))
        expectAgree(po, pr, "P")
        expectAgree(Optimized.SoftmaxWithTemperature.backward(probabilities: po, outputGradient: dp.float32, temperature: Float(tau)),
                    Reference.SoftmaxWithTemperature.backward(probabilities: pr, outputGradient: dp, temperature: tau), "softmax ∂x")
        let lr = Reference.SoftCrossEntropy.forward(probabilities: pr, targets: t, mask: mask)
        let lo = Optimized.SoftCrossEntropy.forward(probabilities: po, targets: t.float32, mask: mask)
        #expect(relativeError(lo, lr) < Tolerance.float32, "L: \(lo) vs \(lr)")
        expectAgree(Optimized.SoftCrossEntropy.probabilityGradient(probabilities: po, targets: t.float32, mask: mask),
                    Reference.SoftCrossEntropy.probabilityGradient(probabilities: pr, targets: t, mask: mask), "∂L/∂P")
        expectAgree(Optimized.SoftCrossEntropy.backward(probabilities: po, targets: t.float32, mask: mask, temperature: Float(tau)),
                    Reference.SoftCrossEntropy.backward(probabilities: pr, targets: t, mask: mask, temperature: tau), "∂L/∂logits")
    }

    /// Rows offset by 3 so LayerNorm's centring cancels (the two-pass variance is what keeps
    /// Float accurate there). The width is the shape's `outputs` (5, 7, 40, 128): at D = 2,
    /// x̂ = ±(1 − O(ε/Δ²)) whatever x is, so ∂x is an O(1e-5) number made by cancelling O(1)
    /// terms, which Float cannot resolve to 1e-4 of the tensor's scale (measured 2e-4) — an
    /// ill-conditioned case no model here uses, not a disagreement.
    @Test("LayerNorm: y, ∂x, ∂γ, ∂β", arguments: shapes)
    func layerNorm(shape: Shape) {
        var g = MersenneTwister(seed: 14)
        let d = shape.outputs
        let x = RandomMatrix.gaussian(shape.rows, d, using: &g).map { $0 + 3 }.roundedToFloat
        let gamma = RandomMatrix.gaussian(1, d, using: &g).roundedToFloat.elements
        let beta = RandomMatrix.gaussian(1, d, using: &g).roundedToFloat.elements
        let dy = RandomMatrix.gaussian(shape.rows, d, using: &g).roundedToFloat
        let reference = Reference.LayerNorm.Parameters(gamma: gamma, beta: beta)
        let optimized = Optimized.LayerNorm.Parameters(gamma: gamma.map { Float($0) }, beta: beta.map { Float($0) })
        let (yr, cr) = Reference.LayerNorm.forward(x, parameters: reference)
        let (yo, co) = Optimized.LayerNorm.forward(x.float32, parameters: optimized)
        expectAgree(yo, yr, "y")
        let r = Reference.LayerNorm.backward(cache: cr, parameters: reference, outputGradient: dy)
        let o = Optimized.LayerNorm.backward(cache: co, parameters: optimized, outputGradient: dy.float32)
        expectAgree(o.input, r.input, "∂x")
        expectAgree(o.parameters.gamma, r.parameters.gamma, "∂γ")
        expectAgree(o.parameters.beta, r.parameters.beta, "∂β")
    }

    @Test("SinusoidalPositions", arguments: [(7, 4), (300, 40), (5000, 33)])
    func sinusoid(length: Int, dimension: Int) {
        expectAgree(Optimized.SinusoidalPositions.forward(length: length, dimension: dimension),
                    Reference.SinusoidalPositions.forward(length: length, dimension: dimension), "PE")
    }

    /// Attention as the decoder uses it: cross-attention of a few segment queries over padded
    /// frames, the same at CLOT's width (D = 40, 8 heads, 256 frames), causal self-attention,
    /// and dropout on the weights (mask drawn from one seed by each implementation).
    struct AttentionShape: CustomTestStringConvertible, Sendable {
        var batch: Int, queries: Int, keys: Int, dimension: Int, heads: Int
        var padded: Bool, causal: Bool, dropout: Double
        var testDescription: String {
            "B\(batch) S\(queries) N\(keys) D\(dimension) H\(heads)" + (padded ? " padded" : "") + (causal ? " causal" : "")
                + (dropout > 0 ? " dropout \(dropout)" : "")
        }
    }
    static let attentionShapes = [
        AttentionShape(batch: 1, queries: 4, keys: 9, dimension: 8, heads: 2, padded: false, causal: false, dropout: 0),
        AttentionShape(batch: 2, queries: 5, keys: 12, dimension: 16, heads: 8, padded: true, causal: false, dropout: 0),
        AttentionShape(batch: 2, queries: 10, keys: 256, dimension: 40, heads: 8, padded: true, causal: false, dropout: 0),
        AttentionShape(batch: 3, queries: 7, keys: 7, dimension: 16, heads: 4, padded: false, causal: true, dropout: 0),
        AttentionShape(batch: 2, queries: 6, keys: 20, dimension: 16, heads: 4, padded: true, causal: false, dropout: 0.1),
    ]

    @Test("MultiHeadAttention: output, weights and every gradient", arguments: attentionShapes)
    func attention(shape: AttentionShape) {
        var g = MersenneTwister(seed: 15)
        let (b, s, n, d) = (shape.batch, shape.queries, shape.keys, shape.dimension)
        let query = RandomMatrix.gaussian(b * s, d, using: &g).roundedToFloat
        let key = shape.causal ? query : RandomMatrix.gaussian(b * n, d, using: &g).roundedToFloat
        let value = RandomMatrix.gaussian(b * n, d, using: &g).roundedToFloat
        let scale = (1 / Double(d)).squareRoot() * 2
        let inWeight = RandomMatrix.gaussian(3 * d, d, scale: scale, using: &g).roundedToFloat
        let inBias = RandomMatrix.gaussian(1, 3 * d, scale: 0.1, using: &g).roundedToFloat.elements
        let outWeight = RandomMatrix.gaussian(d, d, scale: scale, using: &g).roundedToFloat
        let outBias = RandomMatrix.gaussian(1, d, scale: 0.1, using: &g).roundedToFloat.elements
        let dy = RandomMatrix.gaussian(b * s, d, using: &g).roundedToFloat
        // Item i keeps its first n − 3i frames (the rest are padding: true = ignore).
        let padding: [Bool]? = shape.padded ? (0..<(b * n)).map { $0 % n >= n - 3 * ($0 / n) } : nil
        let reference = Reference.MultiHeadAttention.Parameters(inWeight: inWeight, inBias: inBias, outWeight: outWeight, outBias: outBias)
        let optimized = Optimized.MultiHeadAttention.Parameters(inWeight: inWeight.float32, inBias: inBias.map { Float($0) },
                                                                outWeight: outWeight.float32, outBias: outBias.map { Float($0) })
        var g1 = MersenneTwister(seed: 77), g2 = MersenneTwister(seed: 77)
        let (yr, cr) = Reference.MultiHeadAttention.forward(
            query: query, key: key, value: value, parameters: reference, heads: shape.heads, batch: b,
            keyPaddingMask: padding, causal: shape.causal, dropout: shape.dropout, generator: &g1)
        let (yo, co) = Optimized.MultiHeadAttention.forward(
            query: query.float32, key: key.float32, value: value.float32, parameters: optimized, heads: shape.heads, batch: b,
            keyPaddingMask: padding, causal: shape.causal, dropout: shape.dropout, generator: &g2)
        #expect(co.dropoutMask == cr.dropoutMask?.float32, "the two dropout masks differ")
        expectAgree(yo, yr, "output")
        expectAgree(co.weights, cr.weights, "weights")
        expectAgree(co.probabilities, cr.probabilities, "per-head weights")
        let r = Reference.MultiHeadAttention.backward(cache: cr, parameters: reference, outputGradient: dy)
        let o = Optimized.MultiHeadAttention.backward(cache: co, parameters: optimized, outputGradient: dy.float32)
        expectAgree(o.query, r.query, "∂query")
        expectAgree(o.key, r.key, "∂key")
        expectAgree(o.value, r.value, "∂value")
        expectAgree(o.parameters.inWeight, r.parameters.inWeight, "∂W_in")
        expectAgree(o.parameters.inBias, r.parameters.inBias, "∂b_in")
        expectAgree(o.parameters.outWeight, r.parameters.outWeight, "∂W_out")
        expectAgree(o.parameters.outBias, r.parameters.outBias, "∂b_out")
    }

    // MARK: Helpers

    func expectAgree(_ optimized: Matrix<Float>, _ reference: Matrix<Double>, _ label: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let error = scaledMaxError(optimized, reference)
        #expect(error < Tolerance.float32, "\(label): scaled error \(error)", sourceLocation: sourceLocation)
    }

    func expectAgree(_ optimized: [Float], _ reference: [Double], _ label: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let error = scaledMaxError(optimized, reference)
        #expect(error < Tolerance.float32, "\(label): scaled error \(error)", sourceLocation: sourceLocation)
    }
}
