import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// Invariants of the layers, checked on both implementations: attention rows are
/// distributions that ignore masked keys (and the padded features behind them), normalised
/// rows have unit norm, LayerNorm standardises before its affine part, dropout is the identity
/// at p = 0 and replays from its seed, softmax rows sum to 1, and the sinusoid matches values
/// worked out by hand.
///
/// Tolerances: `Tolerance.double` (1e-10) for Reference, whose only error is Double rounding of
/// sums of ≤ 256 terms; `Tolerance.float32` (1e-4) for Optimized, Float rounding of the same
/// sums (a few hundred ε = 6e-8). Where a property is exact by construction (a masked weight
/// is 0, an ignored input changes nothing) the check is exact equality.
@Suite struct LayerPropertyTests {
    // MARK: Attention

    struct AttentionProblem {
        var query: Matrix<Double>, key: Matrix<Double>, value: Matrix<Double>
        var parameters: Reference.MultiHeadAttention.Parameters
        var padding: [Bool]
        let batch = 2, queries = 4, keys = 9, dimension = 16, heads = 4

        init(seed: Int) {
            var g = MersenneTwister(seed: seed)
            let d = dimension
            query = RandomMatrix.gaussian(batch * queries, d, using: &g).roundedToFloat
            key = RandomMatrix.gaussian(batch * keys, d, using: &g).roundedToFloat
            value = RandomMatrix.gaussian(batch * keys, d, using: &g).roundedToFloat
            parameters = .init(inWeight: RandomMatrix.gaussian(3 * d, d, scale: 0.5, using: &g).roundedToFloat,
                               inBias: RandomMatrix.gaussian(1, 3 * d, scale: 0.1, using: &g).roundedToFloat.elements,
                               outWeight: RandomMatrix.gaussian(d, d, scale: 0.5, using: &g).roundedToFloat,
                               outBias: RandomMatrix.gaussian(1, d, scale: 0.1, using: &g).roundedToFloat.elements)
            // Item 0 ignores its last 2 frames, item 1 its last 5 (torch: true = ignore).
            let n = keys
            padding = (0..<(batch * n)).map { $0 < n ? $0 % n >= n - 2 : $0 % n >= n - 5 }
        }

        var optimizedParameters: Optimized.MultiHeadAttention.Parameters {
            .init(inWeight: parameters.inWeight.float32, inBias: parameters.inBias.map { Float($0) },
                  outWeight: parameters.outWeight.float32, outBias: parameters.outBias.map { Float($0) })
        }

        func reference(key: Matrix<Double>? = nil, value: Matrix<Double>? = nil, causal: Bool = false)
            -> (output: Matrix<Double>, cache: Reference.MultiHeadAttention.Cache) {
            Reference.MultiHeadAttention.forward(query: query, key: key ?? self.key, value: value ?? self.value,
                                                 parameters: parameters, heads: heads, batch: batch,
                                                 keyPaddingMask: padding, causal: causal)
        }

        func optimized(key: Matrix<Double>? = nil, value: Matrix<Double>? = nil, causal: Bool = false)
            -> (output: Matrix<Float>, cache: Optimized.MultiHeadAttention.Cache) {
            Optimized.MultiHeadAttention.forward(query: query.float32, key: (key ?? self.key).float32,
                                                 value: (value ?? self.value).float32, parameters: optimizedParameters,
                                                 heads: heads, batch: batch, keyPaddingMask: padding, causal: causal)
        }
    }

