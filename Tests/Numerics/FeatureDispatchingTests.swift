import CLOTCore
import Foundation
import Optimized
import Reference
import Testing
import TestSupport

/// CLOT's feature dispatching (Eq. 1–2, `Reference.FeatureDispatching` and
/// `Optimized.FeatureDispatching`): hand-written gradients against finite differences, the two
/// backends against each other, its properties, and a case worked out by hand.
///
/// Gradient checks. The objective is f = Σ (f' ⊙ R) for a random R, so ∂f/∂f' = R is handed
/// to `backward`; every entry of ∂F, ∂A, ∂α, ∂β is compared with the central difference
///
///     (f(θ + h e_i) − f(θ − h e_i)) / 2h,   h = 1e-5,
///
/// with the hard mask held: the perturbed forwards get `fixedMask: cache.assignments` of the
/// base point, so f is smooth in every input (the argmax is piecewise constant and carries no
/// gradient by definition). Why h = 1e-5: truncation error h²·f'''/6 ≈ 2e-11·f''' against
/// rounding ε·|f|/h ≈ 2e-11·|f| (ε = 2.2e-16); h ≈ ε^(1/3) ≈ 6e-6 balances them, and with
/// inputs of order 1 both sit near 1e-10, four orders below the budget. The error is norm-wise,
/// ‖analytic − numeric‖₂ / ‖numeric‖₂ over a whole gradient tensor, so entries that vanish
/// are checked without dividing by 0.
/// The finite-difference checks run on Reference (step and budget: `GradientCheck`); the
/// Optimized backward pass takes its own parameter and cache types, which `LayerOperations`
/// does not carry, and is held to the Reference one by the agreement tests of this suite.
@Suite struct FeatureDispatchingTests {
    typealias RFD = Reference.FeatureDispatching
    typealias OFD = Optimized.FeatureDispatching

    /// The two settings, all four combinations (true, true is the default; false, false is the
    /// released module).
    struct Variant: CustomTestStringConvertible, Sendable {
        var maskPadding: Bool, renormalise: Bool
        var reference: RFD.Settings { RFD.Settings(maskPadding: maskPadding, renormalise: renormalise) }
        var optimized: OFD.Settings { OFD.Settings(maskPadding: maskPadding, renormalise: renormalise) }
        var testDescription: String { "maskPadding \(maskPadding), renormalise \(renormalise)" }
    }
    static let variants = [Variant(maskPadding: true, renormalise: true), Variant(maskPadding: true, renormalise: false),
                           Variant(maskPadding: false, renormalise: true), Variant(maskPadding: false, renormalise: false)]

    /// B videos padded to T frames, K clusters, width D; `lengths` are the real frames per video.
    struct Shape: CustomTestStringConvertible, Sendable {
        var batch: Int, frames: Int, clusters: Int, width: Int, lengths: [Int]
        var testDescription: String { "B \(batch) T \(frames) K \(clusters) D \(width), lengths \(lengths)" }
        var frameMask: [Bool] { lengths.flatMap { n in (0..<frames).map { $0 < n } } }
    }

    struct Inputs {
        var features: Matrix<Double>, actions: Matrix<Double>
        var parameters: RFD.Parameters
        var outputGradient: Matrix<Double>
    }

    /// Unit-row features and actions (as CLOT feeds them), α in [0.5, 2), β in [−0.5, 0.5),
    /// R Gaussian; all from `MersenneTwister(seed:)`.
    static func inputs(_ shape: Shape, seed: Int) -> Inputs {
        var g = MersenneTwister(seed: seed)
        let f = Reference.RowNormalize.forward(RandomMatrix.gaussian(shape.batch * shape.frames, shape.width, using: &g))
        let a = Reference.RowNormalize.forward(RandomMatrix.gaussian(shape.clusters, shape.width, using: &g))
        let alpha = 0.5 + 1.5 * g.uniform(), beta = g.uniform() - 0.5
        let r = RandomMatrix.gaussian(shape.batch * shape.frames, shape.width, using: &g)
        return Inputs(features: f, actions: a, parameters: RFD.Parameters(alpha: alpha, beta: beta), outputGradient: r)
    }

    // MARK: Gradients against finite differences (Double)

