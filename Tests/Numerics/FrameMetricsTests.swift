import CLOTCore
import Testing
import TestSupport

/// MoF and mIoU (Documentation/Method.md §6) on hand-built label sequences; every expected value is worked
/// out in the comment above it from the frames, not taken from the implementation.
@Suite struct FrameMetricsTests {
    /// MoF and mIoU are ratios of small integer counts and sums of a few such ratios: they
    /// agree with the hand-computed fractions to rounding.
    static let tolerance = 1e-15

    static func scores(_ predicted: [Int], _ groundTruth: [Int]) -> (mof: Double, miou: Double, matching: LabelMatching) {
        let matching = LabelMatching(predicted: predicted, groundTruth: groundTruth)
        return (FrameMetrics.meanOverFrames(predicted: predicted, groundTruth: groundTruth, matching: matching),
                FrameMetrics.meanIoU(predicted: predicted, groundTruth: groundTruth, matching: matching),
                matching)
    }

    @Test("permuted cluster ids score 1 and are matched to their classes")
    func permutedIds() {
        let gt = [0, 0, 0, 1, 1, 2, 2, 2, 2]
        let pred = [5, 5, 5, 3, 3, 9, 9, 9, 9]
        let s = Self.scores(pred, gt)
        #expect(s.mof == 1)
        #expect(s.miou == 1)
        // Sorted by predicted id: 3→1, 5→0, 9→2.
        #expect(s.matching.pairs.map { [$0.predicted, $0.groundTruth] } == [[3, 1], [5, 0], [9, 2]])
    }

    @Test("more predicted clusters than GT classes")
    func morePredictedClusters() {
        let gt   = [0, 0, 0, 0, 1, 1, 1, 1]
        let pred = [0, 0, 1, 1, 2, 2, 2, 3]
        // Overlaps: p0–g0 2, p1–g0 2, p2–g1 3, p3–g1 1. Best: one of p0/p1 → g0 (2), p2 → g1 (3).
        // MoF = 5/8. IoU(p0 or p1, g0) = 2/4 (the cluster lies inside g0), IoU(p2, g1) = 3/4.
        // mIoU = (1/2 + 3/4) / 2 = 5/8.
        let s = Self.scores(pred, gt)
        expectClose(s.mof, 5.0 / 8, tolerance: Self.tolerance)
        expectClose(s.miou, 5.0 / 8, tolerance: Self.tolerance)
        #expect(s.matching.pairs.count == 2)
        #expect(s.matching.groundTruth(forPredicted: 2) == 1)
        #expect(s.matching.groundTruth(forPredicted: 3) == nil)
    }

    @Test("fewer predicted clusters than GT classes")
    func fewerPredictedClusters() {
        let gt   = [0, 0, 1, 1, 2, 2]
        let pred = [0, 0, 0, 0, 1, 1]
        // p0 overlaps g0 and g1 by 2 each, p1 overlaps g2 by 2: p1 → g2 and p0 → g0 or g1.
        // MoF = 4/6. IoU(p0, g0|g1) = 2/4, IoU(p1, g2) = 2/2; mIoU = (1/2 + 1)/3 = 1/2.
        let s = Self.scores(pred, gt)
        expectClose(s.mof, 4.0 / 6, tolerance: Self.tolerance)
        expectClose(s.miou, 0.5, tolerance: Self.tolerance)
        #expect(s.matching.pairs.count == 2)
        #expect(s.matching.groundTruth(forPredicted: 1) == 2)
    }

    @Test("a GT class no cluster is matched to counts 0 in mIoU (divides by all GT classes)")
    func unpredictedClass() {
        let gt   = [0, 0, 0, 1, 1, 1, 2, 2]
        let pred = [7, 7, 7, 8, 8, 8, 8, 8]
        // p7 → g0 (3 frames), p8 → g1 (3, beats g2's 2). MoF = 6/8.
        // IoU(p7, g0) = 3/3, IoU(p8, g1) = 3/5, g2 unmatched: mIoU = (1 + 3/5)/3 = 8/15.
        let s = Self.scores(pred, gt)
        expectClose(s.mof, 6.0 / 8, tolerance: Self.tolerance)
        expectClose(s.miou, 8.0 / 15, tolerance: Self.tolerance)
        #expect(s.matching.predicted(forGroundTruth: 2) == nil)
    }

    @Test("segments of a single frame")
    func singleFrameSegments() {
        let gt   = [0, 1, 0, 0, 2, 2]
        let pred = [0, 1, 0, 1, 2, 2]
        // Overlaps: p0–g0 2, p1–g1 1, p1–g0 1, p2–g2 2; the unique optimum is the identity (5).
        // MoF = 5/6. IoU(p0,g0) = 2/3 (frames 0,2 of g0's 0,2,3), IoU(p1,g1) = 1/2 (frame 1 of
        // 1,3), IoU(p2,g2) = 1: mIoU = (2/3 + 1/2 + 1)/3 = 13/18.
        let s = Self.scores(pred, gt)
        expectClose(s.mof, 5.0 / 6, tolerance: Self.tolerance)
        expectClose(s.miou, 13.0 / 18, tolerance: Self.tolerance)
        #expect(s.matching.pairs.map { [$0.predicted, $0.groundTruth] } == [[0, 0], [1, 1], [2, 2]])
    }

    @Test("one frame in all")
    func oneFrame() {
        let s = Self.scores([4], [9])
        #expect(s.mof == 1 && s.miou == 1)
    }

    @Test("excluding a class removes its frames from both sequences")
    func excluding() {
        let gt   = [-1, -1, 0, 0, 1, 1, -1]
        let pred = [ 0,  0, 0, 0, 1, 1,  1]
        let kept = FrameMetrics.excluding(-1, predicted: pred, groundTruth: gt)
        #expect(kept.predicted == [0, 0, 1, 1])
        #expect(kept.groundTruth == [0, 0, 1, 1])
        let none = FrameMetrics.excluding(nil, predicted: pred, groundTruth: gt)
        #expect(none.predicted == pred && none.groundTruth == gt)
        // After exclusion the prediction is perfect; without it, p0 covers g−1 and g0 (2 each)
        // and p1 covers g1 (2) and one g−1 frame: MoF = 4/7 whichever p0 takes.
        let s = Self.scores(kept.predicted, kept.groundTruth)
        #expect(s.mof == 1 && s.miou == 1)
        expectClose(Self.scores(pred, gt).mof, 4.0 / 7, tolerance: Self.tolerance)
    }
}
