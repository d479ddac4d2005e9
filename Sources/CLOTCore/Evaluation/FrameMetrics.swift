/// Frame-level metrics of Documentation/Method.md §6: mean over frames and mean IoU.
public enum FrameMetrics {
    /// Removes the frames whose GT class is `excluded` (YTI's background, −1), as the official
    /// `filter_exclusions` does before anything else is computed.
    public static func excluding(_ excluded: Int?, predicted: [Int], groundTruth: [Int]) -> (predicted: [Int], groundTruth: [Int]) {
        guard let excluded else { return (predicted, groundTruth) }
        var p: [Int] = [], g: [Int] = []
        for (a, b) in zip(predicted, groundTruth) where b != excluded {
            p.append(a)
            g.append(b)
        }
        return (p, g)
    }

    /// Mean over frames: frames whose prediction is matched to their GT class, over all frames.
    ///
    ///     MoF = Σ_(p,g) |{t : pred_t = p ∧ gt_t = g}| / N
    ///
    /// - Precondition: the sequences are non-empty and equally long.
    public static func meanOverFrames(predicted: [Int], groundTruth: [Int], matching: LabelMatching) -> Double {
        precondition(!groundTruth.isEmpty && predicted.count == groundTruth.count)
        var correct = 0
        for pair in matching.pairs {
            correct += count(predicted, groundTruth) { $0 == pair.predicted && $1 == pair.groundTruth }
        }
        return Double(correct) / Double(groundTruth.count)
    }

    /// Mean intersection over union, as the official code computes it: the IoU of each matched
    /// pair, summed in matching order, divided by the number of distinct GT classes — so a GT
    /// class without a matched cluster counts 0.
    ///
    ///     mIoU = (1/|G|) Σ_(p,g) |P_p ∩ G_g| / |P_p ∪ G_g|
    public static func meanIoU(predicted: [Int], groundTruth: [Int], matching: LabelMatching) -> Double {
        precondition(!groundTruth.isEmpty && predicted.count == groundTruth.count)
        var total = 0.0
        for pair in matching.pairs {
            let intersection = count(predicted, groundTruth) { $0 == pair.predicted && $1 == pair.groundTruth }
            let union = count(predicted, groundTruth) { $0 == pair.predicted || $1 == pair.groundTruth }
            total += Double(intersection) / Double(union)
        }
        return total / Double(Set(groundTruth).count)
    }

    private static func count(_ a: [Int], _ b: [Int], where test: (Int, Int) -> Bool) -> Int {
        var n = 0
        for (x, y) in zip(a, b) where test(x, y) { n += 1 }
        return n
    }
}
