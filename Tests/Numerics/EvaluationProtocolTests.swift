import CLOTCore
import Testing
import TestSupport

/// `EvaluationProtocol`: activity level (pooled, one matching) against video level (matched
/// per video, averaged), exclusion, and its input errors.
@Suite struct EvaluationProtocolTests {
    // Tolerance: `Tolerance.fewUlps`.

    @Test("activity and video level differ when each video is right under its own matching")
    func levelsDiffer() throws {
        // Video a is predicted with ids as they are, video b with the two ids swapped.
        let a = LabelledSequence(name: "a", predicted: [0, 0, 1, 1], groundTruth: [0, 0, 1, 1])
        let b = LabelledSequence(name: "b", predicted: [1, 1, 0, 0], groundTruth: [0, 0, 1, 1])
        let protocol_ = EvaluationProtocol(seed: 0)

        // Video level: each video alone is perfect, so MoF = mIoU = 1 on both, and their mean.
        let video = try protocol_.evaluateVideos([a, b])
        #expect(video.scores.mof == 1 && video.scores.miou == 1)
        #expect(video.perVideo.map(\.name) == ["a", "b"])
        #expect(video.perVideo[1].matching.groundTruth(forPredicted: 1) == 0)

        // Activity level: pooled, every (p, g) overlap is 2, so any matching scores
        // MoF = 4/8; each matched pair has |P∩G| = 2, |P∪G| = 6: mIoU = (1/3 + 1/3)/2 = 1/3.
        let activity = try protocol_.evaluateActivity([a, b])
        expectClose(activity.scores.mof, 0.5, tolerance: Tolerance.fewUlps)
        expectClose(activity.scores.miou, 1.0 / 3, tolerance: Tolerance.fewUlps)
        #expect(activity.frames == 8)
        #expect(activity.matching.pairs.count == 2)
    }

    @Test("an excluded class is dropped before matching, at both levels")
    func excludedClass() throws {
        let s = LabelledSequence(name: "v", predicted: [0, 0, 0, 0, 1, 1], groundTruth: [-1, 0, 0, -1, 1, 1])
        // Without exclusion p0 covers g−1 (2) and g0 (2): MoF = 4/6. Excluding −1 leaves a
        // perfect prediction on 4 frames.
        let plain = try EvaluationProtocol().evaluateActivity([s])
        expectClose(plain.scores.mof, 4.0 / 6, tolerance: Tolerance.fewUlps)
        let excluded = EvaluationProtocol(excludedClass: -1)
        let activity = try excluded.evaluateActivity([s])
        #expect(activity.scores.mof == 1 && activity.scores.miou == 1)
        #expect(activity.frames == 4)
        #expect(!activity.matching.pairs.contains { $0.groundTruth == -1 })
        let video = try excluded.evaluateVideos([s])
        #expect(video.scores.mof == 1 && video.scores.miou == 1)
    }

    @Test("excluding every frame is an input error naming the class")
    func everythingExcluded() {
        let s = LabelledSequence(name: "only_background", predicted: [0, 1], groundTruth: [-1, -1])
        expectInputError(mentioning: ["no frames left", "-1"]) {
            try EvaluationProtocol(excludedClass: -1).evaluateActivity([s])
        }
        expectInputError(mentioning: ["only_background", "no frames left"]) {
            try EvaluationProtocol(excludedClass: -1).evaluateVideos([s])
        }
    }

    @Test("sequences of different lengths are an input error naming the video")
    func lengthMismatch() {
        let s = LabelledSequence(name: "P01_cam01_P01_tea", predicted: [0, 1, 1], groundTruth: [0, 1])
        expectInputError(mentioning: ["P01_cam01_P01_tea", "3 predicted", "2 ground-truth"]) {
            try EvaluationProtocol().evaluateActivity([s])
        }
        expectInputError(mentioning: ["P01_cam01_P01_tea"]) {
            try EvaluationProtocol().evaluateVideos([s])
        }
    }

    @Test("no videos is an input error at video level")
    func noVideos() {
        expectInputError(mentioning: ["no videos"]) { try EvaluationProtocol().evaluateVideos([]) }
        expectInputError(mentioning: ["no frames"]) { try EvaluationProtocol().evaluateActivity([]) }
    }

    @Test("the same seed gives the same sampled F1; the expectation does not depend on it")
    func seeding() throws {
        var generator = MersenneTwister(seed: UInt32(5))
        let gt = (0..<60).map { $0 / 12 }
        let pred = gt.map { generator.uniform() < 0.55 ? $0 : 7 }
        let s = [LabelledSequence(name: "v", predicted: pred, groundTruth: gt)]
        let first = try EvaluationProtocol(seed: 3).evaluateVideos(s)
        let again = try EvaluationProtocol(seed: 3).evaluateVideos(s)
        #expect(first == again)
        let expectations = try (0..<10).map { try EvaluationProtocol(seed: UInt32($0)).evaluateVideos(s).scores }
        #expect(Set(expectations.map(\.f1Expected)).count == 1)
        // With windows near 55% agreement, ten seeds do not all draw the same hits.
        #expect(Set(expectations.map(\.f1)).count > 1)
    }
}
