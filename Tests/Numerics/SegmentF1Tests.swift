import CLOTCore
import Testing
import TestSupport

/// The official sampled segment F1 and its closed-form expectation (Documentation/Method.md §6).
@Suite struct SegmentF1Tests {
    // MARK: Windows

    @Test("windows: boundaries at each change plus the last frame, both ends inclusive")
    func windows() {
        func w(_ gt: [Int]) -> [[Int]] { SegmentF1.windows(groundTruth: gt).map { [$0.lo, $0.up] } }
        // Changes at 2 and 5, then N−1 = 5: the window (2, 5) also holds frame 5 of the next
        // segment (the inclusive quirk), and the final 1-frame segment is (5, 5).
        #expect(w([0, 0, 1, 1, 1, 2]) == [[0, 2], [2, 5], [5, 5]])
        // No change at the end: the last window runs to N−1 = 3.
        #expect(w([0, 0, 1, 1]) == [[0, 2], [2, 3]])
        // A single segment, a single frame.
        #expect(w([3, 3, 3]) == [[0, 2]])
        #expect(w([7]) == [[0, 0]])
        // Alternating single frames.
        #expect(w([0, 1, 0, 1]) == [[0, 1], [1, 2], [2, 3], [3, 3]])
    }

    // MARK: Majority probability

    /// P(X > n/2), X ~ Binomial(n, p), with the number of outcomes of k successes counted
    /// by enumerating all 2ⁿ draw sequences: independent of the binomial-coefficient formula
    /// the implementation uses.
    static func majorityByEnumeration(_ p: Double, draws n: Int) -> Double {
        var outcomes = [Int](repeating: 0, count: n + 1)
        for outcome in 0..<(1 << n) { outcomes[outcome.nonzeroBitCount] += 1 }
        var total = 0.0
        for k in 0...n where 2 * k > n {
            var probability = Double(outcomes[k])
            for _ in 0..<k { probability *= p }
            for _ in 0..<(n - k) { probability *= 1 - p }
            total += probability
        }
        return total
    }

    /// At most 16 terms, each a product of ≤ 16 factors (≤ 16 ε relative), summed: 1e-14
    /// absolute leaves a margin of 10 over the ~1e-15 worst case.
    static let probabilityTolerance = 1e-14

    @Test("majorityProbability equals the binomial tail summed outcome by outcome",
          arguments: [1, 2, 5, 8, 15])
    func majorityProbability(draws n: Int) {
        for p in [0.0, 0.05, 0.3, 0.5, 0.5333, 0.7, 0.99, 1.0] {
            expectClose(SegmentF1.majorityProbability(p, draws: n), Self.majorityByEnumeration(p, draws: n),
                        tolerance: Self.probabilityTolerance, "p = \(p), n = \(n)")
        }
    }

    @Test("majorityProbability edge values")
    func majorityEdges() {
        #expect(SegmentF1.majorityProbability(0, draws: 15) == 0)
        #expect(SegmentF1.majorityProbability(1, draws: 15) == 1)
        // n odd: P(X ≥ 8) = P(X ≤ 7) by symmetry at p = 1/2, so exactly 1/2.
        expectClose(SegmentF1.majorityProbability(0.5, draws: 15), 0.5, tolerance: Self.probabilityTolerance)
        // n = 2 needs both draws: p².
        expectClose(SegmentF1.majorityProbability(0.3, draws: 2), 0.09, tolerance: Self.probabilityTolerance)
    }

    // MARK: Hits

    @Test("expected hits, worked by hand: a half-agreeing window and a fully agreeing one")
    func expectedHitsByHand() {
        let gt   = [0, 0, 0, 1, 1, 1, 1]
        let pred = [0, 0, 1, 1, 1, 1, 1]
        let matching = LabelMatching(predicted: pred, groundTruth: gt)
        #expect(matching.pairs.map { [$0.predicted, $0.groundTruth] } == [[0, 0], [1, 1]])
        // Windows (0,3) and (3,6). In (0,3) frames 0,1 of 0…3 carry p0: c/w = 1/2, majority
        // probability 1/2 (n = 15 odd). In (3,6) every frame carries p1: probability 1.
        // Expected hits = 50 · (1/2 + 1) = 75.
        let f1 = SegmentF1()
        expectClose(f1.expectedHits(predicted: pred, groundTruth: gt, matching: matching), 75,
                    tolerance: 50 * Self.probabilityTolerance)
    }

    @Test("a window whose class is unmatched never hits; a fully agreeing one always does", arguments: 0..<5)
    func unmatchedWindows(seed: Int) {
        let gt   = [0, 0, 0, 1, 1, 2, 2]
        let pred = [0, 0, 0, 0, 0, 0, 0]
        // p0 → g0 (3 frames). Window (0,3) holds only p0 frames: a hit in each of 50 repeats;
        // windows (3,5) and (5,6) have no matched prediction: never.
        let matching = LabelMatching(predicted: pred, groundTruth: gt)
        var generator = MersenneTwister(seed: seed)
        let f1 = SegmentF1()
        #expect(f1.sampledHits(predicted: pred, groundTruth: gt, matching: matching, using: &generator) == 50)
        #expect(f1.expectedHits(predicted: pred, groundTruth: gt, matching: matching) == 50)
    }

