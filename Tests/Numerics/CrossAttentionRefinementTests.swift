import CLOTCore
import Foundation
import Optimized
import Reference
import Testing
import TestSupport

/// CLOT's refinement cross-attention (Eq. 12, `cross-att.py`): W = softmax(F Sᵀ/√D/τ_r),
/// F_R = rownorm(F + W S). Hand-written gradients against finite differences, the two backends
/// against each other, its properties, and a case worked out by hand.
///
/// Gradient checks: f = Σ (F_R ⊙ R), ∂f/∂F_R = R handed to `backward`, every entry of ∂F and ∂S
/// against (f(θ + h e_i) − f(θ − h e_i)) / 2h with h = 1e-5. Why 1e-5: truncation h²·f'''/6 ≈
/// 2e-11·f''' against rounding ε·|f|/h ≈ 2e-11·|f| (ε = 2.2e-16); at τ_r = 0.1 the logits are
/// scaled by 1/(√D τ_r) ≤ 5 here, so f''' grows by at most ~5³ and the truncation stays near
/// 1e-8, still 100 times under the budget. The error is norm-wise over each gradient tensor.
/// The finite-difference checks run on Reference (step and budget: `GradientCheck`); the
/// Optimized backward pass takes its own parameter and cache types, which `LayerOperations`
/// does not carry, and is held to the Reference one by the agreement tests of this suite.
@Suite struct CrossAttentionRefinementTests {
    typealias RCA = Reference.CrossAttentionRefinement
    typealias OCA = Optimized.CrossAttentionRefinement

    /// B videos of T (padded) frames, n_seg segments, width D, temperature τ_r, and whether the
    /// segments have unit rows (CLOT's default renormalises them) or LayerNorm-like norms ≈ √D.
    /// `lengths` (nil: every frame real) pads each video after its real frames by repeating its
    /// last real frame, as ASOT's loader pads short videos.
    struct Shape: CustomTestStringConvertible, Sendable {
        var batch: Int, frames: Int, segments: Int, width: Int, temperature: Double, unitSegments: Bool
        var lengths: [Int]? = nil
        var testDescription: String {
            "B \(batch) T \(frames) n_seg \(segments) D \(width) τ_r \(temperature)\(unitSegments ? "" : ", ‖S‖ ≈ √D")"
                + (lengths.map { ", lengths \($0)" } ?? "")
        }
    }

    struct Inputs { var features: Matrix<Double>, segments: Matrix<Double>, outputGradient: Matrix<Double> }

    /// Unit-row F (as the encoder and dispatching give it), S unit or Gaussian (norm ≈ √D), R
    /// Gaussian; all from `MersenneTwister(seed:)`.
    static func inputs(_ shape: Shape, seed: Int) -> Inputs {
        var g = MersenneTwister(seed: seed)
        var f = Reference.RowNormalize.forward(RandomMatrix.gaussian(shape.batch * shape.frames, shape.width, using: &g))
        for (b, length) in (shape.lengths ?? []).enumerated() {
            for t in length..<shape.frames {
                for c in 0..<shape.width { f[b * shape.frames + t, c] = f[b * shape.frames + length - 1, c] }
            }
        }
        var s = RandomMatrix.gaussian(shape.batch * shape.segments, shape.width, using: &g)
        if shape.unitSegments { s = Reference.RowNormalize.forward(s) }
        let r = RandomMatrix.gaussian(shape.batch * shape.frames, shape.width, using: &g)
        return Inputs(features: f, segments: s, outputGradient: r)
    }

    // MARK: Gradients against finite differences (Double)

    static let gradientShapes = [
        Shape(batch: 2, frames: 5, segments: 3, width: 4, temperature: 0.1, unitSegments: true),
        Shape(batch: 2, frames: 4, segments: 3, width: 4, temperature: 1, unitSegments: false),
        Shape(batch: 1, frames: 6, segments: 1, width: 3, temperature: 0.1, unitSegments: true),   // n_seg = 1 (YTI cpr)
        Shape(batch: 3, frames: 3, segments: 5, width: 6, temperature: 0.5, unitSegments: false),
    ]

