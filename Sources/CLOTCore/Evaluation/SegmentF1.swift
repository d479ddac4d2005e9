/// The segment-level F1 of the ASOT evaluation code (Documentation/Method.md §6), sampled as the official
/// `eval_f1` samples it, and its closed-form expectation.
///
/// For every GT segment window `[lo, up]` (both ends inclusive, so a window also holds the
/// next segment's first frame — an official quirk kept here), `samples` frames are drawn
/// uniformly with replacement; the window is a hit when more than half of them carry the
/// prediction matched to the GT class `gt[lo]`. This is repeated `repeats` times, and
///
///     precision = hits / (videos · classes · repeats)
///     recall    = hits / (windows · repeats + 1e-8)
///     F1        = 2·precision·recall / (precision + recall + 1e-8)
///
/// Precision divides by videos × GT classes, not by predicted segments, so F1 exceeds 1 when
/// actions repeat within a video: that is what the papers' numbers measure, and it is kept.
///
/// Since F1 is linear in `hits` (the 1e-8 terms aside), its expectation is the same formula on
/// the expected hits, Σ P(Binomial(samples, c/w) > samples/2) per window and repeat, where c of
/// the w frames in the window carry the matched prediction: a seed-free F1 (`f1Expected`).
public struct SegmentF1: Sendable, Equatable, Codable {
    /// Frames drawn per window (15 in the official code).
    public var samples: Int
    /// Repeats of the whole draw (50 in the official code).
    public var repeats: Int

    public init(samples: Int = 15, repeats: Int = 50) {
        precondition(samples >= 1 && repeats >= 1)
        self.samples = samples
        self.repeats = repeats
    }

    /// How precision, recall and F1 are rounded. The official activity-level score keeps the
    /// video count in a float32 tensor, so its F1 is float32 arithmetic; the video-level score
    /// uses a Python int, so float64 (Documentation/Audit.md item 36).
    public enum Arithmetic: String, Sendable, Codable { case float64, float32 }

    /// GT segment windows: boundaries b = [0, changes…, N−1]; windows (b_i, b_{i+1}).
    public static func windows(groundTruth gt: [Int]) -> [(lo: Int, up: Int)] {
        precondition(!gt.isEmpty)
        var bounds = [0]
        for t in 1..<max(gt.count, 1) where gt[t] != gt[t - 1] { bounds.append(t) }
        bounds.append(gt.count - 1)
        return (0..<(bounds.count - 1)).map { (bounds[$0], bounds[$0 + 1]) }
    }

    /// Sampled hits over all repeats, drawing from `generator` exactly as NumPy's
    /// `random_integers(lo, up, samples)` does per window, windows in order, repeat by repeat.
    public func sampledHits(predicted: [Int], groundTruth: [Int], matching: LabelMatching,
                            using generator: inout MersenneTwister) -> Int {
        let windows = Self.windows(groundTruth: groundTruth)
        var hits = 0
        for _ in 0..<repeats {
            for (lo, up) in windows {
                let target = matching.predicted(forGroundTruth: groundTruth[lo])
                var agreeing = 0
                for _ in 0..<samples {
                    let t = generator.integer(in: lo...up)
                    if let target, predicted[t] == target { agreeing += 1 }
                }
                if 2 * agreeing > samples { hits += 1 }
            }
        }
        return hits
    }

    /// Expected hits over all repeats: `repeats · Σ_windows P(Binomial(samples, c/w) > samples/2)`.
    public func expectedHits(predicted: [Int], groundTruth: [Int], matching: LabelMatching) -> Double {
        var perRepeat = 0.0
        for (lo, up) in Self.windows(groundTruth: groundTruth) {
            guard let target = matching.predicted(forGroundTruth: groundTruth[lo]) else { continue }
            let width = up - lo + 1
            let agreeing = (lo...up).reduce(0) { $0 + (predicted[$1] == target ? 1 : 0) }
            perRepeat += Self.majorityProbability(Double(agreeing) / Double(width), draws: samples)
        }
        return Double(repeats) * perRepeat
    }

    /// P(X > n/2) for X ~ Binomial(n, p).
    public static func majorityProbability(_ p: Double, draws n: Int) -> Double {
        var total = 0.0
        for k in (n / 2 + 1)...n {
            total += binomial(n, k) * pow(p, k) * pow(1 - p, n - k)
        }
        return min(max(total, 0), 1)
    }

    /// The F1 formula above for a given number of hits.
    public func score(hits: Double, windows: Int, videos: Int, classes: Int,
                      arithmetic: Arithmetic = .float64) -> Double {
        let eps = 1e-8
        switch arithmetic {
        case .float64:
            let precision = hits / (Double(videos) * Double(classes) * Double(repeats))
            let recall = hits / (Double(windows * repeats) + eps)
            return 2.0 * (precision * recall) / (precision + recall + eps)
        case .float32:
            // torch: float32 tensor `n_videos`, `tp / tensor` evaluated as reciprocal × tp.
            let denominator = Float(videos) * Float(classes) * Float(repeats)
            let precision = (1 / denominator) * Float(hits)
            let recall = Float(hits / (Double(windows * repeats) + eps))
            return Double(2 * (precision * recall) / (precision + recall + Float(eps)))
        }
    }

    private static func binomial(_ n: Int, _ k: Int) -> Double {
        var c = 1.0
        for i in 0..<k { c = c * Double(n - i) / Double(i + 1) }
        return c
    }

    private static func pow(_ x: Double, _ k: Int) -> Double {
        var r = 1.0
        for _ in 0..<k { r *= x }
        return r
    }
}
