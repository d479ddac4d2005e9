import CLOTCore
import Testing
import TestSupport

/// Which frames a training, validation or test item holds (Documentation/Method.md §1,
/// `_partition_and_sample` of the ASOT loader).
@Suite struct FrameSamplingTests {
    @Test("flooredLinspace: ⌊i · stop/(num−1)⌋, last point exactly stop")
    func flooredLinspace() {
        #expect(FrameSampling.flooredLinspace(10, 3) == [0, 5, 10])
        // 7/2 = 3.5 floors to 3.
        #expect(FrameSampling.flooredLinspace(7, 3) == [0, 3, 7])
        // 10/3: 3.33 → 3, 6.67 → 6.
        #expect(FrameSampling.flooredLinspace(10, 4) == [0, 3, 6, 10])
        // 4/6: 0, 0.67, 1.33, 2, 2.67, 3.33, 4.
        #expect(FrameSampling.flooredLinspace(4, 7) == [0, 0, 1, 2, 2, 3, 4])
        #expect(FrameSampling.flooredLinspace(0, 3) == [0, 0, 0])
        #expect(FrameSampling.flooredLinspace(5, 2) == [0, 5])
        #expect(FrameSampling.flooredLinspace(5, 1) == [0])
        #expect(FrameSampling.flooredLinspace(5, 0) == [])
    }

    /// The golden `randint_intervals` ops hold the bounds NumPy made with
    /// `linspace(0, N−1, n+1).astype(int)` and the draws `randint(low, high)` took from them,
    /// after the case's earlier ops on the same generator: replaying those earlier ops, the
    /// training sampler must give the same bounds and the same frames.
    @Test("training frames equal numpy's randint over floored-linspace bounds",
          .enabled(if: fixtureExists(numpyRandomFixture), "fixtures/golden/numpy_mt19937.json is missing"),
          arguments: try numpyRandomCases())
    func matchesNumPy(_ golden: NumPyRandomCase) throws {
        var generator = MersenneTwister(seed: golden.seed)
        var checked = 0
        for op in golden.ops {
            switch op.op {
            case "randint_intervals":
                let low = try #require(op.low), high = try #require(op.high)
                let n = try #require(op.frameCount), expected = try #require(op.integers)
                #expect(FrameSampling.flooredLinspace(n - 1, low.count + 1) == low + [high.last ?? 0])
                let (indices, mask) = FrameSampling.random(count: low.count).indices(frameCount: n, using: &generator)
                #expect(indices.map(Int64.init) == expected)
                #expect(mask.allSatisfy { $0 })
                checked += 1
            case "uint32": for _ in 0..<op.count { _ = generator.nextUInt32() }
            case "random_sample": for _ in 0..<op.count { _ = generator.uniform() }
            case "random_integers":
                let lo = try #require(op.lo), up = try #require(op.up)
                for _ in 0..<op.count { _ = generator.integer(in: lo...up) }
            case "randn": for _ in 0..<op.count { _ = generator.gaussian() }
            case "permutation": _ = generator.permutation(try #require(op.n))
            default: Issue.record("unknown op '\(op.op)'")
            }
        }
        #expect(checked > 0, "no randint_intervals op for this seed")
    }

    @Test(".random(count: 256): one frame per interval, in range, increasing", arguments: 0..<10)
    func randomSampling(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        for n in [257, 300, 917, 1119, 5000] {
            let (indices, mask) = FrameSampling.random(count: 256).indices(frameCount: n, using: &generator)
            let bounds = FrameSampling.flooredLinspace(n - 1, 257)
            #expect(indices.count == 256 && mask == Array(repeating: true, count: 256))
            for (i, t) in indices.enumerated() {
                #expect(t >= bounds[i] && t < bounds[i + 1], "frame \(t) outside [\(bounds[i]), \(bounds[i + 1])) for N = \(n)")
            }
            #expect(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 })
        }
    }

    @Test("the same seed gives the same frames; another seed other frames")
    func seeded() {
        var a = MersenneTwister(seed: 1), b = MersenneTwister(seed: 1), c = MersenneTwister(seed: 2)
        let sampling = FrameSampling.random(count: 256)
        let x = sampling.indices(frameCount: 2000, using: &a).indices
        #expect(x == sampling.indices(frameCount: 2000, using: &b).indices)
        #expect(x != sampling.indices(frameCount: 2000, using: &c).indices)
    }

    @Test(".evenlySpaced: floored linspace over every frame, no draws")
    func evenlySpaced() {
        var generator = MersenneTwister(seed: 0)
        let before = generator
        let (indices, mask) = FrameSampling.evenlySpaced(count: 4).indices(frameCount: 11, using: &generator)
        // linspace(0, 10, 4) = 0, 3.33, 6.67, 10.
        #expect(indices == [0, 3, 6, 10] && mask == [true, true, true, true])
        #expect(generator == before)
        let long = FrameSampling.evenlySpaced(count: 256).indices(frameCount: 917, using: &generator).indices
        #expect(long == FrameSampling.flooredLinspace(916, 256))
        #expect(long.first == 0 && long.last == 916)
    }

    @Test(".all: every frame, no draws")
    func all() {
        var generator = MersenneTwister(seed: 0)
        let before = generator
        let (indices, mask) = FrameSampling.all.indices(frameCount: 5, using: &generator)
        #expect(indices == [0, 1, 2, 3, 4] && mask == Array(repeating: true, count: 5))
        #expect(generator == before)
    }

    @Test("a video shorter than the sample count is padded with its last frame, masked out",
          arguments: [FrameSampling.random(count: 8), .evenlySpaced(count: 8)])
    func padding(sampling: FrameSampling) {
        var generator = MersenneTwister(seed: 0)
        let before = generator
        let (indices, mask) = sampling.indices(frameCount: 5, using: &generator)
        #expect(indices == [0, 1, 2, 3, 4, 4, 4, 4])
        #expect(mask == [true, true, true, true, true, false, false, false])
        #expect(generator == before)
        // Exactly as many frames as samples: every frame once, nothing masked.
        let exact = sampling.indices(frameCount: 8, using: &generator)
        #expect(exact.indices == Array(0..<8) && exact.mask.allSatisfy { $0 })
    }
}
