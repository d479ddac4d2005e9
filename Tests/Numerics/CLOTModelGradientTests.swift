import CLOTCore
import Reference
import Testing
import TestSupport

/// Central finite differences of the whole three-stage loss (CLOT Eq. 11–13) against the
/// hand-written backward pass, for every parameter group, with dropout on (encoder and decoder;
/// every loss evaluation replays the same seed, so the masks are the same), feature
/// dispatching's argmax held fixed and the pseudo-labels held fixed (they carry no gradient by
/// construction). Run for the model variants and for every alternative of every
/// reconstruction choice (`ChoiceVariants`), one at a time. Step and budget: `GradientCheck`
/// (the error here is per entry, relative to max(|numeric|, |analytic|, 1e-3), the floor
/// keeping near-zero entries from dividing by ~0).
///
/// Reference only: the Optimized model's gradients, tensor by tensor, are held to these by
/// `CLOTModelAgreementTests`; Float32 finite differences of the whole loss would be no oracle
/// (see `GradientCheck`).
@Suite("CLOT model gradients")
struct CLOTModelGradientTests {
    static func smallConfiguration(_ variant: String) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.layerSizes = [6, 10, 8]
        c.clusters = 3
        c.heads = 2
        c.decoderLayers = 2
        c.segmentOffset = 1
        c.slicedWassersteinProjections = 12
        // Shorter than the 12-frame videos: the learned position table's clamp (absolute index)
        // and its shared rows (relative index) are both exercised.
        c.memoryPositionSpan = 8
        // Narrow (the defaults' 2048 units make the debug-built Reference slow); a fixed width,
        // so that the alternative 4d differs.
        c.choices.ffnWidth = .fixed(24)
        switch variant {
        case "asot": c = .asot(layerSizes: [6, 10, 8], clusters: 3)
        case "no-fd": c.useFeatureDispatching = false
        case "no-refinement": c.useRefinement = false
        case "autoregressive": c.autoregressiveDecoder = true
        case "full": break
        default:                                                 // "released" or NAME=VALUE
            c = ChoiceVariants.applying(variant, to: c)
            if !variant.hasPrefix("ffn-width") { c.choices.ffnWidth = .fixed(24) }
        }
        return c
    }

    /// Two videos of 12 frames, the second padded after 8.
    static func batch(seed: UInt32) -> Reference.CLOTModel.Batch {
        var g = MersenneTwister(seed: seed)
        let features = Matrix(rows: 24, columns: 6, elements: (0..<144).map { _ in g.gaussian() })
        let mask = Array(repeating: true, count: 12) + Array(repeating: true, count: 8) + Array(repeating: false, count: 4)
        return .init(features: features, mask: mask, videos: 2)
    }

    /// Step h = 1e-5: the central-difference truncation error is O(h²·L''') ≈ 1e-10 and the
    /// rounding error O(ε_mach·L/h) ≈ 1e-11, against gradients of order 1e-3..1 (relative
    /// error floored at 1e-3 of scale), so 1e-6 relative leaves a margin while catching any
    /// wrong term.
    @Test("finite differences match the backward pass for every parameter group",
          arguments: ["full", "asot", "no-fd", "no-refinement", "autoregressive", "released"] + ChoiceVariants.alternatives)
    func gradientCheck(variant: String) throws {
        let c = Self.smallConfiguration(variant)
        var g = MersenneTwister(seed: 42)
        var p = ModelParameters<Double>.initial(c, using: &g)
        // Move off the initial point, where the attention biases and LayerNorm β are exactly 0,
        // every γ is 1 and the layers share their FFN biases: symmetric places where a wrong
        // term can cancel. Every tensor gets N(0, 0.1²) noise.
        p.tensors = p.tensors.map { $0.map { $0 + 0.1 * g.gaussian() } }
        p.dispatchAlpha = 1.3
        p.dispatchBeta = -0.2
        let batch = Self.batch(seed: 7)
        var settings = ASOTSettings()
        settings.epsilon = 0.07
        // Dropout masks are drawn in a fixed number and order whatever the parameters, so every
        // forward from this seed draws the same masks.
        let dropoutSeed: UInt32 = 11
        var masks = MersenneTwister(seed: dropoutSeed)
        let base = Reference.CLOTModel.forward(batch, parameters: p, configuration: c, dropout: true, generator: &masks)
        let targets = Reference.CLOTModel.pseudoLabels(base, batch: batch, parameters: p, configuration: c, settings: settings, generator: &g)
        let fixedMask = base.dispatchMask
        // Stages 2 and 3 see F as a constant when the encoder takes only stage 1's gradient.
        let laterStageFrames = c.choices.encoderGradient == .frameStageOnly ? base.frames : nil
        func loss(_ q: ModelParameters<Double>) -> Double {
            var replay = MersenneTwister(seed: dropoutSeed)
            let f = Reference.CLOTModel.forward(batch, parameters: q, configuration: c, dropout: true, generator: &replay,
                                                fixedDispatchMask: fixedMask, laterStageFrames: laterStageFrames)
            return Reference.CLOTModel.loss(f, targets: targets, batch: batch, parameters: q, configuration: c).total
        }
        let analytic = Reference.CLOTModel.gradients(base, targets: targets, batch: batch, parameters: p, configuration: c).tensors
        let tensors = p.tensors
        var picker = MersenneTwister(seed: 3)
        let h = GradientCheck.step
        var checked = 0
        for (t, values) in tensors.enumerated() where !values.isEmpty {
            for _ in 0..<min(4, values.count) {
                let i = picker.integer(in: 0..<values.count)
                var plus = tensors, minus = tensors
                plus[t][i] += h
                minus[t][i] -= h
                var qp = p, qm = p
                qp.tensors = plus
                qm.tensors = minus
                let numeric = (loss(qp) - loss(qm)) / (2 * h)
                let error = abs(numeric - analytic[t][i]) / max(abs(numeric), abs(analytic[t][i]), 1e-3)
                #expect(error < GradientCheck.budget, "\(variant): tensor \(t) entry \(i): numeric \(numeric) vs analytic \(analytic[t][i])")
                checked += 1
            }
        }
        #expect(checked > 10)
    }
}