    static let gradientShapes = [Shape(batch: 2, frames: 6, clusters: 3, width: 4, lengths: [6, 4]),
                                 Shape(batch: 1, frames: 5, clusters: 4, width: 3, lengths: [3])]

    @Test("∂F, ∂A, ∂α, ∂β against central differences, mask held",
          arguments: variants, [(gradientShapes[0], 0), (gradientShapes[0], 1), (gradientShapes[1], 2)])
    func gradients(variant: Variant, shapeAndSeed: (Shape, Int)) {
        let (shape, seed) = shapeAndSeed
        let x = Self.inputs(shape, seed: seed)
        let mask = shape.frameMask, settings = variant.reference
        let (_, cache) = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: shape.batch,
                                     frameMask: mask, settings: settings)
        // The check is only meaningful if the mask splits frames over several clusters.
        #expect(Set(cache.assignments).count > 1, "every frame went to one cluster: the aggregation is barely exercised")
        let analytic = RFD.backward(cache: cache, outputGradient: x.outputGradient)
        let held = cache.assignments
        func f(_ features: Matrix<Double>, _ actions: Matrix<Double>, _ p: RFD.Parameters) -> Double {
            let y = RFD.forward(features, actions: actions, parameters: p, batch: shape.batch, frameMask: mask,
                                settings: settings, fixedMask: held).output
            return GradientCheck.objective(y, x.outputGradient)
        }
        GradientCheck.expect(analytic.features, of: x.features, "∂F") { f($0, x.actions, x.parameters) }
        GradientCheck.expect(analytic.actions, of: x.actions, "∂A") { f(x.features, $0, x.parameters) }
        GradientCheck.expect([analytic.parameters.alpha], of: [x.parameters.alpha], "∂α") {
            f(x.features, x.actions, RFD.Parameters(alpha: $0[0], beta: x.parameters.beta))
        }
        GradientCheck.expect([analytic.parameters.beta], of: [x.parameters.beta], "∂β") {
            f(x.features, x.actions, RFD.Parameters(alpha: x.parameters.alpha, beta: $0[0]))
        }
    }

    // MARK: Reference against Optimized

    static let agreementShapes = [Shape(batch: 1, frames: 7, clusters: 3, width: 4, lengths: [7]),
                                  Shape(batch: 2, frames: 9, clusters: 5, width: 8, lengths: [9, 6]),
                                  Shape(batch: 3, frames: 64, clusters: 7, width: 40, lengths: [64, 50, 17]),
                                  Shape(batch: 2, frames: 256, clusters: 12, width: 40, lengths: [256, 180])]

    /// Forward output, S and every gradient within `Tolerance.float32` (1e-4), norm-wise
    /// (`scaledMaxError`) for tensors and relative for the scalars ∂α, ∂β. Why 1e-4: each entry
    /// is a dot product over D ≤ 40 or a sum over T ≤ 256 frames of terms of order 1, plus a
    /// sigmoid and a normalisation, each rounding at Float's ε = 6e-8; √T·ε·(a few) stays near
    /// 1e-6. ∂α and ∂β are sums over B·K·T terms of both signs: they are accumulated in Double
    /// in Optimized, but their terms carry Float rounding. Measured worst errors: 3e-6 (∂β),
    /// 1e-6 (∂α), 4e-7 (∂A), 2e-7 (f', g, ∂F), 1e-7 (S). The Reference runs on the Float inputs
    /// widened to Double, so only arithmetic differs. Padded frames hold random features (not
    /// repeats), so a leak of padding through the mask would show.
    @Test("Optimized matches Reference: f', S, the mask, ∂F, ∂A, ∂α, ∂β",
          arguments: agreementShapes, [variants[0], variants[3]])
    func agreement(shape: Shape, variant: Variant) {
        let x = Self.inputs(shape, seed: 100 + shape.frames)
        let f32 = x.features.float32, a32 = x.actions.float32, r32 = x.outputGradient.float32
        let alpha32 = Float(x.parameters.alpha), beta32 = Float(x.parameters.beta)
        let mask = shape.frameMask
        let (yr, cr) = RFD.forward(f32.float64, actions: a32.float64,
                                   parameters: RFD.Parameters(alpha: Double(alpha32), beta: Double(beta32)),
                                   batch: shape.batch, frameMask: mask, settings: variant.reference)
        let (yo, co) = OFD.forward(f32, actions: a32, parameters: OFD.Parameters(alpha: alpha32, beta: beta32),
                                   batch: shape.batch, frameMask: mask, settings: variant.optimized)
        #expect(co.assignments == cr.assignments, "hard masks differ at frames \(zip(co.assignments, cr.assignments).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset))")
        expectAgree(yo, yr, "f'")
        expectAgree(co.similarity, cr.similarity, "S")
        expectAgree(co.aggregated, cr.aggregated, "g")
        let gr = RFD.backward(cache: cr, outputGradient: r32.float64)
        let go = OFD.backward(cache: co, outputGradient: r32)
        expectAgree(go.features, gr.features, "∂F")
        expectAgree(go.actions, gr.actions, "∂A")
        expectAgree([go.parameters.alpha], [gr.parameters.alpha], "∂α")
        expectAgree([go.parameters.beta], [gr.parameters.beta], "∂β")
    }

    /// `fixedMask` replaces the argmax in Optimized too: handing it a mask different from the
    /// argmax changes the output exactly as it changes Reference's.
    @Test("Optimized honours fixedMask as Reference does")
    func fixedMaskAgreement() {
        let shape = Shape(batch: 2, frames: 9, clusters: 4, width: 6, lengths: [9, 7])
        let x = Self.inputs(shape, seed: 7)
        let f32 = x.features.float32, a32 = x.actions.float32
        let p32 = OFD.Parameters(alpha: Float(x.parameters.alpha), beta: Float(x.parameters.beta))
        let (_, natural) = OFD.forward(f32, actions: a32, parameters: p32, batch: 2, frameMask: shape.frameMask)
        let shifted = natural.assignments.map { ($0 + 1) % shape.clusters }
        let (yo, co) = OFD.forward(f32, actions: a32, parameters: p32, batch: 2, frameMask: shape.frameMask, fixedMask: shifted)
        let (yr, cr) = RFD.forward(f32.float64, actions: a32.float64,
                                   parameters: RFD.Parameters(alpha: Double(p32.alpha), beta: Double(p32.beta)),
                                   batch: 2, frameMask: shape.frameMask, fixedMask: shifted)
        #expect(co.assignments == shifted && cr.assignments == shifted)
        expectAgree(yo, yr, "f' with a shifted mask")
        let r32 = x.outputGradient.float32
        expectAgree(OFD.backward(cache: co, outputGradient: r32).features,
                    RFD.backward(cache: cr, outputGradient: r32.float64).features, "∂F with a shifted mask")
        let (unshifted, _) = OFD.forward(f32, actions: a32, parameters: p32, batch: 2, frameMask: shape.frameMask)
        #expect(unshifted.maxAbsDifference(yo) > Float(Tolerance.visible), "a different mask should give different features")
    }

    // MARK: Properties

    /// With `maskPadding`, padded frames enter nothing that a real frame reads (S of a real frame
    /// depends only on that frame; g_k sums real frames only), so replacing the padded frames'
    /// features leaves every real frame's f' bit for bit the same, in both backends (the same
    /// operations on the same numbers). Without the mask the padded frames enter g_k, and the
    /// real frames change: the second half shows the first is not vacuous.
    @Test("maskPadding: padded frames cannot change real frames", arguments: 0..<3)
    func paddingIsInert(seed: Int) {
        let shape = Shape(batch: 2, frames: 8, clusters: 3, width: 5, lengths: [8, 5])
        let x = Self.inputs(shape, seed: seed)
        let mask = shape.frameMask
        var g = MersenneTwister(seed: 1000 + seed)
        let replacement = Reference.RowNormalize.forward(RandomMatrix.gaussian(x.features.rows, shape.width, using: &g))
        var changed = x.features
        for row in 0..<changed.rows where !mask[row] {
            for c in 0..<shape.width { changed[row, c] = replacement[row, c] }
        }
        for variant in [Self.variants[0], Self.variants[1]] {
            let before = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: 2, frameMask: mask,
                                     settings: variant.reference).output
            let after = RFD.forward(changed, actions: x.actions, parameters: x.parameters, batch: 2, frameMask: mask,
                                    settings: variant.reference).output
            let p32 = OFD.Parameters(alpha: Float(x.parameters.alpha), beta: Float(x.parameters.beta))
            let before32 = OFD.forward(x.features.float32, actions: x.actions.float32, parameters: p32, batch: 2,
                                       frameMask: mask, settings: variant.optimized).output
            let after32 = OFD.forward(changed.float32, actions: x.actions.float32, parameters: p32, batch: 2,
                                      frameMask: mask, settings: variant.optimized).output
            for row in 0..<x.features.rows where mask[row] {
                #expect(before.row(row) == after.row(row), "Reference, \(variant): real frame \(row) changed")
                #expect(before32.row(row) == after32.row(row), "Optimized, \(variant): real frame \(row) changed")
            }
        }
        // Without the mask (the released module), the padding leaks into the real frames.
        let released = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: 2, frameMask: mask,
                                   settings: .released).output
        let releasedChanged = RFD.forward(changed, actions: x.actions, parameters: x.parameters, batch: 2,
                                          frameMask: mask, settings: .released).output
        var leak = 0.0
        for row in 0..<x.features.rows where mask[row] {
            for c in 0..<shape.width { leak = max(leak, abs(released[row, c] - releasedChanged[row, c])) }
        }
        #expect(leak > Tolerance.visible, "without maskPadding the padded frames should change real frames (moved \(leak))")
    }

    /// The gradient side of the same fact: with `maskPadding` and a loss that ignores the padded
    /// rows (R = 0 there), the padded frames' ∂F is exactly 0 (their only path is their own f'),
    /// and ∂A, ∂α, ∂β do not depend on their features.
    @Test("maskPadding: padded frames get no gradient from real frames' losses", arguments: 0..<2)
    func paddingGetsNoGradient(seed: Int) {
        let shape = Shape(batch: 2, frames: 7, clusters: 4, width: 5, lengths: [4, 7])
        var x = Self.inputs(shape, seed: seed)
        let mask = shape.frameMask
        for row in 0..<x.outputGradient.rows where !mask[row] {
            for c in 0..<shape.width { x.outputGradient[row, c] = 0 }
        }
        let (_, cache) = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: 2, frameMask: mask)
        let gradients = RFD.backward(cache: cache, outputGradient: x.outputGradient)
        for row in 0..<x.features.rows where !mask[row] {
            #expect(gradients.features.row(row).allSatisfy { $0 == 0 }, "padded frame \(row) has a gradient")
        }
        let (_, cache32) = OFD.forward(x.features.float32, actions: x.actions.float32,
                                       parameters: OFD.Parameters(alpha: Float(x.parameters.alpha), beta: Float(x.parameters.beta)),
                                       batch: 2, frameMask: mask)
        let gradients32 = OFD.backward(cache: cache32, outputGradient: x.outputGradient.float32)
        for row in 0..<x.features.rows where !mask[row] {
            #expect(gradients32.features.row(row).allSatisfy { $0 == 0 }, "Optimized: padded frame \(row) has a gradient")
        }
        #expect(gradients.features.elements.contains { $0 != 0 }, "real frames should have gradients")
    }

    /// With `renormalise`, every output row has unit norm (Double to 1e-12: a sum of D squares
    /// and a square root, each within a few ε = 2.2e-16; Float to 1e-6: the same at ε = 6e-8).
    /// Without it (the released module), the norms are not 1: they are |f + Σ S g| with S > 0
    /// and g near the frame's direction, measured 1.07–1.56 on the official module.
    @Test("renormalise: unit rows; released: not", arguments: 0..<3)
    func unitRows(seed: Int) {
        let shape = Shape(batch: 2, frames: 10, clusters: 5, width: 8, lengths: [10, 6])
        let x = Self.inputs(shape, seed: seed)
        let y = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: 2,
                            frameMask: shape.frameMask).output
        let y32 = OFD.forward(x.features.float32, actions: x.actions.float32,
                              parameters: OFD.Parameters(alpha: Float(x.parameters.alpha), beta: Float(x.parameters.beta)),
                              batch: 2, frameMask: shape.frameMask).output
        for row in 0..<y.rows {
            let n = y.row(row).reduce(0) { $0 + $1 * $1 }.squareRoot()
            let n32 = Double(y32.row(row).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot())
            #expect(abs(n - 1) < Tolerance.rounding, "Reference row \(row) has norm \(n)")
            #expect(abs(n32 - 1) < Tolerance.floatFewUlps, "Optimized row \(row) has norm \(n32)")
        }
        let released = RFD.forward(x.features, actions: x.actions, batch: 2, frameMask: shape.frameMask,
                                   settings: .released).output
        let norms = (0..<released.rows).map { released.row($0).reduce(0) { $0 + $1 * $1 }.squareRoot() }
        #expect(norms.allSatisfy { abs($0 - 1) > Tolerance.visible }, "released-mode norms should differ from 1: \(norms)")
    }

    /// The stored mask is the column argmax of S, ties going to the lowest k: two identical
    /// action embeddings give identical rows of S, and no frame may pick the second copy.
    @Test("The hard mask is the argmax of S, ties to the lowest k", arguments: 0..<3)
    func argmaxAndTies(seed: Int) {
        let shape = Shape(batch: 2, frames: 12, clusters: 4, width: 5, lengths: [12, 9])
        var x = Self.inputs(shape, seed: seed)
        for c in 0..<shape.width { x.actions[2, c] = x.actions[1, c] }  // clusters 1 and 2 tie everywhere
        let (_, cache) = RFD.forward(x.features, actions: x.actions, parameters: x.parameters, batch: 2,
                                     frameMask: shape.frameMask)
        let p32 = OFD.Parameters(alpha: Float(x.parameters.alpha), beta: Float(x.parameters.beta))
        let (_, cache32) = OFD.forward(x.features.float32, actions: x.actions.float32, parameters: p32, batch: 2,
                                       frameMask: shape.frameMask)
        for (label, assignments, s) in [("Reference", cache.assignments, cache.similarity),
                                        ("Optimized", cache32.assignments, cache32.similarity.float64)] {
            #expect(!assignments.contains(2), "\(label): a frame chose the second of two tied clusters")
            #expect(assignments.contains(1), "\(label): no frame chose the tied cluster, so the tie is untested")
            for b in 0..<2 {
                for t in 0..<shape.frames {
                    let column = (0..<shape.clusters).map { s[b * shape.clusters + $0, t] }
                    let best = column.max()!
                    #expect(assignments[b * shape.frames + t] == column.firstIndex(of: best)!,
                            "\(label): video \(b) frame \(t) assigned \(assignments[b * shape.frames + t]), S column \(column)")
                }
            }
        }
    }

    // MARK: A case worked out by hand

    /// K = 2, T = 3, D = 2, with α = ln 3 and β = 0, so that σ(α·1) = 3/4, σ(0) = 1/2,
    /// σ(−α) = 1/4 exactly:
    ///
    ///     f₀ = (1, 0), f₁ = (0, 1), f₂ = (−1, 0);   a₀ = (1, 0), a₁ = (0, 1)
    ///     Z = [[1, 0, −1], [0, 1, 0]]   S = [[3/4, 1/2, 1/4], [1/2, 3/4, 1/2]]
    ///     argmax per frame: 0, 1, 1 (3/4 > 1/2; 3/4 > 1/2; 1/2 > 1/4)
    ///
    /// No mask: n = (1+1, 2+1) = (2, 3);
    ///     g₀ = ((3/4)(1,0) + (1,0)) / 2 = (7/8, 0)
    ///     g₁ = ((3/4)(0,1) + (1/2)(−1,0) + (0,1)) / 3 = (−1/2, 7/4)/3 = (−1/6, 7/12)
    ///     u₀ = (1,0) + (3/4)g₀ + (1/2)g₁ = (1 + 21/32 − 1/12, 7/24) = (151/96, 28/96)
    ///     u₁ = (0,1) + (1/2)g₀ + (3/4)g₁ = (7/16 − 1/8, 1 + 7/16) = (30/96, 138/96)
    ///     u₂ = (−1,0) + (1/4)g₀ + (1/2)g₁ = (−1 + 7/32 − 1/12, 7/24) = (−83/96, 28/96)
    ///
    /// Frame 2 masked as padding: n = (2, 2), g₀ = (7/8, 0), g₁ = (0, 7/4)/2 = (0, 7/8);
    ///     u₀ = (1 + 21/32, 7/16) = (53/32, 14/32),  u₁ = (7/16, 1 + 21/32) = (14/32, 53/32),
    ///     u₂ = (−1 + 7/32, 7/16) = (−25/32, 14/32)
    ///
    /// Renormalised, (151, 28)/√23585, (30, 138)/√19944, (−83, 28)/√7673 and
    /// (53, 14)/√3005, (14, 53)/√3005, (−25, 14)/√821.
    /// Tolerances: Reference 1e-14 (a handful of operations on numbers ≤ 2, ε = 2.2e-16, and
    /// ln 3 rounded); Optimized 1e-6 (the same at Float's ε = 6e-8, ln 3 rounded to Float).
    @Test("Hand-worked K = 2, T = 3, D = 2")
    func handWorked() {
        let f = Matrix<Double>([[1, 0], [0, 1], [-1, 0]]), a = Matrix<Double>([[1, 0], [0, 1]])
        let p = RFD.Parameters(alpha: log(3.0), beta: 0)
        let p32 = OFD.Parameters(alpha: Float(log(3.0)), beta: 0)
        let padded = [true, true, false]
        let s = [[0.75, 0.5, 0.25], [0.5, 0.75, 0.5]]
        let unmasked: [[Double]] = [[151, 28], [30, 138], [-83, 28]].map { row in row.map { $0 / 96 } }
        let masked: [[Double]] = [[53, 14], [14, 53], [-25, 14]].map { row in row.map { $0 / 32 } }
        func normalised(_ rows: [[Double]]) -> [[Double]] {
            rows.map { r in let n = (r[0] * r[0] + r[1] * r[1]).squareRoot(); return [r[0] / n, r[1] / n] }
        }
        // The closed forms above, against `normalised` (the norms √23585 … worked by hand).
        let byHand: [[Double]] = [[151, 28, 23585], [30, 138, 19944], [-83, 28, 7673],
                                  [53, 14, 3005], [14, 53, 3005], [-25, 14, 821]]
        let viaHelper = normalised(unmasked) + normalised(masked)
        for (row, closed) in zip(viaHelper, byHand) {
            let root = closed[2].squareRoot()
            #expect(abs(row[0] - closed[0] / root) < Tolerance.fewUlps && abs(row[1] - closed[1] / root) < Tolerance.fewUlps, "\(row) vs \(closed)")
        }

        let cases: [(RFD.Settings, [Bool]?, [[Double]], [Double])] = [
            (.released, padded, unmasked, [2, 3]),                                        // the mask is ignored
            (RFD.Settings(maskPadding: false, renormalise: true), nil, normalised(unmasked), [2, 3]),
            (RFD.Settings(maskPadding: true, renormalise: false), padded, masked, [2, 2]),
            (RFD.Settings(), padded, normalised(masked), [2, 2]),
            (RFD.Settings(), nil, normalised(unmasked), [2, 3]),                          // no padding: nothing masked
        ]
        for (settings, mask, expected, counts) in cases {
            let (y, cache) = RFD.forward(f, actions: a, parameters: p, frameMask: mask, settings: settings)
            #expect(cache.assignments == [0, 1, 1])
            #expect(cache.counts == counts, "\(settings): counts \(cache.counts)")
            #expect(cache.similarity.maxAbsDifference(Matrix(s)) < Tolerance.shortChain, "\(settings): S = \(cache.similarity.nestedRows)")
            #expect(y.maxAbsDifference(Matrix(expected)) < Tolerance.shortChain, "\(settings): f' = \(y.nestedRows), expected \(expected)")
            let o = OFD.forward(f.float32, actions: a.float32, parameters: p32, frameMask: mask,
                                settings: OFD.Settings(maskPadding: settings.maskPadding, renormalise: settings.renormalise))
            #expect(o.cache.assignments == [0, 1, 1])
            #expect(o.output.float64.maxAbsDifference(Matrix(expected)) < Tolerance.floatFewUlps, "Optimized \(settings): f' = \(o.output.nestedRows)")
        }
    }

    // MARK: Helpers

    /// f = Σ (output ⊙ R).
    /// ‖analytic − central differences‖ / ‖central differences‖ < `budget`, step `step`.
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
