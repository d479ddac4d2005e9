import CLOTCore
import Foundation

/// Tiny synthetic datasets in the standard layout of each benchmark (names, activity parsing,
/// mapping files, feature widths and formats as the real ones), for end-to-end tests.
public enum SyntheticDatasets {
    /// Writes `dataset` under `root` with two videos (per activity) of `frames` frames whose
    /// features are noisy class prototypes; returns the activity names written.
    @discardableResult
    public static func write(_ dataset: DatasetName, root: String, frames: Int = 40, seed: UInt32 = 1) throws -> [String] {
        var g = MersenneTwister(seed: seed)
        let dir = root + "/" + dataset.directoryName
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/groundTruth", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/mapping", withIntermediateDirectories: true)
        let (width, videos, classes): (Int, [(name: String, activity: String)], [String]) = {
            switch dataset {
            case .breakfast: return (64, [("P01_cam01_P01_coffee", "coffee"), ("P02_webcam01_P02_coffee", "coffee"),
                                          ("P01_cam01_P01_tea", "tea"), ("P03_cam02_P03_tea", "tea")],
                                     ["SIL", "take_cup", "pour_coffee", "pour_milk", "add_teabag"])
            case .yti: return (3000, [("changing_tire_0001", "changing_tire"), ("changing_tire_0002", "changing_tire")],
                               ["background", "unscrew", "jack", "remove", "put"])
            case .fs, .fsEval: return (64, [("rgb-01-1", ""), ("rgb-02-2", "")], ["cut", "peel", "mix", "serve"])
            case .desktopAssembly: return (512, [("2020-04-19_14-03-25", ""), ("2020-04-20_10-11-12", "")], ["a1", "a2", "a3", "a4"])
            }
        }()
        var mapping = classes.enumerated().map { "\(dataset == .yti && $0.offset == 0 ? -1 : $0.offset) \($0.element)" }
        if dataset == .yti { mapping = mapping.sorted() }
        try (mapping.joined(separator: "\n") + "\n").write(toFile: dir + "/mapping/mapping.txt", atomically: true, encoding: .utf8)
        if dataset == .fs || dataset == .fsEval {
            try (mapping.joined(separator: "\n") + "\n").write(toFile: dir + "/mapping/mappingeval.txt", atomically: true, encoding: .utf8)
        }
        let prototypes = (0..<classes.count).map { _ in (0..<width).map { _ in g.gaussian() } }
        for video in videos {
            var labels: [Int] = [], rows: [[Double]] = []
            for t in 0..<frames {
                let c = min(classes.count - 1, t * classes.count / frames)
                labels.append(c)
                rows.append(prototypes[c].map { $0 + 0.5 * g.gaussian() })
            }
            try (labels.map { classes[$0] }.joined(separator: "\n") + "\n")
                .write(toFile: dir + "/groundTruth/" + video.name, atomically: true, encoding: .utf8)
            let featureDir = dir + "/features" + (video.activity.isEmpty ? "" : "/" + video.activity)
            try fm.createDirectory(atPath: featureDir, withIntermediateDirectories: true)
            if dataset == .desktopAssembly {
                try NPY.write(NPYArray(Matrix(rows).float32), to: featureDir + "/" + video.name + ".npy")
            } else {
                let text = rows.map { $0.map { String(format: "%.6f", $0) }.joined(separator: " ") }.joined(separator: "\n") + "\n"
                try text.write(toFile: featureDir + "/" + video.name + ".txt", atomically: true, encoding: .utf8)
            }
        }
        return Array(Set(videos.map(\.activity))).sorted()
    }
}
