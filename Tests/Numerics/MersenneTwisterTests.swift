@testable import CLOTCore
import Foundation
import Testing
import TestSupport

/// `MersenneTwister`: the raw MT19937 stream, NumPy's legacy `RandomState` draws bit for bit,
/// and plain statistical sanity.
@Suite struct MersenneTwisterTests {
    // MARK: Raw MT19937

    @Test("seed 5489 (the reference default) starts with 3499211612")
    func referenceFirstOutput() {
        var generator = MersenneTwister(seed: UInt32(5489))
        #expect(generator.nextUInt32() == 3_499_211_612)
    }

    /// The C++ standard requires the 10000th output of a default-constructed `mt19937`
    /// (seed 5489) to be 4123659995 ([rand.predef]).
    @Test("the 10000th output of the default-seeded generator is 4123659995")
    func referenceTenThousandth() {
        var generator = MersenneTwister(seed: UInt32(5489))
        var value: UInt32 = 0
        for _ in 0..<10_000 { value = generator.nextUInt32() }
        #expect(value == 4_123_659_995)
    }

    @Test("Int seeds keep their low 32 bits")
    func intSeed() {
        var a = MersenneTwister(seed: 42), b = MersenneTwister(seed: UInt32(42))
        var c = MersenneTwister(seed: (1 << 32) + 42)
        let x = (0..<5).map { _ in a.nextUInt32() }
        #expect(x == (0..<5).map { _ in b.nextUInt32() })
        #expect(x == (0..<5).map { _ in c.nextUInt32() })
    }

    @Test("next() joins two raw outputs, high word first")
    func next64() {
        var a = MersenneTwister(seed: UInt32(7)), b = a
        for _ in 0..<10 {
            let joined = a.next()
            let high = UInt64(b.nextUInt32()), low = UInt64(b.nextUInt32())
            #expect(joined == (high << 32 | low))
        }
    }

    @Test("fill gives the words of repeated nextUInt32, across twists and at odd offsets")
    func fillMatchesNextUInt32() {
        var a = MersenneTwister(seed: UInt32(11)), b = a
        for count in [0, 1, 7, 8, 9, 623, 624, 625, 1000, 3 * 624 + 5] {
            var words = [UInt32](repeating: 0, count: count)
            words.withUnsafeMutableBufferPointer { a.fill($0) }
            #expect(words == (0..<count).map { _ in b.nextUInt32() }, "count \(count)")
        }
        #expect(a == b)
    }

    @Test("integer(upTo: 0) and a one-value range consume nothing, as NumPy")
    func degenerateRangesConsumeNothing() {
        var a = MersenneTwister(seed: UInt32(3)), b = a
        #expect(a.integer(upTo: 0) == 0)
        #expect(a.integer(in: 5...5) == 5)
        #expect(a.integer(in: 9..<10) == 9)
        #expect(a == b)
        #expect(a.nextUInt32() == b.nextUInt32())
    }

    // MARK: NumPy legacy RandomState, from numpy itself

    // `randn` goes through `log` and `sqrt`; libm's `log` may differ from the one NumPy was
    // built against by an ulp, so gaussians are held to 1e-15 relative (≈ 5 ulps), every
    // other draw to exact equality. (`Tolerance.fewUlps`)

