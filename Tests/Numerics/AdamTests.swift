import CLOTCore
import Testing
import TestSupport

@Suite("Adam")
struct AdamTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var lr: Double, weight_decay: Double
            var initial: [Double], gradients: [[Double]], parameters_after_each_step: [[Double]]
        }
        var cases: [Case]
    }

    /// torch.optim.Adam in float64 on the same numbers: agreement to 1e-12 (the two compute
    /// the same operations in a different association; values ~1).
    @Test("matches torch.optim.Adam step for step")
    func matchesTorch() throws {
        let golden: Golden = try loadFixture("golden/adam_torch.json")
        for c in golden.cases {
            var adam = Adam<Double>(count: c.initial.count, learningRate: c.lr, weightDecay: c.weight_decay)
            var p = c.initial
            for (g, expected) in zip(c.gradients, c.parameters_after_each_step) {
                adam.update(&p, gradient: g)
                for (a, b) in zip(p, expected) { expectClose(a, b, tolerance: Tolerance.rounding) }
            }
        }
    }

    /// First step, by hand: m̂ = g, v̂ = g², so p moves by lr·g/(|g| + ε).
    @Test("first step moves each parameter by about lr against its gradient's sign")
    func firstStep() {
        var adam = Adam<Double>(count: 3, learningRate: 0.1)
        var p = [1.0, -2.0, 0.5]
        adam.update(&p, gradient: [3.0, -0.5, 0])
        expectClose(p[0], 1 - 0.1 * 3 / (3 + 1e-8), tolerance: Tolerance.shortChain)
        expectClose(p[1], -2 + 0.1 * 0.5 / (0.5 + 1e-8), tolerance: Tolerance.shortChain)
        #expect(p[2] == 0.5)
    }

    @Test("weight decay pulls a parameter with zero gradient towards 0")
    func weightDecay() {
        var adam = Adam<Double>(count: 1, learningRate: 0.01, weightDecay: 0.5)
        var p = [2.0]
        for _ in 0..<10 { adam.update(&p, gradient: [0]) }
        #expect(p[0] < 2 && p[0] > 1.8)
    }

    @Test("Float32 and Double optimisers agree within Float rounding")
    func floatAgreesWithDouble() {
        var a = Adam<Double>(count: 4, learningRate: 1e-3, weightDecay: 1e-4)
        var b = Adam<Float>(count: 4, learningRate: 1e-3, weightDecay: 1e-4)
        var g = MersenneTwister(seed: 9)
        var pd = (0..<4).map { _ in g.gaussian() }
        var pf = pd.map(Float.init)
        for _ in 0..<20 {
            let grad = (0..<4).map { _ in g.gaussian() }
            a.update(&pd, gradient: grad)
            b.update(&pf, gradient: grad.map(Float.init))
        }
        for (x, y) in zip(pd, pf) { #expect(relativeError(y, x) < Tolerance.float32) }
    }
}