    @Test("attention rows sum to 1 and masked keys get weight 0 (per head and averaged)", arguments: 0..<3)
    func attentionWeights(seed: Int) {
        let problem = AttentionProblem(seed: seed)
        for causal in [false, true] {
            let r = problem.reference(causal: causal).cache, o = problem.optimized(causal: causal).cache
            for (weights, tolerance) in [(r.probabilities, Tolerance.double), (r.weights, Tolerance.double),
                                         (o.probabilities.float64, Tolerance.float32), (o.weights.float64, Tolerance.float32)] {
                for row in 0..<weights.rows {
                    expectClose(weights.row(row).reduce(0, +), 1, tolerance: tolerance, "row \(row) (causal: \(causal))")
                }
            }
            // Per-head rows are (b·H + h)·S + s; averaged rows are b·S + s.
            let s = problem.queries, n = problem.keys, heads = problem.heads
            for b in 0..<problem.batch {
                for j in 0..<n {
                    for i in 0..<s {
                        let hidden = problem.padding[b * n + j] || (causal && j > i)
                        guard hidden else { continue }
                        #expect(r.weights[b * s + i, j] == 0 && o.weights[b * s + i, j] == 0, "item \(b), query \(i), key \(j)")
                        for h in 0..<heads {
                            let row = (b * heads + h) * s + i
                            #expect(r.probabilities[row, j] == 0 && o.probabilities[row, j] == 0)
                        }
                    }
                }
            }
        }
    }

    @Test("changing the features of padded keys and values changes nothing", arguments: 0..<3)
    func paddedKeysAreIgnored(seed: Int) {
        let problem = AttentionProblem(seed: seed)
        var g = MersenneTwister(seed: 1000 + seed)
        var key = problem.key, value = problem.value
        for row in problem.padding.indices where problem.padding[row] {
            for c in 0..<problem.dimension {
                key[row, c] = Double(Float(100 * g.gaussian()))
                value[row, c] = Double(Float(100 * g.gaussian()))
            }
        }
        #expect(problem.reference().output == problem.reference(key: key, value: value).output)
        #expect(problem.optimized().output == problem.optimized(key: key, value: value).output)
    }

    /// A sequence whose every key is padding: torch returns NaN there; here its queries get
    /// zero weights, a zero attention output (so O = b_out) and zero, finite gradients.
    @Test("a query with every key masked gets zero weights and output b_out")
    func fullyMaskedSequence() {
        var problem = AttentionProblem(seed: 7)
        let n = problem.keys, s = problem.queries
        problem.padding = (0..<(2 * n)).map { $0 >= n }          // item 1: all padding
        let (yr, cr) = problem.reference()
        let (yo, co) = problem.optimized()
        var g = MersenneTwister(seed: 8)
        let dy = RandomMatrix.gaussian(2 * s, problem.dimension, using: &g)
        let gr = Reference.MultiHeadAttention.backward(cache: cr, parameters: problem.parameters, outputGradient: dy)
        let go = Optimized.MultiHeadAttention.backward(cache: co, parameters: problem.optimizedParameters, outputGradient: dy.float32)
        for i in s..<(2 * s) {
            #expect(cr.weights.row(i).allSatisfy { $0 == 0 } && co.weights.row(i).allSatisfy { $0 == 0 })
            #expect(yr.row(i) == problem.parameters.outBias && yo.row(i) == problem.parameters.outBias.map { Float($0) })
            #expect(gr.query.row(i).allSatisfy { $0 == 0 } && go.query.row(i).allSatisfy { $0 == 0 })
        }
        #expect(gr.key.isFinite && gr.value.isFinite && go.key.isFinite && go.value.isFinite && yo.isFinite)
        // Item 0 is unaffected by item 1's padding.
        #expect(cr.weights.row(0).reduce(0, +) > 0.999_999)
    }

