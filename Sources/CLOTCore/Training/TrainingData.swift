/// A batch of training items, stacked: B videos × T sampled frames (padded, masked), as the
/// official DataLoader hands them to `training_step`.
public struct TrainingBatch: Sendable {
    /// (B·T) × d_in raw features, standardised when the dataset asks for it.
    public var features: Matrix<Double>
    /// B·T flags, true on real frames.
    public var mask: [Bool]
    public var videos: Int
    public var names: [String]
}

/// Turns videos into training batches and test inputs (Documentation/Method.md §1): 256 frames sampled per
/// video per epoch (one uniform frame per interval), videos shuffled each epoch and grouped in
/// batches, per-item standardisation when asked (Breakfast). All draws come from the caller's
/// generator, in a fixed order, so a seed fixes every batch.
public enum TrainingData {
    /// One epoch of batches: a shuffled order of the videos, then for each video in that order
    /// its sampled frames.
    public static func epoch(_ videos: [Video], batchSize: Int, frames: Int, standardise: Bool,
                             using generator: inout MersenneTwister) -> [TrainingBatch] {
        let order = generator.permutation(videos.count)
        var batches: [TrainingBatch] = []
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = order[start..<min(start + batchSize, order.count)].map { videos[$0] }
            var rows: [Double] = [], mask: [Bool] = []
            for video in members {
                let (features, itemMask) = item(video, sampling: .random(count: frames), standardise: standardise, using: &generator)
                rows += features.elements
                mask += itemMask
            }
            batches.append(TrainingBatch(features: Matrix(rows: mask.count, columns: videos[0].features.columns, elements: rows),
                                         mask: mask, videos: members.count, names: members.map(\.name)))
        }
        return batches
    }

    /// One item: the sampled rows (padding repeats the last frame), standardised over those
    /// rows when asked, and the padding mask.
    public static func item(_ video: Video, sampling: FrameSampling, standardise: Bool,
                            using generator: inout MersenneTwister) -> (features: Matrix<Double>, mask: [Bool]) {
        let (indices, mask) = sampling.indices(frameCount: video.frameCount, using: &generator)
        let rows = video.features.selectingRows(indices)
        return (standardise ? Standardisation.standardise(rows) : rows, mask)
    }

    /// The whole video for prediction (test: every frame, standardised over the video).
    public static func testInput(_ video: Video, standardise: Bool) -> Matrix<Double> {
        standardise ? Standardisation.standardise(video.features) : video.features
    }
}
