import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// `Optimized.CLOTModel` (Float32, sgemm) against `Reference.CLOTModel` (Double, plain loops)
/// on the same parameters (rounded to Float, so both see the same numbers) and the same batch.
///
/// Error measure: `scaledMaxError`, max |Optimized − Reference| / max |Reference| over a whole
/// tensor, as `LayerAgreementTests`. Budget `Tolerance.float32` = 1e-4 for the forward
/// features, the loss and every gradient tensor: each is a chain of the layers that
/// `LayerAgreementTests` holds to 1e-4 (measured ≤ 1.5e-6 each); a chain of ~30 of them (encoder,
/// dispatching, two decoder layers of attention, LayerNorm and FFN, refinement, three softmax
/// CE stages at τ = 0.1) adds their errors times condition factors of order 1–10, so a few 1e-6
/// to 1e-5 are expected, and 1e-4 still catches any wrong term (which moves a tensor by O(1)).
/// Measured over every case here: features ≤ 4e-7, losses ≤ 1.6e-7, gradients ≤ 1.6e-5 (the
/// query positions', a sum over every decoder layer and video).
///
/// Losses and gradients are compared on IDENTICAL pseudo-labels (Reference's, rounded to
/// Float): ASOT in Float and in Double legitimately differ by ~1e-5 per entry, and the loss is
/// linear in the targets, which would blur a 1e-4 comparison. The Optimized pseudo-labels
/// are checked separately, by their decoded labels.
@Suite("CLOT model: Reference = Optimized")
struct CLOTModelAgreementTests {
    /// A configuration and a batch shape. With two videos the second is padded (its last
    /// quarter of frames are padding).
    struct Case: CustomTestStringConvertible, Sendable {
        var configuration: String, videos: Int, frames: Int
        var testDescription: String { "\(configuration) B \(videos) T \(frames)" }
    }

    static let cases: [Case] = ["small", "breakfast"].flatMap { c in
        [1, 2].flatMap { b in [16, 40].map { t in Case(configuration: c, videos: b, frames: t) } }
    } + [Case(configuration: "breakfast-asot", videos: 2, frames: 40)]

    /// The small model with each alternative of each reconstruction choice, and with the
    /// released choices (two videos of 16 frames, the second padded).
    static let choiceCases: [Case] = (["released"] + ChoiceVariants.alternatives).map {
        Case(configuration: "small+" + $0, videos: 2, frames: 16)
    }

    /// "small": the gradient test's (6-10-8, K = 3, 2 heads, 2 layers, n_seg = 4, 12 SW
    /// projections, FFN width 24; a memory position span of 12, so that 16- and 40-frame
    /// memories reach past it). "breakfast": Breakfast sizes 64-128-40, K = 7, 2 decoder layers, 8 heads, 150 SW
    /// projections (the defaults). "breakfast-asot": the ASOT baseline at those sizes.
    /// "small+NAME=VALUE" (or "small+released"): the small model with that choice.
    static func configuration(_ name: String) -> ModelConfiguration {
        if name.hasPrefix("small+") {
            let variant = String(name.dropFirst("small+".count))
            var c = ChoiceVariants.applying(variant, to: configuration("small"))
            if !variant.hasPrefix("ffn-width") { c.choices.ffnWidth = .fixed(24) }
            return c
        }
        switch name {
        case "small":
            var c = ModelConfiguration()
            c.layerSizes = [6, 10, 8]
            c.clusters = 3
            c.heads = 2
            c.decoderLayers = 2
            c.segmentOffset = 1
            c.slicedWassersteinProjections = 12
            c.memoryPositionSpan = 12
            c.choices.ffnWidth = .fixed(24)
            return c
        case "breakfast":
            var c = ModelConfiguration()
            c.layerSizes = [64, 128, 40]
            c.clusters = 7
            c.decoderLayers = 2
            c.heads = 8
            return c
        case "breakfast-asot":
            return .asot(layerSizes: [64, 128, 40], clusters: 7)
        default:
            preconditionFailure("unknown configuration \(name)")
        }
    }