    // MARK: Score

    @Test("score: precision over videos × classes × repeats, recall over windows × repeats")
    func scoreFormula() {
        let f1 = SegmentF1()
        // 120 hits, 3 windows, 2 videos, 2 classes: P = 120/200, R = 120/(150 + 1e-8).
        let p = 120.0 / 200, r = 120.0 / (150 + 1e-8)
        let expected = 2 * p * r / (p + r + 1e-8)
        expectClose(f1.score(hits: 120, windows: 3, videos: 2, classes: 2), expected, tolerance: 1e-15)
        // float32 arithmetic lands on a Float and within a few Float ulps of the float64 value.
        let single = f1.score(hits: 120, windows: 3, videos: 2, classes: 2, arithmetic: .float32)
        #expect(Double(Float(single)) == single)
        #expect(relativeError(Float(single), expected) < 4 * Double(Float.ulpOfOne))
        #expect(f1.score(hits: 0, windows: 3, videos: 2, classes: 2) == 0)
    }

    @Test("F1 exceeds 1 when an action repeats in a video", arguments: 0..<3)
    func repeatedActionAboveOne(seed: UInt32) throws {
        // 200 frames of class 0, 200 of class 1, 200 of class 0 again, predicted perfectly.
        // Windows (0,200), (200,400), (400,599): in the first two 200 of 201 frames agree, so a
        // miss needs ≥ 8 of 15 draws on one frame (probability < 1e-14); the last agrees fully.
        // So hits = 3 · 50 = 150, precision = 150/(1 video · 2 classes · 50) = 1.5 and
        // recall = 150/(150 + 1e-8) ≈ 1: F1 = 2·1.5·R/(1.5 + R + 1e-8) ≈ 1.2.
        let gt = Array(repeating: 0, count: 200) + Array(repeating: 1, count: 200) + Array(repeating: 0, count: 200)
        let sequence = LabelledSequence(name: "v", predicted: gt, groundTruth: gt)
        let p = 1.5, r = 150 / (150 + 1e-8)
        let expected = 2 * p * r / (p + r + 1e-8)
        let video = try EvaluationProtocol(seed: seed).evaluateVideos([sequence])
        expectClose(video.scores.f1, expected, tolerance: 1e-15)
        // The expectation differs from 150 hits by < 1e-12.
        expectClose(video.scores.f1Expected, expected, tolerance: 1e-12)
        // Activity level: the same in float32 arithmetic.
        let activity = try EvaluationProtocol(seed: seed).evaluateActivity([sequence])
        #expect(relativeError(Float(activity.scores.f1), expected) < 4 * Double(Float.ulpOfOne))
        #expect(activity.scores.f1 > 1.19)
    }

    /// The sampled F1 is 2·hits/(A + B) up to the 1e-8 terms (A = videos·classes·repeats,
    /// B = windows·repeats), so its mean over seeds converges to the F1 of the expected hits.
    /// hits is a sum of W·R independent Bernoulli(q_w) draws: Var(hits) ≤ R·W/4, hence the
    /// mean over S seeds has σ ≤ 2·√(R·W/4)/((A + B)·√S); the test allows 5 σ.
    @Test("the mean sampled F1 over 200 seeds converges to f1Expected")
    func meanConvergesToExpectation() {
        var generator = MersenneTwister(seed: UInt32(2024))
        // Four segments of 10 frames; each frame keeps its class with probability 0.6, else
        // gets the spare cluster 9, so windows agree with their match on about 55–60% of frames.
        let gt = (0..<40).map { $0 / 10 }
        let pred = gt.map { generator.uniform() < 0.6 ? $0 : 9 }
        let matching = LabelMatching(predicted: pred, groundTruth: gt)
        let f1 = SegmentF1(samples: 15, repeats: 50)
        let windows = SegmentF1.windows(groundTruth: gt).count, classes = 4
        let seeds = 200
        var total = 0.0
        for seed in 0..<seeds {
            var g = MersenneTwister(seed: seed)
            let hits = f1.sampledHits(predicted: pred, groundTruth: gt, matching: matching, using: &g)
            total += f1.score(hits: Double(hits), windows: windows, videos: 1, classes: classes)
        }
        let expectedHits = f1.expectedHits(predicted: pred, groundTruth: gt, matching: matching)
        let expected = f1.score(hits: expectedHits, windows: windows, videos: 1, classes: classes)
        let a = Double(classes * f1.repeats), b = Double(windows * f1.repeats)
        let sigma = 2 * (Double(f1.repeats * windows) / 4).squareRoot() / ((a + b) * Double(seeds).squareRoot())
        expectClose(total / Double(seeds), expected, tolerance: 5 * sigma)
        // The case must not be degenerate: the expectation sits strictly between 0 and 1.
        #expect(expected > 0.2 && expected < 0.95, "\(expected)")
    }
}
