import CLOTCore
import Foundation

/// A synthetic benchmark with a real benchmark's published sizes, written in the official layout
/// and text format (`numpy.savetxt`'s `%.18e`, one frame per line), for timing a whole
/// reproduction without the dataset (`clot bench --suite protocol`).
///
/// What is taken from the published record, and what is assumed (REPRODUCE.md §5, "The whole
/// Breakfast Table 1"):
/// - Breakfast: 10 activities, 1712 videos, 64 features per frame. The videos per activity are
///   those of the feature release the papers use (cereals 184, coffee 167, friedegg 173, juice
///   162, milk 187, pancake 157, salat 163, sandwich 169, scrambledegg 166, tea 184; they sum
///   to 1712).
/// - Breakfast's length: about 77 hours at 15 fps over its 1989 recordings (Kuehne et al.), a
///   mean of about 2090 frames per video. No per-activity lengths were found, so every
///   activity draws from one log-normal distribution with that mean (σ 0.6 in log space, cut
///   to 150–10 000 frames): about 3.6 million frames, 5.9 GB of text.
/// - YouTube Instructions: 150 videos of 5 tasks, about 800 000 frames (Alayrac et al., CVPR 2016),
///   3000 features per frame: one activity is 30 videos of about 5300 frames (assuming a
///   feature row per video frame, the upper end).
/// - K per activity is the official run scripts' (`DatasetDefaults.clusters`). A video is K − 1
///   actions in order between two SIL segments, their lengths drawn at random; a frame's
///   features are its action's prototype (standard Gaussian, per activity) plus standard
///   Gaussian noise. Only sizes matter for the timing: training samples 256 frames per video
///   whatever its length, and the ASOT solver runs a fixed number of iterations.
///
/// Every number is drawn from the project's `MersenneTwister`, seeded per activity, so a
/// dataset is the same bytes whichever threads write it.
struct SyntheticBenchmark: Codable, Equatable {
    struct Activity: Codable, Equatable {
        var name: String
        var videos: Int, clusters: Int
    }

    var dataset: DatasetName
    var width: Int
    var activities: [Activity]
    /// Mean frames per video, and the log-normal's σ and bounds.
    var meanFrames: Double
    var sigma = 0.6
    var minimumFrames = 150
    var maximumFrames = 10_000
    var seed: UInt32 = 2025
    /// Bumped when the generator's output changes (a folder of an older version is rewritten).
    var version = 1

    /// Breakfast's sizes, each activity's video count multiplied by `scale` (at least 2 videos).
    static func breakfast(scale: Double = 1) -> SyntheticBenchmark {
        let counts = [("cereals", 184), ("coffee", 167), ("friedegg", 173), ("juice", 162), ("milk", 187),
                      ("pancake", 157), ("salat", 163), ("sandwich", 169), ("scrambledegg", 166), ("tea", 184)]
        return SyntheticBenchmark(
            dataset: .breakfast, width: 64,
            activities: counts.map { Activity(name: $0.0, videos: max(2, Int((Double($0.1) * scale).rounded())),
                                              clusters: DatasetDefaults.clusters(dataset: .breakfast, activity: $0.0) ?? 7) },
            meanFrames: 77 * 3600 * 15 / 1989)
    }

    /// One YouTube Instructions activity (changing_tire, K = 11): 30 videos × 3000 features.
    static func ytiActivity(scale: Double = 1) -> SyntheticBenchmark {
        SyntheticBenchmark(dataset: .yti, width: 3000,
                           activities: [Activity(name: "changing_tire", videos: max(2, Int((30 * scale).rounded())), clusters: 11)],
                           meanFrames: 800_000 / 150, minimumFrames: 500, maximumFrames: 15_000)
    }

    var videoCount: Int { activities.reduce(0) { $0 + $1.videos } }

    /// What was written.
    struct Summary: Codable {
        var videos: Int
        var frames: Int
        var bytes: Int
    }

    /// The marker written last into `ROOT/<Dataset>`: this description and the summary.
    private struct Manifest: Codable {
        var benchmark: SyntheticBenchmark
        var summary: Summary
    }

    static let manifestName = ".clot-synthetic.json"

    /// The summary of a complete dataset of this description already under `root`, if any.
    func existing(under root: String) -> Summary? {
        let path = DatasetLayout(root: root, dataset: dataset).directory + "/" + Self.manifestName
        guard let data = FileManager.default.contents(atPath: path),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.benchmark == self else { return nil }
        return manifest.summary
    }

    /// Writes the dataset under `root` (activities on `threads` threads at once), then its manifest.
    func write(under root: String, threads: Int) throws -> Summary {
        let layout = DatasetLayout(root: root, dataset: dataset)
        try FileSystem.makeDirectories(layout.groundTruthDirectory)
        try FileSystem.makeDirectories(layout.directory + "/mapping")
        var mapping = ["0 SIL"]
        for activity in activities {
            for step in 1..<activity.clusters { mapping.append("\(mapping.count) \(activity.name)_step\(step)") }
        }
        try FileSystem.writeAtomically(mapping.joined(separator: "\n") + "\n", to: layout.mappingPath)
        let summaries = try WorkerPool.map(Array(activities.indices), threads: threads) { index in
            try writeActivity(index, layout: layout)
        }
        let summary = Summary(videos: summaries.reduce(0) { $0 + $1.videos }, frames: summaries.reduce(0) { $0 + $1.frames },
                              bytes: summaries.reduce(0) { $0 + $1.bytes })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileSystem.writeAtomically(Array(try encoder.encode(Manifest(benchmark: self, summary: summary))),
                                       to: layout.directory + "/" + Self.manifestName)
        return summary
    }

