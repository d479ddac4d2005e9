import CLOTCore
import Testing
import TestSupport

/// The evaluation against the official ASOT metrics code (`src/metrics.py`) run on the same
/// label sequences with the same NumPy seed (`fixtures/golden/metrics.json`, made by the
/// official functions themselves): matching, MoF, mIoU, and the sampled F1 draw for draw.
@Suite struct MetricsGoldenTests {
    struct Scores: Decodable, Sendable {
        var mof: Double
        var f1: Double
        var miou: Double
    }

    struct ActivityScores: Decodable, Sendable {
        var mof: Double
        var f1: Double
        var miou: Double
        var pred_to_gt: [[Int]]
    }

    struct VideoScores: Decodable, Sendable {
        var mof: Double
        var f1: Double
        var miou: Double
        var per_video: [Scores]
    }

    struct GoldenVideo: Decodable, Sendable {
        var name: String
        var pred: [Int]
        var gt: [Int]
    }

    struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var exclude: Int?
        var seed: Int
        var videos: [GoldenVideo]
        var activity: ActivityScores
        var video: VideoScores

        var testDescription: String { name }

        var sequences: [LabelledSequence] {
            videos.map { LabelledSequence(name: $0.name, predicted: $0.pred, groundTruth: $0.gt) }
        }

        var evaluation: EvaluationProtocol { EvaluationProtocol(excludedClass: exclude, seed: UInt32(seed)) }
    }

    struct Golden: Decodable { var source: String; var cases: [GoldenCase] }

    static let fixture = "golden/metrics.json"

    static func cases() throws -> [GoldenCase] {
        guard fixtureExists(fixture) else { return [] }
        return try (loadFixture(fixture) as Golden).cases
    }

    // MoF and mIoU are ratios of frame counts (and a sum of a few such ratios) computed the
    // same way on both sides: agreement to rounding. (`Tolerance.rounding`)
    // Video-level F1 is float64 on both sides: once the hits agree, to rounding. (`Tolerance.rounding`)
    // Activity-level F1 is float32 arithmetic in the official code (`n_videos` is a float32
    // tensor): 1e-6 relative is about 8 float32 ulps. The test then asks for the same float. (`Tolerance.floatFewUlps`)

    @Test("activity level: matching, MoF, mIoU and the float32 sampled F1 match the official code",
          .enabled(if: fixtureExists(fixture), "fixtures/golden/metrics.json is missing"),
          arguments: try cases())
    func activityLevel(_ golden: GoldenCase) throws {
        let result = try golden.evaluation.evaluateActivity(golden.sequences)
        let pairs = result.matching.pairs.map { [$0.predicted, $0.groundTruth] }
        // SciPy returns pairs sorted by row (= predicted id), as LabelMatching does: in order.
        #expect(pairs == golden.activity.pred_to_gt)
        expectClose(result.scores.mof, golden.activity.mof, tolerance: Tolerance.rounding, "MoF")
        expectClose(result.scores.miou, golden.activity.miou, tolerance: Tolerance.rounding, "mIoU")

        let official = golden.activity.f1
        #expect(abs(result.scores.f1 - official) <= Tolerance.floatFewUlps * max(abs(official), 1e-30),
                "F1 \(result.scores.f1) vs official \(official)")
        // The official value is a float32 widened to double. `SegmentF1.score(arithmetic:
        // .float32)` repeats torch's float32 operations in torch's order, so it lands on the
        // very same float: exact equality (float64 arithmetic rounded to float32 would not).
        #expect(Double(Float(official)) == official, "the fixture's activity F1 is not a float32 value")
        #expect(result.scores.f1 == official, "F1 \(result.scores.f1) vs official \(official)")
    }

    @Test("video level: per-video MoF, F1, mIoU with one generator across videos, and their means",
          .enabled(if: fixtureExists(fixture), "fixtures/golden/metrics.json is missing"),
          arguments: try cases())
    func videoLevel(_ golden: GoldenCase) throws {
        let result = try golden.evaluation.evaluateVideos(golden.sequences)
        try #require(result.perVideo.count == golden.video.per_video.count)
        for (index, (ours, theirs)) in zip(result.perVideo, golden.video.per_video).enumerated() {
            expectClose(ours.scores.mof, theirs.mof, tolerance: Tolerance.rounding, "video \(index) MoF")
            expectClose(ours.scores.miou, theirs.miou, tolerance: Tolerance.rounding, "video \(index) mIoU")
            expectClose(ours.scores.f1, theirs.f1, tolerance: Tolerance.rounding, "video \(index) F1")
        }
        expectClose(result.scores.mof, golden.video.mof, tolerance: Tolerance.rounding, "MoF")
        expectClose(result.scores.miou, golden.video.miou, tolerance: Tolerance.rounding, "mIoU")
        expectClose(result.scores.f1, golden.video.f1, tolerance: Tolerance.rounding, "F1")
    }

    @Test("the fixture covers the cases the protocol's quirks hinge on",
          .enabled(if: fixtureExists(fixture), "fixtures/golden/metrics.json is missing"))
    func coverage() throws {
        let all = try Self.cases()
        #expect(all.count >= 10)
        // Exclusion, F1 above 1, several videos.
        #expect(all.contains { $0.exclude != nil })
        #expect(all.contains { $0.activity.f1 > 1 })
        #expect(all.contains { $0.videos.count > 1 })
    }
}