    /// Causal self-attention: output i depends on inputs 0…i only, so changing a later
    /// position leaves every earlier output exactly as it was.
    @Test("causal self-attention: later positions do not change earlier outputs", arguments: 0..<3)
    func causality(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let n = 6, d = 8, heads = 2
        var x = RandomMatrix.gaussian(n, d, using: &g).roundedToFloat
        let problem = AttentionProblem(seed: seed)
        let p = Reference.MultiHeadAttention.Parameters(
            inWeight: RandomMatrix.gaussian(3 * d, d, scale: 0.5, using: &g).roundedToFloat,
            inBias: Array(problem.parameters.inBias.prefix(3 * d)),
            outWeight: RandomMatrix.gaussian(d, d, scale: 0.5, using: &g).roundedToFloat, outBias: Array(problem.parameters.outBias.prefix(d)))
        let po = Optimized.MultiHeadAttention.Parameters(inWeight: p.inWeight.float32, inBias: p.inBias.map { Float($0) },
                                                         outWeight: p.outWeight.float32, outBias: p.outBias.map { Float($0) })
        func run(_ x: Matrix<Double>) -> (Matrix<Double>, Matrix<Float>) {
            (Reference.MultiHeadAttention.forward(query: x, key: x, value: x, parameters: p, heads: heads, causal: true).output,
             Optimized.MultiHeadAttention.forward(query: x.float32, key: x.float32, value: x.float32, parameters: po,
                                                  heads: heads, causal: true).output)
        }
        let (before, beforeOptimized) = run(x)
        let changed = 3
        for row in changed..<n { for c in 0..<d { x[row, c] = Double(Float(g.gaussian())) } }
        let (after, afterOptimized) = run(x)
        for row in 0..<changed {
            #expect(before.row(row) == after.row(row), "row \(row) (Reference)")
            #expect(beforeOptimized.row(row) == afterOptimized.row(row), "row \(row) (Optimized)")
        }
        #expect(before.row(changed) != after.row(changed), "the changed row should change")
    }

    // MARK: Normalisation

    @Test("normalised rows have unit norm", arguments: 0..<3)
    func unitRows(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.gaussian(20, 40, scale: 3, using: &g)
        let r = Reference.RowNormalize.forward(x), o = Optimized.RowNormalize.forward(x.float32).float64
        for row in 0..<x.rows {
            expectClose(r.row(row).reduce(0) { $0 + $1 * $1 }.squareRoot(), 1, tolerance: Tolerance.double)
            expectClose(o.row(row).reduce(0) { $0 + $1 * $1 }.squareRoot(), 1, tolerance: Tolerance.float32)
        }
        // A zero row stays zero (0 / max(0, 1e-12)) instead of becoming NaN.
        let zero = Matrix<Double>.zeros(1, 5)
        #expect(Reference.RowNormalize.forward(zero) == zero && Optimized.RowNormalize.forward(zero.float32) == zero.float32)
    }

    /// Before γ, β: each row of x̂ has mean 0 and biased variance σ²/(σ² + ε), which is 1 to
    /// within ε/σ² = 1e-5/σ² (rows here have σ ≈ 2, so within 3e-6 of 1).
    @Test("LayerNorm rows have mean 0 and variance ≈ 1 before the affine part", arguments: 0..<3)
    func layerNormStandardises(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let d = 40
        let x = RandomMatrix.gaussian(16, d, scale: 2, using: &g).map { $0 + 5 }
        let parameters = Reference.LayerNorm.Parameters(gamma: RandomMatrix.gaussian(1, d, using: &g).elements,
                                                        beta: RandomMatrix.gaussian(1, d, using: &g).elements)
        let (_, r) = Reference.LayerNorm.forward(x, parameters: parameters)
        let (_, o) = Optimized.LayerNorm.forward(x.float32, parameters: .init(gamma: parameters.gamma.map { Float($0) },
                                                                               beta: parameters.beta.map { Float($0) }))
        for row in 0..<x.rows {
            let values = x.row(row)
            let mean = values.reduce(0, +) / Double(d)
            let sigma2 = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            for (normalized, tolerance) in [(r.normalized.row(row), Tolerance.double), (o.normalized.float64.row(row), Tolerance.float32)] {
                let m = normalized.reduce(0, +) / Double(d)
                let v = normalized.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(d)
                expectClose(m, 0, tolerance: tolerance, "mean of row \(row)")
                expectClose(v, sigma2 / (sigma2 + Reference.LayerNorm.defaultEpsilon), tolerance: tolerance, "variance of row \(row)")
                expectClose(v, 1, tolerance: Reference.LayerNorm.defaultEpsilon / sigma2 + tolerance, "variance of row \(row) against 1")
            }
        }
        // γ = 1, β = 0 makes the output x̂ itself.
        let (y, cache) = Reference.LayerNorm.forward(x, parameters: .identity(d))
        #expect(y == cache.normalized)
    }

    // MARK: Dropout