    /// Breakfast's train settings (eps 0.07, alpha 0.4, radius 0.04, λ_actions 0.1, frames balanced).
    static var trainSettings: ASOTSettings {
        var s = ASOTSettings()
        s.epsilon = 0.07
        s.alpha = 0.4
        s.radius = 0.04
        s.lambdaActions = 0.1
        return s
    }

    /// Initial parameters moved off the initial point as in `CLOTModelGradientTests` (there
    /// the first LayerNorm's input is exactly 0), A with unit rows (as every training step
    /// leaves it), all rounded to Float.
    static func parameters(_ c: ModelConfiguration, seed: UInt32) -> ModelParameters<Double> {
        var g = MersenneTwister(seed: seed)
        var p = ModelParameters<Double>.initial(c, using: &g)
        p.tensors = p.tensors.map { $0.map { $0 + 0.1 * g.gaussian() } }
        p.dispatchAlpha = 1.3
        p.dispatchBeta = -0.2
        p.actions = Reference.RowNormalize.forward(p.actions)
        return p.converted(to: Float.self).converted(to: Double.self)
    }

    /// B videos of T frames of N(0, 1) features (rounded to Float); the second video, if any,
    /// has its last ⌊T/4⌋ frames padded.
    static func batch(_ c: ModelConfiguration, videos: Int, frames t: Int, seed: UInt32) -> Reference.CLOTModel.Batch {
        var g = MersenneTwister(seed: seed)
        let features = RandomMatrix.gaussian(videos * t, c.layerSizes[0], using: &g).roundedToFloat
        var mask = Array(repeating: true, count: videos * t)
        if videos > 1 { for i in (2 * t - t / 4)..<(2 * t) { mask[i] = false } }
        return .init(features: features, mask: mask, videos: videos)
    }

    static func optimized(_ batch: Reference.CLOTModel.Batch) -> Optimized.CLOTModel.Batch {
        .init(features: batch.features.float32, mask: batch.mask, videos: batch.videos)
    }

    /// Names of the tensors in `ModelParameters.tensors` order, for failure messages.
    static func tensorNames(_ p: ModelParameters<Double>) -> [String] {
        var names: [String] = []
        for i in p.encoder.indices { names += ["encoder[\(i)].weight", "encoder[\(i)].bias"] }
        names += ["dispatchAlpha", "dispatchBeta", "actions", "queryPositions", "target", "memoryPositions"]
        for l in p.decoder.indices {
            for a in ["selfAttention", "crossAttention"] {
                names += ["in weight", "in bias", "out weight", "out bias"].map { "decoder[\(l)].\(a).\($0)" }
            }
            names += ["ff1.weight", "ff1.bias", "ff2.weight", "ff2.bias",
                      "norm1.gamma", "norm1.beta", "norm2.gamma", "norm2.beta", "norm3.gamma", "norm3.beta"].map { "decoder[\(l)].\($0)" }
        }
        return names + ["finalNorm.gamma", "finalNorm.beta"]
    }