    @Test("∂F and ∂S against central differences", arguments: gradientShapes, 0..<2)
    func gradients(shape: Shape, seed: Int) {
        let x = Self.inputs(shape, seed: seed)
        let (_, cache) = RCA.forward(features: x.features, segments: x.segments, temperature: shape.temperature,
                                     batch: shape.batch)
        let analytic = RCA.backward(cache: cache, outputGradient: x.outputGradient)
        func f(_ features: Matrix<Double>, _ segments: Matrix<Double>) -> Double {
            GradientCheck.objective(RCA.forward(features: features, segments: segments, temperature: shape.temperature,
                                  batch: shape.batch).output, x.outputGradient)
        }
        GradientCheck.expect(analytic.features, of: x.features, "∂F") { f($0, x.segments) }
        GradientCheck.expect(analytic.segments, of: x.segments, "∂S") { f(x.features, $0) }
    }

    // MARK: Reference against Optimized

    static let agreementShapes = [
        Shape(batch: 1, frames: 7, segments: 3, width: 4, temperature: 0.1, unitSegments: true),
        Shape(batch: 2, frames: 9, segments: 5, width: 8, temperature: 0.1, unitSegments: false, lengths: [9, 6]),
        Shape(batch: 2, frames: 256, segments: 7, width: 40, temperature: 0.1, unitSegments: true, lengths: [256, 180]),
        Shape(batch: 3, frames: 64, segments: 12, width: 40, temperature: 0.5, unitSegments: false, lengths: [64, 50, 17]),
    ]

    /// F_R, W, ∂F, ∂S within `Tolerance.float32` (1e-4), norm-wise (`scaledMaxError`). Why:
    /// each entry is a dot product over D ≤ 40 or a sum over T ≤ 256 frames, a softmax whose
    /// logits reach |F Sᵀ|/(√D τ_r) ≤ √D/τ_r ≈ 63 here (a logit error of ε·63 ≈ 4e-6 becomes a
    /// relative weight error of the same size), and a normalisation; all stay well under 1e-4.
    /// The Reference runs on the Float inputs widened to Double. Padded batches pad by repeating
    /// the last real frame; the layer takes no mask (padded frames are query rows only, see
    /// `independence`). Measured worst errors: 6e-7 (∂S), 3e-7 (∂F), 2e-7 (F_R, W).
    @Test("Optimized matches Reference: F_R, W, ∂F, ∂S", arguments: agreementShapes)
    func agreement(shape: Shape) {
        let x = Self.inputs(shape, seed: 200 + shape.frames)
        let f32 = x.features.float32, s32 = x.segments.float32, r32 = x.outputGradient.float32
        let tau32 = Float(shape.temperature)
        let (yr, cr) = RCA.forward(features: f32.float64, segments: s32.float64, temperature: Double(tau32),
                                   batch: shape.batch)
        let (yo, co) = OCA.forward(features: f32, segments: s32, temperature: tau32, batch: shape.batch)
        expectAgree(yo, yr, "F_R")
        expectAgree(co.weights, cr.weights, "W")
        let gr = RCA.backward(cache: cr, outputGradient: r32.float64)
        let go = OCA.backward(cache: co, outputGradient: r32)
        expectAgree(go.features, gr.features, "∂F")
        expectAgree(go.segments, gr.segments, "∂S")
    }

    // MARK: Properties