    /// The video names of an activity in the official naming scheme
    /// (`P03_cam01_P03_coffee`; YTI `changing_tire_0001`).
    func videoNames(_ activity: Activity) -> [String] {
        (0..<activity.videos).map { i in
            if dataset == .yti { return "\(activity.name)_\(String(format: "%04d", i + 1))" }
            let cameras = ["cam01", "cam02", "webcam01", "webcam02", "stereo01"]
            let person = String(format: "P%02d", 3 + i % 52)
            return "\(person)_\(cameras[(i / 52) % cameras.count])\(i >= 260 ? String(i / 260) : "")_\(person)_\(activity.name)"
        }
    }

    private func writeActivity(_ index: Int, layout: DatasetLayout) throws -> Summary {
        let activity = activities[index]
        var generator = MersenneTwister(seed: seed &+ UInt32(index) &* 7919)
        let featureFolder = layout.directory + "/features/" + (dataset.hasSingleActivity ? "" : activity.name)
        try FileSystem.makeDirectories(featureFolder)
        let prototypes = (0..<activity.clusters).map { _ in (0..<width).map { _ in generator.gaussian() } }
        let names = ["SIL"] + (1..<activity.clusters).map { "\(activity.name)_step\($0)" }
        var summary = Summary(videos: 0, frames: 0, bytes: 0)
        var text = [UInt8]()
        for video in videoNames(activity) {
            let frames = drawLength(&generator)
            let labels = segmentLabels(frames: frames, clusters: activity.clusters, using: &generator)
            text.removeAll(keepingCapacity: true)
            text.reserveCapacity(frames * width * 26)
            var noise = [Double](repeating: 0, count: width)
            for label in labels {
                noise.withUnsafeMutableBufferPointer { generator.fillGaussians($0) }
                for column in 0..<width {
                    if column > 0 { text.append(Byte.space) }
                    Self.appendScientific(prototypes[label][column] + noise[column], to: &text)
                }
                text.append(Byte.newline)
            }
            try FileSystem.writeAtomically(text, to: featureFolder + "/" + video + ".txt")
            try FileSystem.writeAtomically(labels.map { names[$0] + "\n" }.joined(), to: layout.groundTruthDirectory + "/" + video)
            summary.videos += 1
            summary.frames += frames
            summary.bytes += text.count
        }
        return summary
    }

    /// A video length: log-normal with mean `meanFrames`, cut to the bounds.
    private func drawLength(_ generator: inout MersenneTwister) -> Int {
        let drawn = meanFrames * Foundation.exp(sigma * generator.gaussian() - sigma * sigma / 2)
        return min(maximumFrames, max(minimumFrames, Int(drawn.rounded())))
    }

    /// SIL, the activity's K − 1 actions in order, SIL: segment lengths in proportion to
    /// uniform draws in [0.5, 1.5), every segment at least one frame.
    private func segmentLabels(frames: Int, clusters: Int, using generator: inout MersenneTwister) -> [Int] {
        let order = [0] + Array(1..<clusters) + [0]
        let weights = order.map { _ in 0.5 + generator.uniform() }
        let total = weights.reduce(0, +)
        var labels: [Int] = []
        labels.reserveCapacity(frames)
        var cumulative = 0.0
        for (segment, label) in order.enumerated() {
            cumulative += weights[segment]
            let end = segment == order.count - 1 ? frames : min(frames, Int(Double(frames) * cumulative / total))
            while labels.count < max(end, min(frames, segment + 1)) { labels.append(label) }
        }
        return labels
    }

    /// Appends `value` in the shape `%.18e` gives: sign, one digit, a point, 18 digits, `e`, the
    /// exponent's sign and at least two digits ("-1.234567890123456789e-01"). The 19 digits are
    /// the value's leading digits as far as a Double carries them; the text parses to about the
    /// value, which is all a synthetic feature needs.
    static func appendScientific(_ value: Double, to text: inout [UInt8]) {
        if value < 0 { text.append(Byte.minus) }
        var magnitude = Swift.abs(value)
        var exponent = 0
        var digits: UInt64 = 0
        if magnitude != 0 {
            exponent = Int(Foundation.log10(magnitude).rounded(.down))
            magnitude /= Foundation.pow(10, Double(exponent))
            if magnitude >= 10 { magnitude /= 10; exponent += 1 }
            if magnitude < 1 { magnitude *= 10; exponent -= 1 }
            digits = UInt64((magnitude * 1e18).rounded())
            if digits >= 10_000_000_000_000_000_000 { digits /= 10; exponent += 1 }
        }
        // One digit, the point, 18 digits: written from the last digit back.
        let start = text.count
        text.append(contentsOf: repeatElement(Byte.zero, count: 20))
        var rest = digits
        for position in stride(from: 19, through: 0, by: -1) where position != 1 {
            text[start + position] = Byte.zero + UInt8(rest % 10)
            rest /= 10
        }
        text[start + 1] = Byte.point
        text.append(Byte.lowercaseE)
        text.append(exponent < 0 ? Byte.minus : Byte.plus)
        let e = Swift.abs(exponent)
        if e >= 100 { text.append(Byte.zero + UInt8(e / 100)) }
        text.append(Byte.zero + UInt8(e / 10 % 10))
        text.append(Byte.zero + UInt8(e % 10))
    }

    /// The bytes of the text format.
    enum Byte {
        static let zero = UInt8(ascii: "0"), point = UInt8(ascii: "."), minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+")
        static let lowercaseE = UInt8(ascii: "e"), space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
    }
}
