/// One video's predicted cluster ids beside its ground-truth class ids.
public struct LabelledSequence: Sendable, Equatable {
    public var name: String
    public var predicted: [Int]
    public var groundTruth: [Int]

    public init(name: String, predicted: [Int], groundTruth: [Int]) {
        self.name = name
        self.predicted = predicted
        self.groundTruth = groundTruth
    }
}

/// The four numbers every table reports, as fractions (F1 can exceed 1: see `SegmentF1`).
public struct SegmentationScores: Sendable, Equatable, Codable {
    public var mof: Double
    /// The official sampled F1, reproduced draw for draw for the given seed.
    public var f1: Double
    /// Its seed-free expectation.
    public var f1Expected: Double
    public var miou: Double

    public init(mof: Double, f1: Double, f1Expected: Double, miou: Double) {
        self.mof = mof
        self.f1 = f1
        self.f1Expected = f1Expected
        self.miou = miou
    }

    enum CodingKeys: String, CodingKey {
        case mof, f1, f1Expected = "f1_expected", miou
    }
}

/// Activity level pools every frame of every video and matches once (Table 1);
/// video level matches each video on its own and averages (Table 2).
public enum EvaluationLevel: String, CaseIterable, Sendable, Codable {
    case activity, video
}

/// Scores at activity level, with the single matching they used.
public struct ActivityEvaluation: Sendable, Equatable {
    public var scores: SegmentationScores
    public var matching: LabelMatching
    public var frames: Int
}

/// Scores at video level: the mean, and each video's own.
public struct VideoEvaluation: Sendable, Equatable {
    public var scores: SegmentationScores
    public var perVideo: [(name: String, scores: SegmentationScores, matching: LabelMatching)]

    public static func == (a: VideoEvaluation, b: VideoEvaluation) -> Bool {
        a.scores == b.scores && a.perVideo.map(\.name) == b.perVideo.map(\.name)
            && a.perVideo.map(\.scores) == b.perVideo.map(\.scores)
    }
}

/// The evaluation protocol of the ASOT code (`src/metrics.py`, `src/train.py`), from which
/// both papers' numbers come (Documentation/Method.md §6–7).
public struct EvaluationProtocol: Sendable, Equatable {
    /// A GT class removed before anything is computed (YTI: −1, background).
    public var excludedClass: Int?
    public var f1: SegmentF1
    /// Seed of the F1 sampler; each level starts its own generator from it, as
    /// `numpy.random.seed(seed)` followed by the official calls.
    public var seed: UInt32

    public init(excludedClass: Int? = nil, f1: SegmentF1 = SegmentF1(), seed: UInt32 = 0) {
        self.excludedClass = excludedClass
        self.f1 = f1
        self.seed = seed
    }

    /// Activity level: all frames pooled (segments are found on the concatenated sequence, so
    /// one may run across a video boundary, and excluded frames are dropped before segmenting),
    /// one matching, `videos` = number of sequences, float32 F1 arithmetic as the official code.
    public func evaluateActivity(_ sequences: [LabelledSequence]) throws -> ActivityEvaluation {
        var predicted: [Int] = [], groundTruth: [Int] = []
        for s in sequences {
            try Self.checkLengths(s)
            predicted += s.predicted
            groundTruth += s.groundTruth
        }
        let (p, g) = FrameMetrics.excluding(excludedClass, predicted: predicted, groundTruth: groundTruth)
        guard !g.isEmpty else {
            throw InputError("activity", "no frames left to evaluate" + exclusionNote)
        }
        var generator = MersenneTwister(seed: seed)
        let matching = LabelMatching(predicted: p, groundTruth: g)
        let scores = score(p, g, matching, videos: sequences.count, arithmetic: .float32, generator: &generator)
        return ActivityEvaluation(scores: scores, matching: matching, frames: g.count)
    }

    /// Video level: each video matched and scored on its own (one F1 generator shared across
    /// the videos in order, as the global NumPy state is), then the arithmetic mean.
    public func evaluateVideos(_ sequences: [LabelledSequence]) throws -> VideoEvaluation {
        guard !sequences.isEmpty else { throw InputError("video level", "no videos to evaluate") }
        var generator = MersenneTwister(seed: seed)
        var perVideo: [(name: String, scores: SegmentationScores, matching: LabelMatching)] = []
        for s in sequences {
            try Self.checkLengths(s)
            let (p, g) = FrameMetrics.excluding(excludedClass, predicted: s.predicted, groundTruth: s.groundTruth)
            guard !g.isEmpty else {
                throw InputError(s.name, "no frames left to evaluate" + exclusionNote)
            }
            let matching = LabelMatching(predicted: p, groundTruth: g)
            let scores = score(p, g, matching, videos: 1, arithmetic: .float64, generator: &generator)
            perVideo.append((s.name, scores, matching))
        }
        let n = Double(perVideo.count)
        let mean = SegmentationScores(
            mof: perVideo.reduce(0) { $0 + $1.scores.mof } / n,
            f1: perVideo.reduce(0) { $0 + $1.scores.f1 } / n,
            f1Expected: perVideo.reduce(0) { $0 + $1.scores.f1Expected } / n,
            miou: perVideo.reduce(0) { $0 + $1.scores.miou } / n)
        return VideoEvaluation(scores: mean, perVideo: perVideo)
    }

    private var exclusionNote: String {
        excludedClass.map { " after excluding class \($0)" } ?? ""
    }

    private func score(_ p: [Int], _ g: [Int], _ matching: LabelMatching, videos: Int,
                       arithmetic: SegmentF1.Arithmetic, generator: inout MersenneTwister) -> SegmentationScores {
        let classes = Set(g).count
        let windows = SegmentF1.windows(groundTruth: g).count
        // Official order per video: MoF, then F1 (draws), then mIoU.
        let mof = FrameMetrics.meanOverFrames(predicted: p, groundTruth: g, matching: matching)
        let hits = f1.sampledHits(predicted: p, groundTruth: g, matching: matching, using: &generator)
        let sampled = f1.score(hits: Double(hits), windows: windows, videos: videos, classes: classes, arithmetic: arithmetic)
        let expectedHits = f1.expectedHits(predicted: p, groundTruth: g, matching: matching)
        let expected = f1.score(hits: expectedHits, windows: windows, videos: videos, classes: classes)
        let miou = FrameMetrics.meanIoU(predicted: p, groundTruth: g, matching: matching)
        return SegmentationScores(mof: mof, f1: sampled, f1Expected: expected, miou: miou)
    }

    private static func checkLengths(_ s: LabelledSequence) throws {
        guard s.predicted.count == s.groundTruth.count else {
            throw InputError(s.name, "\(s.predicted.count) predicted labels but \(s.groundTruth.count) ground-truth labels",
                             hint: "predictions need one label per ground-truth frame")
        }
    }
}