    /// Attention rows sum to 1 and are positive; outputs have unit rows. Tolerances: Double
    /// 1e-12 (n_seg or D terms, each within ε = 2.2e-16); Float 1e-6 (the same at ε = 6e-8).
    @Test("Attention rows sum to 1; output rows have unit norm", arguments: agreementShapes)
    func rowsAndNorms(shape: Shape) {
        let x = Self.inputs(shape, seed: 300 + shape.frames)
        let (yr, cr) = RCA.forward(features: x.features, segments: x.segments, temperature: shape.temperature,
                                   batch: shape.batch)
        let (yo, co) = OCA.forward(features: x.features.float32, segments: x.segments.float32,
                                   temperature: Float(shape.temperature), batch: shape.batch)
        for row in 0..<cr.weights.rows {
            let total = cr.weights.row(row).reduce(0, +)
            let total32 = Double(co.weights.row(row).reduce(Float(0), +))
            #expect(abs(total - 1) < Tolerance.rounding, "Reference row \(row) of W sums to \(total)")
            #expect(abs(total32 - 1) < Tolerance.floatFewUlps, "Optimized row \(row) of W sums to \(total32)")
            #expect(cr.weights.row(row).allSatisfy { $0 >= 0 } && co.weights.row(row).allSatisfy { $0 >= 0 })
            let n = yr.row(row).reduce(0) { $0 + $1 * $1 }.squareRoot()
            let n32 = Double(yo.row(row).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot())
            #expect(abs(n - 1) < Tolerance.rounding, "Reference output row \(row) has norm \(n)")
            #expect(abs(n32 - 1) < Tolerance.floatFewUlps, "Optimized output row \(row) has norm \(n32)")
        }
    }

    /// Each video attends to its own segments only, and each frame is a query on its own:
    /// changing video 1's segments and one of video 0's frames leaves every other frame of
    /// video 0 bit for bit the same (the same operations on the same numbers), while video 1's
    /// frames move (so the check is not vacuous).
    @Test("Videos and frames are independent", arguments: 0..<3)
    func independence(seed: Int) {
        let shape = Shape(batch: 2, frames: 6, segments: 4, width: 5, temperature: 0.1, unitSegments: true)
        let x = Self.inputs(shape, seed: seed)
        var g = MersenneTwister(seed: 400 + seed)
        var f = x.features, s = x.segments
        let noise = Reference.RowNormalize.forward(RandomMatrix.gaussian(shape.segments + 1, shape.width, using: &g))
        for j in 0..<shape.segments { for c in 0..<shape.width { s[shape.segments + j, c] = noise[j, c] } }
        for c in 0..<shape.width { f[5, c] = noise[shape.segments, c] }   // video 0's last frame (a padding-like row)
        let before = RCA.forward(features: x.features, segments: x.segments, temperature: 0.1, batch: 2).output
        let after = RCA.forward(features: f, segments: s, temperature: 0.1, batch: 2).output
        let before32 = OCA.forward(features: x.features.float32, segments: x.segments.float32, temperature: 0.1, batch: 2).output
        let after32 = OCA.forward(features: f.float32, segments: s.float32, temperature: 0.1, batch: 2).output
        for row in 0..<5 {
            #expect(before.row(row) == after.row(row), "Reference: frame \(row) of video 0 changed")
            #expect(before32.row(row) == after32.row(row), "Optimized: frame \(row) of video 0 changed")
        }
        var moved = 0.0
        for row in 6..<12 { for c in 0..<shape.width { moved = max(moved, abs(before[row, c] - after[row, c])) } }
        #expect(moved > Tolerance.visible, "video 1 should see its new segments (moved \(moved))")
    }

