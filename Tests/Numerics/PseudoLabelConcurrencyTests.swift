import CLOTCore
@testable import Optimized
import Testing
import TestSupport

/// `Optimized.CLOTModel.pseudoLabels` solves stages 2 and 3 on a second thread while the first
/// draws the sliced-Wasserstein directions and builds stage 1's costs. Exact equality (no
/// tolerance) with the three stages computed one after another on one thread: the concurrency
/// may change the time, never a bit or the generator's state.
@Suite("Pseudo-labels: concurrent stages = serial stages")
struct PseudoLabelConcurrencyTests {
    @Test("the concurrent stages give the serial solves' plans bit for bit",
          arguments: ["small", "breakfast", "small+sw-directions=per-video", "small+segment-prior=no", "small+stage3-ot=l2-unbalanced"])
    func concurrentEqualsSerial(_ name: String) {
        let c = CLOTModelAgreementTests.configuration(name)
        let settings = CLOTModelAgreementTests.trainSettings
        let p = CLOTModelAgreementTests.parameters(c, seed: 41).converted(to: Float.self)
        // Two videos, the second padded: both item-parallel solves and masks are exercised.
        let batch = CLOTModelAgreementTests.optimized(CLOTModelAgreementTests.batch(c, videos: 2, frames: 160, seed: 42))
        var unused = MersenneTwister(seed: 0)
        let f = Optimized.CLOTModel.forward(batch, parameters: p, configuration: c, dropout: false, generator: &unused)
        var concurrentGenerator = MersenneTwister(seed: 43)
        let targets = Optimized.CLOTModel.pseudoLabels(f, batch: batch, parameters: p, configuration: c, settings: settings,
                                                      generator: &concurrentGenerator)

        // The same three stages, in order, each solve on one thread.
        typealias Model = Optimized.CLOTModel
        var serialGenerator = MersenneTwister(seed: 43)
        let t = batch.frames, k = c.clusters, b = batch.videos
        let masks = (0..<b).map { Array(batch.mask[($0 * t)..<(($0 + 1) * t)]) }
        let onePlusPrior = Model.shifted(Optimized.temporalPrior(frames: t, clusters: k, rho: Float(c.rho)))
        var frameCosts = Model.cosineCosts(f.frames, p.actions, onePlusPrior: onePlusPrior, videos: b)
        func directions() -> Matrix<Float> {
            randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns, using: &serialGenerator).float32
        }
        let shared = c.choices.swDirections == .perBatch ? directions() : nil
        for v in 0..<b {
            let sw = Optimized.slicedCostMatrix(frames: f.frames.rowBlock(v * t, t), clusters: p.actions,
                                                directions: shared ?? directions(), radius: Float(c.slicedWassersteinRadius))
            Model.addScaled(&frameCosts[v], sw, Float(c.choices.swWeight))
        }
        let frames = Matrix.stacked(Optimized.solveASOT(ASOTBatch(costs: frameCosts, masks: masks), settings: settings, threads: 1).map(\.plan))
        let segmentPrior = c.choices.segmentPrior ? Optimized.temporalPrior(frames: c.segments, clusters: k, rho: Float(c.rho))
                                          : Model.zeros(c.segments, k)
        let segmentCosts = Model.cosineCosts(f.segments!, p.actions, onePlusPrior: Model.shifted(segmentPrior), videos: b)
        let segments = Matrix.stacked(Optimized.solveASOT(ASOTBatch(costs: segmentCosts), settings: settings, threads: 1).map(\.plan))
        let refinedCosts = Model.cosineCosts(f.refined!, p.actions, onePlusPrior: onePlusPrior, videos: b)
        let refined = c.choices.stage3OT == .asot
            ? Matrix.stacked(Optimized.solveASOT(ASOTBatch(costs: refinedCosts, masks: masks), settings: settings, threads: 1).map(\.plan))
            : Matrix.stacked(refinedCosts.map { solveQuadraticUnbalanced(cost: $0) })

        #expect(targets.frames == frames, "stage 1 plans differ")
        #expect(targets.segments == segments, "stage 2 plans differ")
        #expect(targets.refined == refined, "stage 3 plans differ")
        #expect(concurrentGenerator == serialGenerator, "the generators drew different numbers")
    }

    @Test("concurrently runs both closures, each once")
    func concurrentlyRunsBoth() {
        final class Counter: @unchecked Sendable { var value = 0 }
        let second = Counter()
        var first = 0
        Optimized.concurrently({ first += 1 }, { second.value += 10 })
        #expect(first == 1 && second.value == 10)
    }
}