    @Test("dropout: p = 0 and inference are the identity and draw nothing")
    func dropoutIdentity() {
        var g = MersenneTwister(seed: 3)
        let x = RandomMatrix.gaussian(7, 9, using: &g)
        let start = g
        for (p, training) in [(0.0, true), (0.5, false), (0.0, false)] {
            let (y, mask) = Reference.Dropout.forward(x, probability: p, training: training, generator: &g)
            let (yo, masko) = Optimized.Dropout.forward(x.float32, probability: p, training: training, generator: &g)
            #expect(y == x && mask == nil && yo == x.float32 && masko == nil)
            #expect(Reference.Dropout.backward(outputGradient: x, mask: mask) == x)
        }
        #expect(g == start, "identity dropout consumed random draws")
        // Attention without dropout equals attention with p = 0.
        let problem = AttentionProblem(seed: 3)
        var h = MersenneTwister(seed: 4)
        let plain = problem.reference().output
        let zero = Reference.MultiHeadAttention.forward(query: problem.query, key: problem.key, value: problem.value,
                                                        parameters: problem.parameters, heads: problem.heads, batch: problem.batch,
                                                        keyPaddingMask: problem.padding, dropout: 0, generator: &h).output
        #expect(plain == zero && h == MersenneTwister(seed: 4))
    }

