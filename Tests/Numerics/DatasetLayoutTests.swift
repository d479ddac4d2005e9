import CLOTCore
import Foundation
import Testing
import TestSupport

/// The standard dataset layout (Documentation/Method.md §1): dataset names, activities parsed from video
/// names, and tiny synthetic dataset trees for each of the five benchmarks.
@Suite struct DatasetLayoutTests {
    // MARK: Names

    @Test("dataset names and their spellings")
    func parsing() throws {
        let accepted: [(String, DatasetName)] = [
            ("Breakfast", .breakfast), ("bf", .breakfast), ("YTI", .yti), ("youtube_instructions", .yti),
            ("FS", .fs), ("50salads", .fs), ("FSeval", .fsEval), ("fs-eval", .fsEval),
            ("desktop_assembly", .desktopAssembly), ("Desktop-Assembly", .desktopAssembly), ("DA", .desktopAssembly),
        ]
        for (text, name) in accepted { #expect(try DatasetName(parsing: text) == name, "\(text)") }
        for name in DatasetName.allCases { #expect(try DatasetName(parsing: name.rawValue) == name) }
        let error = expectInputError(mentioning: ["--dataset", "unknown dataset 'salads'"]) { try DatasetName(parsing: "salads") }
        #expect(error?.hint?.contains("Breakfast") == true)
    }

    @Test("folders and mapping files; FSeval shares FS with mappingeval.txt")
    func folders() {
        #expect(DatasetName.fsEval.directoryName == "FS" && DatasetName.fsEval.mappingFileName == "mappingeval.txt")
        #expect(DatasetName.fs.directoryName == "FS" && DatasetName.fs.mappingFileName == "mapping.txt")
        #expect(DatasetName.breakfast.directoryName == "Breakfast" && DatasetName.yti.directoryName == "YTI")
        #expect(DatasetName.desktopAssembly.directoryName == "desktop_assembly")
        let layout = DatasetLayout(root: "/data", dataset: .fsEval)
        #expect(layout.mappingPath == "/data/FS/mapping/mappingeval.txt")
        #expect(layout.groundTruthDirectory == "/data/FS/groundTruth")
    }

    @Test("activity of a video, as parse_action_name")
    func activities() {
        #expect(DatasetName.breakfast.activity(ofVideo: "P03_cam01_P03_coffee") == "coffee")
        #expect(DatasetName.breakfast.activity(ofVideo: "P12_webcam02_P12_friedegg") == "friedegg")
        #expect(DatasetName.yti.activity(ofVideo: "changing_tire_0001") == "changing_tire")
        #expect(DatasetName.yti.activity(ofVideo: "coffee_0003") == "coffee")
        #expect(DatasetName.yti.activity(ofVideo: "perform_cpr_0010") == "perform_cpr")
        for dataset in [DatasetName.fs, .fsEval, .desktopAssembly] {
            #expect(dataset.activity(ofVideo: "rgb-01-1") == "")
            #expect(dataset.activity(ofVideo: "2020-03-16_18-03-11") == "")
        }
    }

    @Test("video names need '_' or '-'")
    func videoNameRule() {
        #expect(DatasetName.isVideoName("P03_cam01_P03_coffee"))
        #expect(DatasetName.isVideoName("rgb-01-1"))
        #expect(!DatasetName.isVideoName("README"))
        #expect(!DatasetName.isVideoName("splits"))
    }

    // MARK: Synthetic trees

    struct SyntheticVideo {
        var name: String
        var labels: [String]
        var featureExtension = "txt"
    }

    /// Writes `ROOT/<dir>/{features/<activity>/<video>.txt|.npy, groundTruth/<video>, mapping/…}`.
    /// Frame t of a video gets the features (t, 10·t + index of the video).
    static func makeDataset(_ dataset: DatasetName, videos: [SyntheticVideo], mapping: String,
                            in root: String) throws {
        let layout = DatasetLayout(root: root, dataset: dataset)
        try writeText(mapping, to: layout.mappingPath)
        for (v, video) in videos.enumerated() {
            try writeText(video.labels.joined(separator: "\n") + "\n", to: layout.groundTruthDirectory + "/" + video.name)
            let activity = dataset.activity(ofVideo: video.name)
            let base = layout.directory + "/features/" + (activity.isEmpty ? "" : activity + "/") + video.name
            let rows = video.labels.indices.map { [Double($0), Double(10 * $0 + v)] }
            if video.featureExtension == "npy" {
                try writeBytes(NPY.encode(NPYArray(Matrix(rows).float32)), to: base + ".npy")
            } else {
                try writeText(rows.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n") + "\n",
                              to: base + ".txt")
            }
        }
    }

    static func expectFeatures(_ video: Video, index v: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(video.features.columns == 2, sourceLocation: sourceLocation)
        #expect(video.features.rows == video.labels.count, sourceLocation: sourceLocation)
        for t in 0..<video.features.rows {
            #expect(video.features.row(t) == [Double(t), Double(10 * t + v)], sourceLocation: sourceLocation)
        }
    }

    @Test("Breakfast: activities from the last '_' field, features under features/<activity>/")
    func breakfast() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.breakfast, videos: [
            .init(name: "P03_cam01_P03_coffee", labels: ["SIL", "take_cup", "take_cup", "SIL"]),
            .init(name: "P04_webcam02_P04_tea", labels: ["SIL", "add_teabag", "SIL"], featureExtension: "npy"),
        ], mapping: "0 SIL\n1 take_cup\n2 add_teabag\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        #expect(try layout.activities() == ["coffee", "tea"])
        #expect(try layout.videoNames() == ["P03_cam01_P03_coffee", "P04_webcam02_P04_tea"])
        #expect(try layout.videoNames(activity: "all").count == 2)
        #expect(try layout.videoNames(activity: "tea") == ["P04_webcam02_P04_tea"])

        let (coffee, mapping) = try layout.loadActivity("coffee")
        #expect(mapping.entries.count == 3)
        try #require(coffee.count == 1)
        #expect(coffee[0].name == "P03_cam01_P03_coffee" && coffee[0].activity == "coffee")
        #expect(coffee[0].labels == [0, 1, 1, 0])
        Self.expectFeatures(coffee[0], index: 0)

        let (all, _) = try layout.loadActivity(nil)
        #expect(all.map(\.activity) == ["coffee", "tea"])
        #expect(all[1].labels == [0, 2, 0])
        #expect(try layout.featuresPath(video: "P04_webcam02_P04_tea").hasSuffix("features/tea/P04_webcam02_P04_tea.npy"))
        Self.expectFeatures(all[1], index: 1)

        let error = expectInputError(mentioning: [layout.groundTruthDirectory, "no videos of activity 'cereals'"]) {
            try layout.loadActivity("cereals")
        }
        #expect(error?.hint?.contains("coffee, tea") == true)
    }

    @Test("YTI: the activity is the name less its last '_' field; negative ids")
    func yti() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.yti, videos: [
            .init(name: "changing_tire_0001", labels: ["background", "jack_up", "background"]),
            .init(name: "changing_tire_0002", labels: ["jack_up", "jack_up"]),
            .init(name: "coffee_0001", labels: ["background", "grind"]),
        ], mapping: "-1 background\n0 jack_up\n1 grind\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .yti)
        #expect(try layout.activities() == ["changing_tire", "coffee"])
        let (videos, _) = try layout.loadActivity("changing_tire")
        #expect(videos.map(\.name) == ["changing_tire_0001", "changing_tire_0002"])
        #expect(videos[0].labels == [-1, 0, -1] && videos[1].labels == [0, 0])
        #expect(videos.allSatisfy { $0.activity == "changing_tire" })
        Self.expectFeatures(videos[1], index: 1)
    }