    @Test("every op sequence reproduces numpy's legacy RandomState",
          .enabled(if: fixtureExists(numpyRandomFixture), "fixtures/golden/numpy_mt19937.json is missing"),
          arguments: try numpyRandomCases())
    func matchesNumPy(_ golden: NumPyRandomCase) throws {
        var generator = MersenneTwister(seed: golden.seed)
        for (step, op) in golden.ops.enumerated() {
            let label = "op \(step) '\(op.op)'"
            switch op.op {
            case "uint32":
                let expected = try #require(op.integers)
                let got = (0..<expected.count).map { _ in Int64(generator.nextUInt32()) }
                #expect(got == expected, "\(label)")
            case "random_sample":
                let expected = try #require(op.reals)
                let got = (0..<expected.count).map { _ in generator.uniform() }
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(label): \(got) vs \(expected)")
            case "random_integers":
                let expected = try #require(op.integers)
                let lo = try #require(op.lo), up = try #require(op.up)
                let got = (0..<expected.count).map { _ in Int64(generator.integer(in: lo...up)) }
                #expect(got == expected, "\(label) [\(lo), \(up)]")
            case "randn":
                let expected = try #require(op.reals)
                for (i, value) in expected.enumerated() {
                    let got = generator.gaussian()
                    #expect(abs(got - value) <= Tolerance.fewUlps * abs(value),
                            "\(label) draw \(i): \(got) vs \(value)")
                }
            case "randint_intervals":
                let expected = try #require(op.integers)
                let low = try #require(op.low), high = try #require(op.high)
                try #require(low.count == expected.count && high.count == expected.count)
                let got = (0..<expected.count).map { Int64(generator.integer(in: low[$0]..<high[$0])) }
                #expect(got == expected, "\(label)")
            case "permutation":
                let expected = try #require(op.integers)
                let n = try #require(op.n)
                #expect(generator.permutation(n).map(Int64.init) == expected, "\(label)")
            default:
                Issue.record("unknown op '\(op.op)' in the fixture")
            }
        }
    }

    // MARK: Statistics

    /// The mean of 100 000 uniforms has standard deviation √(1/12)/√100000 ≈ 0.0009, so 0.01
    /// is more than 10 σ: a failure is a broken generator, not bad luck.
    @Test("uniform() mean is 1/2 and values lie in [0, 1)", arguments: 0..<3)
    func uniformMean(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = generator.uniform()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        expectClose(sum / 100_000, 0.5, tolerance: 0.01)
    }

    /// 7 000 draws over 7 values: each count is Binomial(7000, 1/7), mean 1000, σ ≈ 29; the
    /// ⅔…4⁄3 band (as swift-algorithms uses) is more than 10 σ wide on each side.
    @Test("integer(in:) hits every value of a small range about equally", arguments: 0..<3)
    func integerCoverage(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        var halfOpen = [Int](repeating: 0, count: 7), closed = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 {
            halfOpen[generator.integer(in: 3..<10) - 3] += 1
            closed[generator.integer(in: -3...3) + 3] += 1
        }
        for counts in [halfOpen, closed] {
            #expect(counts.allSatisfy { $0 > 666 && $0 < 1334 }, "\(counts)")
        }
    }

    @Test("gaussian() has mean 0 and variance 1", arguments: 0..<2)
    func gaussianMoments(seed: Int) {
        // 100 000 draws: the mean's σ is 0.003 and the variance's ≈ √2/√100000 ≈ 0.0045;
        // 0.03 is more than 6 σ for both.
        var generator = MersenneTwister(seed: seed)
        let draws = (0..<100_000).map { _ in generator.gaussian() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        expectClose(mean, 0, tolerance: 0.03)
        expectClose(variance, 1, tolerance: 0.03)
    }

    @Test("permutation(n) is a permutation; the same seed gives the same one", arguments: 0..<5)
    func permutation(seed: Int) {
        var a = MersenneTwister(seed: seed), b = MersenneTwister(seed: seed)
        let p = a.permutation(50)
        #expect(p.sorted() == Array(0..<50))
        #expect(p == b.permutation(50))
        #expect(a.permutation(0).isEmpty && a.permutation(1) == [0])
    }

    @Test("a generator saved and restored (Codable) continues the same stream")
    func codableResumes() throws {
        var generator = MersenneTwister(seed: UInt32(11))
        _ = generator.gaussian()   // leaves a cached second gaussian
        let data = try JSONEncoder().encode(generator)
        var restored = try JSONDecoder().decode(MersenneTwister.self, from: data)
        #expect(restored.gaussian() == generator.gaussian())
        #expect((0..<700).map { _ in restored.nextUInt32() } == (0..<700).map { _ in generator.nextUInt32() })
    }

    // MARK: Bulk draws

    @Test("fillGaussians gives gaussian()'s values one at a time, cached second value and state included",
          arguments: [0, 1, 2, 3, 7, 8, 9, 64, 333, 1000, 9600])
    func bulkGaussians(count: Int) {
        for seed in [UInt32(0), 5, 12345] {
            for warmUp in 0..<3 {   // starting with no cached value, with one, and mid-block
                var bulk = MersenneTwister(seed: seed)
                for _ in 0..<warmUp { _ = bulk.gaussian() }
                for _ in 0..<(warmUp * 101) { _ = bulk.nextUInt32() }
                var single = bulk
                var values = [Double](repeating: .nan, count: count)
                values.withUnsafeMutableBufferPointer { bulk.fillGaussians($0) }
                let expected = (0..<count).map { _ in single.gaussian() }
                #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
                #expect(bulk == single)
                #expect(bulk.gaussian().bitPattern == single.gaussian().bitPattern)
            }
        }
    }

    @Test("randomSphereDirections (bulk draws, norms eight rows at a time) equals the row-by-row draw",
          arguments: [(1, 1), (3, 5), (8, 64), (150, 64), (17, 40), (150, 2)])
    func bulkSphereDirections(count: Int, dimension: Int) {
        var a = MersenneTwister(seed: 99), b = a
        _ = a.gaussian(); _ = b.gaussian()
        let bulk = randomSphereDirections(count: count, dimension: dimension, using: &a)
        let rowByRow = rowByRowSphereDirections(count: count, dimension: dimension, using: &b)
        #expect(bulk.rows == count && bulk.columns == dimension)
        #expect(bulk.elements.map(\.bitPattern) == rowByRow.elements.map(\.bitPattern))
        #expect(a == b)
    }
}