    /// The same seed replays the same mask; another seed gives another one. Over 20 000
    /// elements at p = 0.3 the kept fraction is 0.7 ± 0.0032 (one standard deviation), so
    /// ±0.02 is over 6σ: the check fails only for a wrong keep probability.
    @Test("dropout: a seed replays its mask, keeps 1 − p, scales by 1/(1 − p)", arguments: 0..<3)
    func dropoutReproducible(seed: Int) {
        let p = 0.3
        var g1 = MersenneTwister(seed: seed), g2 = MersenneTwister(seed: seed), g3 = MersenneTwister(seed: seed + 100)
        let a = Reference.Dropout.mask(rows: 100, columns: 200, probability: p, generator: &g1)
        let b = Reference.Dropout.mask(rows: 100, columns: 200, probability: p, generator: &g2)
        let c = Reference.Dropout.mask(rows: 100, columns: 200, probability: p, generator: &g3)
        #expect(a == b && a != c)
        var g4 = MersenneTwister(seed: seed)
        #expect(Optimized.Dropout.mask(rows: 100, columns: 200, probability: p, generator: &g4) == a.float32)
        let kept = a.elements.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 1 / (1 - p) })
        #expect(abs(Double(kept.count) / Double(a.elements.count) - (1 - p)) < 0.02)
        // p = 1 drops everything (torch returns zeros).
        var g5 = MersenneTwister(seed: seed)
        #expect(Reference.Dropout.mask(rows: 3, columns: 3, probability: 1, generator: &g5).elements.allSatisfy { $0 == 0 })
    }

    // MARK: Softmax and loss

    @Test("softmax rows sum to 1 at any temperature", arguments: 0..<3)
    func softmaxRows(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let x = RandomMatrix.uniform(12, 19, in: -1..<1, using: &g)
        for tau in [0.01, 0.1, 1.0, 10.0] {
            let r = Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
            let o = Optimized.SoftmaxWithTemperature.forward(x.float32, temperature: Float(tau)).float64
            for row in 0..<x.rows {
                expectClose(r.row(row).reduce(0, +), 1, tolerance: Tolerance.double, "τ = \(tau)")
                expectClose(o.row(row).reduce(0, +), 1, tolerance: Tolerance.float32, "τ = \(tau)")
            }
        }
    }

    /// On real rows with targets summing to 1, ∂L/∂logits is the familiar (P − T)/(Rτ) up to
    /// the offset c = 1e-11. Exactly (G = ∂L/∂P = −T/(R(P + c))):
    ///
    ///     ∂L/∂x_k − (P_k − T_k)/(Rτ) = (c/(Rτ)) · (T_k/(P_k + c) − P_k Σ_j T_j/(P_j + c)),
    ///
    /// whose size is at most 2c/(Rτ · min P). The check allows exactly that bound plus 1e-14
    /// of Double rounding on entries of order 1; padded rows must be exactly 0.
    @Test("soft cross-entropy gradient is (P − T)/(Rτ) on real rows, up to the offset's bound", arguments: 0..<3)
    func softCrossEntropyClassic(seed: Int) {
        var g = MersenneTwister(seed: seed)
        let tau = 0.1, rows = 9
        let x = RandomMatrix.uniform(rows, 6, in: -0.5..<0.5, using: &g)
        let t = RandomMatrix.stochastic(rows, 6, using: &g)
        let mask = (0..<rows).map { $0 < 6 }
        let p = Reference.SoftmaxWithTemperature.forward(x, temperature: tau)
        let grad = Reference.SoftCrossEntropy.backward(probabilities: p, targets: t, mask: mask, temperature: tau)
        let bound = 2 * Reference.SoftCrossEntropy.logOffset / (Double(rows) * tau * p.elements.min()!) + Tolerance.shortChain
        for r in 0..<rows {
            for k in 0..<6 {
                if mask[r] {
                    expectClose(grad[r, k], (p[r, k] - t[r, k]) / (Double(rows) * tau), tolerance: bound)
                } else {
                    #expect(grad[r, k] == 0)
                }
            }
        }
        // The loss divides by every row, padding included: masking rows lowers it.
        let all = Reference.SoftCrossEntropy.forward(probabilities: p, targets: t)
        let some = Reference.SoftCrossEntropy.forward(probabilities: p, targets: t, mask: mask)
        #expect(some < all)
    }

    // MARK: Sinusoid

    /// Values worked by hand from PE[pos, 2i] = sin(pos/10000^(2i/D)), PE[pos, 2i+1] = cos(…):
    /// D = 4: column 2 has frequency 10000^(−2/4) = 1/100; D = 6: column 2 has 10000^(−1/3)
    /// = 1/21.544…, column 5 has 10000^(−2/3) = 1/464.15…; D = 5 (odd): column 4 is a sine
    /// with frequency 10000^(−4/5) = 1/1584.89…. sin/cos values to 16 digits (Python's math).
    @Test("sinusoid at hand-computed positions")
    func sinusoidValues() {
        let d4 = Reference.SinusoidalPositions.forward(length: 10_001, dimension: 4)
        let d4o = Optimized.SinusoidalPositions.forward(length: 10_001, dimension: 4).float64
        #expect(d4.row(0) == [0, 1, 0, 1] && d4o.row(0) == [0, 1, 0, 1])
        let cases: [(Int, Int, Double)] = [
            (1, 0, 0.8414709848078965), (1, 1, 0.5403023058681398),      // sin 1, cos 1
            (5, 2, 0.04997916927067833), (5, 3, 0.9987502603949663),     // sin 0.05, cos 0.05
            (10_000, 2, -0.5063656411097588), (10_000, 3, 0.8623188722876839), // sin 100, cos 100
        ]
        for (pos, c, value) in cases {
            expectClose(d4[pos, c], value, tolerance: Tolerance.double, "PE[\(pos), \(c)], D = 4")
            // Float: one rounding of a value of size ≤ 1 (6e-8).
            expectClose(d4o[pos, c], value, tolerance: Tolerance.floatRounding, "Optimized PE[\(pos), \(c)], D = 4")
        }
        let d6 = Reference.SinusoidalPositions.forward(length: 8, dimension: 6)
        expectClose(d6[3, 2], 0.13879810108005056, tolerance: Tolerance.double, "sin(3/10000^(1/3))")
        expectClose(d6[7, 5], 0.9998862832288925, tolerance: Tolerance.double, "cos(7/10000^(2/3))")
        let d5 = Reference.SinusoidalPositions.forward(length: 3, dimension: 5)
        expectClose(d5[2, 4], (2 / 1584.893192461114).sin, tolerance: Tolerance.double, "odd D: last column is a sine")
    }
}

private extension Double {
    /// sin by its Taylor series (|x| ≪ 1 here), so the expectation does not reuse the code under test.
    var sin: Double { self - self * self * self / 6 + self * self * self * self * self / 120 }
}