    static let salads: [SyntheticVideo] = [
        .init(name: "rgb-01-1", labels: ["cut_tomato", "place_tomato_into_bowl", "cut_tomato"]),
        .init(name: "rgb-02-1", labels: ["place_tomato_into_bowl"], featureExtension: "npy"),
    ]

    @Test("50 Salads (FS): one unnamed activity, features directly under features/")
    func fiftySalads() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.fs, videos: Self.salads,
                             mapping: "0 cut_tomato\n1 place_tomato_into_bowl\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .fs)
        #expect(try layout.activities() == [""])
        // Any activity asked for selects every video of a single-activity dataset.
        #expect(try layout.videoNames(activity: "salad").count == 2)
        let (videos, _) = try layout.loadActivity(nil)
        #expect(videos.map(\.labels) == [[0, 1, 0], [1]])
        #expect(try layout.featuresPath(video: "rgb-01-1") == root + "/FS/features/rgb-01-1.txt")
        Self.expectFeatures(videos[0], index: 0)
        Self.expectFeatures(videos[1], index: 1)
    }

    @Test("FSeval: the FS folder, read through mapping/mappingeval.txt")
    func fiftySaladsEval() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        // The same files as FS, a mid-granularity mapping.txt and a coarser mappingeval.txt.
        try Self.makeDataset(.fs, videos: Self.salads, mapping: "0 cut_tomato\n1 place_tomato_into_bowl\n", in: root)
        try writeText("7 cut_tomato\n8 place_tomato_into_bowl\n", to: root + "/FS/mapping/mappingeval.txt")
        let (mid, _) = try DatasetLayout(root: root, dataset: .fs).loadActivity(nil)
        let (eval, mapping) = try DatasetLayout(root: root, dataset: .fsEval).loadActivity(nil)
        #expect(mapping.entries.map(\.id) == [7, 8])
        #expect(mid.map(\.labels) == [[0, 1, 0], [1]])
        #expect(eval.map(\.labels) == [[7, 8, 7], [8]])
        #expect(eval.map(\.features) == mid.map(\.features))
    }

    @Test("Desktop Assembly: one unnamed activity; entries without '_' or '-' and folders are not videos")
    func desktopAssembly() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.desktopAssembly, videos: [
            .init(name: "2020-03-16_18-03-11", labels: ["a", "b"]),
            .init(name: "2020-03-17_09-12-00", labels: ["b", "b", "a"]),
        ], mapping: "0 a\n1 b\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .desktopAssembly)
        try writeText("not a video\n", to: layout.groundTruthDirectory + "/README")
        try FileManager.default.createDirectory(atPath: layout.groundTruthDirectory + "/old_labels", withIntermediateDirectories: true)
        #expect(try layout.videoNames() == ["2020-03-16_18-03-11", "2020-03-17_09-12-00"])
        let (videos, _) = try layout.loadActivity("all")
        #expect(videos.map(\.labels) == [[0, 1], [1, 1, 0]])
        #expect(videos.allSatisfy { $0.activity == "" })
    }

    // MARK: Faults

    @Test(".txt features win over .npy; neither is an error naming the .txt path")
    func featuresFileChoice() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.breakfast, videos: [.init(name: "P01_cam01_P01_tea", labels: ["SIL", "SIL"])],
                             mapping: "0 SIL\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        let base = root + "/Breakfast/features/tea/P01_cam01_P01_tea"
        try NPY.write(NPYArray(Matrix<Double>([[9, 9], [9, 9]])), to: base + ".npy")
        #expect(try layout.featuresPath(video: "P01_cam01_P01_tea") == base + ".txt")
        #expect(try layout.loadActivity("tea").videos[0].features.row(0) == [0, 0])
        try FileManager.default.removeItem(atPath: base + ".txt")
        #expect(try layout.loadActivity("tea").videos[0].features.row(0) == [9, 9])
        try FileManager.default.removeItem(atPath: base + ".npy")
        expectInputError(mentioning: [base + ".txt", "features file missing"]) { try layout.loadActivity("tea") }
    }

    @Test("features and labels with different frame counts name both files")
    func frameCountMismatch() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.breakfast, videos: [.init(name: "P01_cam01_P01_tea", labels: ["SIL", "SIL", "SIL"])],
                             mapping: "0 SIL\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        try writeText("1 2\n3 4\n", to: root + "/Breakfast/features/tea/P01_cam01_P01_tea.txt")
        expectInputError(mentioning: ["P01_cam01_P01_tea.txt", "2 frames", layout.groundTruthDirectory + "/P01_cam01_P01_tea", "3 labels"]) {
            try layout.loadActivity("tea")
        }
    }

    @Test("an empty video, a label missing from the mapping, a missing mapping, a missing groundTruth folder")
    func otherFaults() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.makeDataset(.breakfast, videos: [.init(name: "P01_cam01_P01_tea", labels: ["SIL", "pour_water"])],
                             mapping: "0 SIL\n", in: root)
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        let gtPath = layout.groundTruthDirectory + "/P01_cam01_P01_tea"
        expectInputError(mentioning: [gtPath + ":2", "'pour_water'"]) { try layout.loadActivity("tea") }

        try writeText("", to: gtPath)
        expectInputError(mentioning: [gtPath, "no labels"]) { try layout.loadActivity("tea") }

        try FileManager.default.removeItem(atPath: layout.mappingPath)
        expectInputError(mentioning: [layout.mappingPath]) { try layout.loadActivity("tea") }

        let empty = DatasetLayout(root: root, dataset: .yti)
        expectInputError(mentioning: [empty.groundTruthDirectory, "does not exist"]) { try empty.videoNames() }
    }
}