    /// Expects every gradient tensor within `tolerance` (scaled by the tensor's max abs, or by
    /// the model's largest gradient for structurally zero tensors).
    static func expectGradientsAgree(_ o: [[Float]], _ r: [[Double]], names: [String], tolerance: Double, _ context: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.count == r.count && names.count == r.count, "\(context): tensor counts differ", sourceLocation: sourceLocation)
        let global = r.flatMap { $0 }.reduce(0) { max($0, abs($1)) }
        #expect(global > 0, "\(context): all gradients vanish", sourceLocation: sourceLocation)
        for (i, (ot, rt)) in zip(o, r).enumerated() {
            #expect(ot.count == rt.count, "\(context): \(names[i]) has \(ot.count) entries, Reference \(rt.count)",
                    sourceLocation: sourceLocation)
            guard ot.count == rt.count, !rt.isEmpty else { continue }
            let scale = rt.reduce(0) { max($0, abs($1)) }
            if scale < Tolerance.Agreement.structuralZero * global {
                let largest = ot.reduce(0) { max($0, abs(Double($1))) }
                #expect(largest <= Tolerance.float32 * global,
                        "\(context): \(names[i]) is zero in exact arithmetic but Optimized has \(largest) (scale \(global))",
                        sourceLocation: sourceLocation)
            } else {
                let error = scaledMaxError(ot, rt)
                #expect(error < tolerance, "\(context): ∂\(names[i]) scaled error \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    static func expectAgree(_ optimized: Matrix<Float>?, _ reference: Matrix<Double>?, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect((optimized == nil) == (reference == nil), "\(label): present in one backend only", sourceLocation: sourceLocation)
        guard let optimized, let reference else { return }
        let error = scaledMaxError(optimized, reference)
        #expect(error < Tolerance.float32, "\(label): scaled error \(error)", sourceLocation: sourceLocation)
    }

    // MARK: forward, loss and gradients, dropout off, identical targets

    @Test("forward features, loss and every gradient tensor agree within 1e-4 on identical targets", arguments: cases + choiceCases)
    func forwardLossGradients(_ testCase: Case) {
        let c = Self.configuration(testCase.configuration)
        let pr = Self.parameters(c, seed: 21), po = pr.converted(to: Float.self)
        let br = Self.batch(c, videos: testCase.videos, frames: testCase.frames, seed: 22), bo = Self.optimized(br)
        var unused = MersenneTwister(seed: 0)
        let fr = Reference.CLOTModel.forward(br, parameters: pr, configuration: c, dropout: false, generator: &unused)
        let fo = Optimized.CLOTModel.forward(bo, parameters: po, configuration: c, dropout: false, generator: &unused)
        #expect(unused == MersenneTwister(seed: 0), "a forward pass without dropout drew random numbers")
        let context = testCase.testDescription
        #expect(fo.dispatchMask == fr.dispatchMask, "\(context): feature dispatching's argmax differs")
        Self.expectAgree(fo.frames, fr.frames, "\(context) F")
        Self.expectAgree(fo.segments, fr.segments, "\(context) S")
        Self.expectAgree(fo.refined, fr.refined, "\(context) F_R")

        var gr = MersenneTwister(seed: 23)
        let tr = Reference.CLOTModel.pseudoLabels(fr, batch: br, parameters: pr, configuration: c, settings: Self.trainSettings, generator: &gr)
        let to = Optimized.CLOTModel.Targets(frames: tr.frames.float32, segments: tr.segments?.float32, refined: tr.refined?.float32)
        // The targets are rounded to Float: the Reference loss is taken on the same rounded ones.
        var trRounded = tr
        trRounded.frames = tr.frames.roundedToFloat
        trRounded.segments = tr.segments?.roundedToFloat
        trRounded.refined = tr.refined?.roundedToFloat
        let lr = Reference.CLOTModel.loss(fr, targets: trRounded, batch: br, parameters: pr, configuration: c)
        let lo = Optimized.CLOTModel.loss(fo, targets: to, batch: bo, parameters: po, configuration: c)
        for (name, o, r) in [("L_F", lo.frames, lr.frames), ("L_S", lo.segments, lr.segments), ("L_R", lo.refined, lr.refined),
                             ("L", lo.total, lr.total)] {
            #expect(relativeError(o, r) < Tolerance.float32, "\(context) \(name): \(o) vs \(r)")
        }
        #expect(lr.total > 0, "\(context): the loss vanishes, nothing is compared")

        let dr = Reference.CLOTModel.gradients(fr, targets: trRounded, batch: br, parameters: pr, configuration: c)
        let dO = Optimized.CLOTModel.gradients(fo, targets: to, batch: bo, parameters: po, configuration: c)
        Self.expectGradientsAgree(dO.tensors, dr.tensors, names: Self.tensorNames(pr), tolerance: Tolerance.float32, context)
    }

    // MARK: pseudo-labels

    /// At least this fraction of all compared rows must carry the same label, near-ties included
    /// (each near-tie row is a coin flip between two labels, and they are a few per cent at most).
    /// Measured: every label agrees in every case here, and the plans within 2.3e-5 (scaled).
    static let labelAgreement = 0.95

    @Test("Optimized pseudo-labels decode to Reference's labels", arguments: cases + choiceCases)
    func pseudoLabels(_ testCase: Case) {
        let c = Self.configuration(testCase.configuration)
        let pr = Self.parameters(c, seed: 31), po = pr.converted(to: Float.self)
        let br = Self.batch(c, videos: testCase.videos, frames: testCase.frames, seed: 32), bo = Self.optimized(br)
        var unused = MersenneTwister(seed: 0)
        let fr = Reference.CLOTModel.forward(br, parameters: pr, configuration: c, dropout: false, generator: &unused)
        let fo = Optimized.CLOTModel.forward(bo, parameters: po, configuration: c, dropout: false, generator: &unused)
        var g1 = MersenneTwister(seed: 33), g2 = MersenneTwister(seed: 33)
        let tr = Reference.CLOTModel.pseudoLabels(fr, batch: br, parameters: pr, configuration: c, settings: Self.trainSettings, generator: &g1)
        let to = Optimized.CLOTModel.pseudoLabels(fo, batch: bo, parameters: po, configuration: c, settings: Self.trainSettings, generator: &g2)
        #expect(g1 == g2, "the backends drew different numbers of sliced-Wasserstein directions")
        let context = testCase.testDescription
        let segmentMask = Array(repeating: true, count: tr.segments?.rows ?? 0)
        for (name, o, r, mask) in [("T", to.frames, Optional(tr.frames), br.mask), ("T_S", to.segments, tr.segments, segmentMask),
                                   ("T_R", to.refined, tr.refined, br.mask)] {
            #expect((o == nil) == (r == nil), "\(context) \(name): present in one backend only")
            guard let o, let r else { continue }
            let lo = o.rowArgmax(), lr = r.rowArgmax()
            var compared = 0, same = 0, decisiveDisagreements: [Int] = []
            for i in mask.indices where mask[i] {
                compared += 1
                if lo[i] == lr[i] { same += 1; continue }
                let row = r.row(i).sorted(by: >)
                if row[0] - row[1] > Tolerance.Agreement.decisiveModelRow { decisiveDisagreements.append(i) }
            }
            // The plans themselves: within the ASOT agreement budget (`ReferenceOptimizedAgreementTests`).
            let planError = scaledMaxError(o, r)
            #expect(planError < Tolerance.float32, "\(context) \(name): plans differ by \(planError) (scaled)")
            #expect(decisiveDisagreements.isEmpty, "\(context) \(name): labels differ on decisive rows \(decisiveDisagreements)")
            #expect(Double(same) >= Self.labelAgreement * Double(compared), "\(context) \(name): only \(same) of \(compared) labels agree")
            // Padded rows carry no mass in either backend.
            for i in mask.indices where !mask[i] {
                #expect(o.row(i).allSatisfy { $0 == 0 }, "\(context) \(name): padded row \(i) has mass")
            }
        }
    }

    // MARK: one training step, dropout on

    /// Entries whose Reference gradient is nonzero but within the gradient budget
    /// (`Tolerance.float32`) of the tensor's largest entry have an undetermined first Adam
    /// step: sign(g) may flip under the Float rounding the budget allows. They are held only to
    /// Adam's bound |Δ| ≤ lr. So are the key biases of every attention: softmax is invariant to a
    /// per-row shift of its logits, so ∂b_k = 0 in exact arithmetic and both backends hold
    /// rounding noise there (Reference ~1e-17, sometimes exactly 0; Optimized ~1e-9), which
    /// Adam's first step turns into steps of up to lr of either sign.
    static let undeterminedGradient = Tolerance.float32
    /// …and undetermined entries (other than the key biases) must stay rare, or the delta check
    /// would mean nothing: at most this fraction of the compared entries. (Measured: ≤ 0.3%.)
    static let undeterminedFraction = 0.01

    @Test("one training step with dropout: same masks, same loss, same parameter change",
          arguments: [Case(configuration: "small", videos: 2, frames: 16), Case(configuration: "breakfast", videos: 2, frames: 40),
                      Case(configuration: "breakfast", videos: 1, frames: 16), Case(configuration: "breakfast-asot", videos: 2, frames: 40)]
                     + choiceCases)
    func trainingStep(_ testCase: Case) {
        let c = Self.configuration(testCase.configuration)
        let p0 = Self.parameters(c, seed: 41)
        let br = Self.batch(c, videos: testCase.videos, frames: testCase.frames, seed: 42), bo = Self.optimized(br)
        let learningRate = 1e-3
        let context = testCase.testDescription
        let names = Self.tensorNames(p0)

        // The dropout masks: one forward per backend from the same seed draws the same words and
        // (as the outputs agree to Float rounding) the same masks.
        if c.useDecoder {
            var g1 = MersenneTwister(seed: 43), g2 = MersenneTwister(seed: 43)
            let fr = Reference.CLOTModel.forward(br, parameters: p0, configuration: c, dropout: true, generator: &g1)
            let fo = Optimized.CLOTModel.forward(bo, parameters: p0.converted(to: Float.self), configuration: c, dropout: true, generator: &g2)
            #expect(g1 == g2, "\(context): the backends drew different numbers of dropout words")
            #expect(g1 != MersenneTwister(seed: 43), "\(context): dropout drew nothing")
            Self.expectAgree(fo.segments, fr.segments, "\(context) S with dropout")
            Self.expectAgree(fo.refined, fr.refined, "\(context) F_R with dropout")
        }

        // Each backend's gradient of this step (the step's own body, replayed from the same
        // seed, with its own pseudo-labels): they agree within the gradient budget, and tell
        // determined Adam steps from undetermined ones.
        var replayR = MersenneTwister(seed: 44), replayO = MersenneTwister(seed: 44)
        var pn = p0
        pn.actions = Reference.RowNormalize.forward(pn.actions)
        let fr = Reference.CLOTModel.forward(br, parameters: pn, configuration: c, dropout: true, generator: &replayR)
        let tr = Reference.CLOTModel.pseudoLabels(fr, batch: br, parameters: pn, configuration: c, settings: Self.trainSettings, generator: &replayR)
        let gradientR = Reference.CLOTModel.gradients(fr, targets: tr, batch: br, parameters: pn, configuration: c).tensors
        var pno = p0.converted(to: Float.self)
        pno.actions = Optimized.RowNormalize.forward(pno.actions)
        let fo = Optimized.CLOTModel.forward(bo, parameters: pno, configuration: c, dropout: true, generator: &replayO)
        let to = Optimized.CLOTModel.pseudoLabels(fo, batch: bo, parameters: pno, configuration: c, settings: Self.trainSettings, generator: &replayO)
        let gradientO = Optimized.CLOTModel.gradients(fo, targets: to, batch: bo, parameters: pno, configuration: c).tensors
        Self.expectGradientsAgree(gradientO, gradientR, names: names, tolerance: Tolerance.float32, "\(context) with dropout")

        // The steps themselves.
        var pr = p0, po = p0.converted(to: Float.self)
        var ar = pr.tensors.map { Adam<Double>(count: $0.count, learningRate: learningRate) }
        var ao = po.tensors.map { Adam<Float>(count: $0.count, learningRate: Float(learningRate)) }
        var g1 = MersenneTwister(seed: 44), g2 = MersenneTwister(seed: 44)
        let lr = Reference.CLOTModel.trainingStep(br, parameters: &pr, optimizers: &ar, configuration: c, settings: Self.trainSettings, generator: &g1)
        let lo = Optimized.CLOTModel.trainingStep(bo, parameters: &po, optimizers: &ao, configuration: c, settings: Self.trainSettings, generator: &g2)
        #expect(g1 == g2, "\(context): the backends drew different numbers of random words in a step")
        #expect(g1 == replayR && g2 == replayO, "\(context): the replayed step drew differently from the step itself")
        #expect(relativeError(lo.total, lr.total) < Tolerance.Agreement.stepLoss, "\(context): loss \(lo.total) vs \(lr.total)")

        let before = p0.tensors, afterR = pr.tensors, afterO = po.tensors
        let global = gradientR.flatMap { $0 }.reduce(0) { max($0, abs($1)) }
        let d = c.embeddingWidth
        var undetermined = 0, compared = 0
        for t in before.indices where !before[t].isEmpty {
            let scale = gradientR[t].reduce(0) { max($0, abs($1)) }
            let structurallyZero = scale < Tolerance.Agreement.structuralZero * global
            let isInBias = names[t].hasSuffix("Attention.in bias")
            let deltaR = zip(afterR[t], before[t]).map { $0 - $1 }
            let deltaO = zip(afterO[t], before[t]).map { Double($0) - $1 }
            let deltaScale = deltaR.reduce(0) { max($0, abs($1)) }
            var worst = 0.0
            for i in before[t].indices {
                let keyBias = isInBias && (d..<(2 * d)).contains(i)
                // Exact zeros in both (a hidden unit silenced by ReLU or dropout on every row)
                // are determined: Adam leaves them in place in both backends.
                let bothZero = gradientR[t][i] == 0 && gradientO[t][i] == 0
                let determined = !structurallyZero && !keyBias
                    && (bothZero || abs(gradientR[t][i]) > Self.undeterminedGradient * scale)
                if determined {
                    compared += 1
                    worst = max(worst, abs(deltaO[i] - deltaR[i]))
                } else {
                    if !structurallyZero && !keyBias { undetermined += 1 }
                    #expect(abs(deltaO[i]) <= learningRate * (1 + Tolerance.Agreement.stepDelta),
                            "\(context): \(names[t])[\(i)] moved \(deltaO[i]), more than lr")
                }
            }
            if deltaScale > 0 {
                #expect(worst / deltaScale < Tolerance.Agreement.stepDelta, "\(context): Δ\(names[t]) scaled error \(worst / deltaScale)")
            }
        }
        #expect(compared > 0 && Double(undetermined) <= Self.undeterminedFraction * Double(compared + undetermined),
                "\(context): \(undetermined) of \(compared + undetermined) steps undetermined")
    }

    // MARK: embedding and prediction

    @Test("embed agrees within 1e-4; predict decodes the same labels (refined and stage-1 decoding)",
          arguments: ["small", "breakfast", "breakfast-asot"] + choiceCases.map(\.configuration))
    func embedAndPredict(_ name: String) {
        let base = Self.configuration(name)
        let p = Self.parameters(base, seed: 61), po = p.converted(to: Float.self)
        let video = Self.batch(base, videos: 1, frames: 40, seed: 62).features
        Self.expectAgree(Optimized.CLOTModel.embed(video.float32, parameters: po), Reference.CLOTModel.embed(video, parameters: p),
                         "\(name) embed")
        var eval = ASOTSettings()
        eval.epsilon = 0.04
        eval.alpha = 0.6
        eval.lambdaActions = 0.01
        for stage in ModelConfiguration.DecodeStage.allCases {
            var c = base
            c.choices.decodeStage = stage
            var g1 = MersenneTwister(seed: 63), g2 = MersenneTwister(seed: 63)
            let lr = Reference.CLOTModel.predict(video, parameters: p, configuration: c, settings: eval, generator: &g1)
            let lo = Optimized.CLOTModel.predict(video.float32, parameters: po, configuration: c, settings: eval, generator: &g2)
            #expect(g1 == g2, "\(name) \(stage): the backends drew differently")
            let same = zip(lr, lo).filter { $0 == $1 }.count
            #expect(lo.count == lr.count && Double(same) >= Self.labelAgreement * Double(lr.count),
                    "\(name) \(stage): \(same) of \(lr.count) labels agree")
        }
    }

    // MARK: padding

    @Test("fd-padding masked: padded frames' features change nothing in real frames' outputs (both backends)",
          arguments: ["small", "breakfast"])
    func padding(_ name: String) {
        var c = Self.configuration(name)
        c.choices.fdPadding = .masked
        let p = Self.parameters(c, seed: 51)
        let br = Self.batch(c, videos: 2, frames: 40, seed: 52)
        var changed = br
        var g = MersenneTwister(seed: 53)
        let d = c.layerSizes[0]
        for i in br.mask.indices where !br.mask[i] {
            for j in 0..<d { changed.features[i, j] = Double(Float(5 * g.gaussian())) }
        }
        #expect(Bool(changed.features != br.features))
        var unused = MersenneTwister(seed: 0)
        let real = br.mask.indices.filter { br.mask[$0] }
        func realRows<S>(_ x: Matrix<S>) -> [[S]] { real.map { x.row($0) } }

        let r1 = Reference.CLOTModel.forward(br, parameters: p, configuration: c, dropout: false, generator: &unused)
        let r2 = Reference.CLOTModel.forward(changed, parameters: p, configuration: c, dropout: false, generator: &unused)
        // Exact equality: padded frames enter no sum (dispatching skips them, attention gives
        // them weight exactly 0), and every real row's arithmetic is unchanged.
        #expect(Bool(realRows(r1.frames) == realRows(r2.frames)), "Reference F of real frames changed")
        #expect(Bool(r1.segments == r2.segments), "Reference S changed")
        #expect(Bool(realRows(r1.refined!) == realRows(r2.refined!)), "Reference F_R of real frames changed")

        let o1 = Optimized.CLOTModel.forward(Self.optimized(br), parameters: p.converted(to: Float.self), configuration: c,
                                             dropout: false, generator: &unused)
        let o2 = Optimized.CLOTModel.forward(Self.optimized(changed), parameters: p.converted(to: Float.self), configuration: c,
                                             dropout: false, generator: &unused)
        #expect(Bool(realRows(o1.frames) == realRows(o2.frames)), "Optimized F of real frames changed")
        #expect(Bool(o1.segments == o2.segments), "Optimized S changed")
        #expect(Bool(realRows(o1.refined!) == realRows(o2.refined!)), "Optimized F_R of real frames changed")
        // The padded rows themselves did change (the perturbation reached the model).
        #expect(Bool(o1.frames != o2.frames), "the perturbation did not reach the padded rows")

        // With fd-padding included (the released module), padded frames enter g_k: the real
        // frames of the padded video change, in both backends.
        c.choices.fdPadding = .included
        let secondVideo = real.filter { $0 >= 40 }
        func secondRows<S>(_ x: Matrix<S>) -> [[S]] { secondVideo.map { x.row($0) } }
        let i1 = Reference.CLOTModel.forward(br, parameters: p, configuration: c, dropout: false, generator: &unused)
        let i2 = Reference.CLOTModel.forward(changed, parameters: p, configuration: c, dropout: false, generator: &unused)
        #expect(Bool(secondRows(i1.frames) != secondRows(i2.frames)), "Reference: included padding changed no real frame")
        let j1 = Optimized.CLOTModel.forward(Self.optimized(br), parameters: p.converted(to: Float.self), configuration: c,
                                             dropout: false, generator: &unused)
        let j2 = Optimized.CLOTModel.forward(Self.optimized(changed), parameters: p.converted(to: Float.self), configuration: c,
                                             dropout: false, generator: &unused)
        #expect(Bool(secondRows(j1.frames) != secondRows(j2.frames)), "Optimized: included padding changed no real frame")
    }
}