    /// A very large τ_r flattens W to 1/n_seg (logits ≤ 1/(√D τ_r) = 1e-6 apart, so weights are
    /// within ~1e-6 of uniform: tolerance 1e-5); a very small one makes it the one-hot argmax.
    @Test("Temperature limits: uniform and one-hot attention", arguments: 0..<2)
    func temperatureLimits(seed: Int) {
        let shape = Shape(batch: 2, frames: 5, segments: 4, width: 4, temperature: 1, unitSegments: true)
        let x = Self.inputs(shape, seed: seed)
        let flat = RCA.forward(features: x.features, segments: x.segments, temperature: 1e6, batch: 2).cache.weights
        #expect(flat.elements.allSatisfy { abs($0 - 0.25) < 1e-5 }, "W at τ_r = 1e6: \(flat.nestedRows)")
        let sharp = RCA.forward(features: x.features, segments: x.segments, temperature: 1e-4, batch: 2).cache.weights
        for b in 0..<2 {
            for t in 0..<5 {
                let logits = (0..<4).map { j in (0..<4).reduce(0.0) { $0 + x.features[b * 5 + t, $1] * x.segments[b * 4 + j, $1] } }
                let best = logits.firstIndex(of: logits.max()!)!
                #expect(abs(sharp[b * 5 + t, best] - 1) < 1e-6, "W at τ_r = 1e-4, video \(b) frame \(t): \(sharp.row(b * 5 + t))")
            }
        }
    }

    /// Worked by hand, D = 2, n_seg = 2, τ_r = 1/(√2 ln 3), so the logits F Sᵀ/√D/τ_r are
    /// (F Sᵀ)·ln 3 and softmax gives quarters:
    ///
    ///     S = [(1, 0), (0, 1)];  f₀ = (1, 0): logits (ln 3, 0), W₀ = (3/4, 1/4),
    ///         u₀ = (1, 0) + (3/4, 1/4) = (7/4, 1/4), F_R = (7, 1)/√50
    ///     f₁ = (0, 1): W₁ = (1/4, 3/4), u₁ = (1/4, 7/4), F_R = (1, 7)/√50
    ///     f₂ = (3/5, −4/5): logits (3/5, −4/5)·ln 3, W₂ = (3^0.6, 3^-0.8)/(3^0.6 + 3^-0.8)
    ///
    /// The third frame checks a non-quarter weight against its closed form. Tolerances:
    /// Reference 1e-14 (a few operations on numbers ≤ 2 with ln 3 and √2 rounded); Optimized
    /// 1e-6 (Float's ε = 6e-8 on the same).
    @Test("Hand-worked D = 2, n_seg = 2")
    func handWorked() {
        let f = Matrix<Double>([[1, 0], [0, 1], [0.6, -0.8]]), s = Matrix<Double>([[1, 0], [0, 1]])
        let tau = 1 / (2.0.squareRoot() * log(3.0))
        let w2 = [pow(3, 0.6), pow(3, -0.8)].map { $0 / (pow(3, 0.6) + pow(3, -0.8)) }
        let expectedW = Matrix<Double>([[0.75, 0.25], [0.25, 0.75], w2])
        let u2 = [0.6 + w2[0], -0.8 + w2[1]], n2 = (u2[0] * u2[0] + u2[1] * u2[1]).squareRoot()
        let r50 = 50.0.squareRoot()
        let expected = Matrix<Double>([[7 / r50, 1 / r50], [1 / r50, 7 / r50], [u2[0] / n2, u2[1] / n2]])
        let (y, cache) = RCA.forward(features: f, segments: s, temperature: tau)
        #expect(cache.weights.maxAbsDifference(expectedW) < Tolerance.shortChain, "W = \(cache.weights.nestedRows)")
        #expect(y.maxAbsDifference(expected) < Tolerance.shortChain, "F_R = \(y.nestedRows)")
        let (y32, cache32) = OCA.forward(features: f.float32, segments: s.float32, temperature: Float(tau))
        #expect(cache32.weights.float64.maxAbsDifference(expectedW) < Tolerance.floatFewUlps, "Optimized W = \(cache32.weights.nestedRows)")
        #expect(y32.float64.maxAbsDifference(expected) < Tolerance.floatFewUlps, "Optimized F_R = \(y32.nestedRows)")
    }

    // MARK: Helpers

    func expectAgree(_ optimized: Matrix<Float>, _ reference: Matrix<Double>, _ label: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let error = scaledMaxError(optimized, reference)
        #expect(error < Tolerance.float32, "\(label): scaled error \(error)", sourceLocation: sourceLocation)
    }
}
