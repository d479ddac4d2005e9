import CLOTCore
import Testing
import TestSupport

/// The loader on real data: five Breakfast "coffee" videos in the shared data folder (text
/// features, skipped when absent) and the bundled float32 `.npy` copy under fixtures/sample.
@Suite struct BreakfastSampleTests {
    /// From the data's own README (`../shared/data/README.md`), not from the loader.
    static let videos = ["P03_cam01_P03_coffee", "P05_cam01_P05_coffee", "P06_cam01_P06_coffee",
                         "P08_webcam01_P08_coffee", "P09_cam01_P09_coffee"]
    static let frameCounts = [917, 1119, 472, 271, 571]
    static let framesPerAction = ["SIL": 450, "take_cup": 639, "pour_coffee": 933, "pour_milk": 892, "pour_sugar": 436]

    static let bundledRoot = fixturesDirectory + "/sample"

    static func expectSample(_ videos: [Video], mapping: ActionMapping, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(videos.map(\.name) == Self.videos, sourceLocation: sourceLocation)
        #expect(videos.map(\.frameCount) == Self.frameCounts, sourceLocation: sourceLocation)
        #expect(videos.allSatisfy { $0.features.columns == 64 && $0.features.rows == $0.frameCount && $0.activity == "coffee" },
                sourceLocation: sourceLocation)
        #expect(mapping.entries.count == 48, sourceLocation: sourceLocation)
        var counts: [String: Int] = [:]
        for video in videos {
            for label in video.labels {
                let name = mapping.entries.first { $0.id == label }?.name ?? "?\(label)"
                counts[name, default: 0] += 1
            }
        }
        #expect(counts == Self.framesPerAction, sourceLocation: sourceLocation)
        // Frames without trajectories are all-zero rows; the data has some.
        let zeroRows = videos.reduce(0) { total, video in
            total + (0..<video.frameCount).filter { t in video.features.row(t).allSatisfy { $0 == 0 } }.count
        }
        #expect(zeroRows > 0, sourceLocation: sourceLocation)
    }

    @Test("the shared text data loads: five coffee videos, their frame counts, 64 dims, five actions",
          .enabled(if: sharedDataDirectory != nil, "../shared/data/Breakfast is absent: real-data test skipped"))
    func sharedData() throws {
        let root = try #require(sharedDataDirectory)
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        #expect(try layout.activities() == ["coffee"])
        #expect(try layout.featuresPath(video: Self.videos[0]).hasSuffix(".txt"))
        let (videos, mapping) = try layout.loadActivity("coffee")
        Self.expectSample(videos, mapping: mapping)
    }

    @Test("the bundled float32 .npy copy loads the same shape and labels")
    func bundledCopy() throws {
        let layout = DatasetLayout(root: Self.bundledRoot, dataset: .breakfast)
        #expect(try layout.featuresPath(video: Self.videos[0]).hasSuffix(".npy"))
        let (videos, mapping) = try layout.loadActivity("coffee")
        Self.expectSample(videos, mapping: mapping)
        // Stored as float32: every value is a Float widened exactly.
        #expect(videos.allSatisfy { $0.features.elements.allSatisfy { Double(Float($0)) == $0 } })
    }

    @Test("the bundled copy equals the text data rounded to float32",
          .enabled(if: sharedDataDirectory != nil, "../shared/data/Breakfast is absent: comparison skipped"))
    func bundledEqualsText() throws {
        let text = try DatasetLayout(root: try #require(sharedDataDirectory), dataset: .breakfast).loadActivity("coffee")
        let bundled = try DatasetLayout(root: Self.bundledRoot, dataset: .breakfast).loadActivity("coffee")
        #expect(text.mapping == bundled.mapping)
        try #require(text.videos.count == bundled.videos.count)
        for (a, b) in zip(text.videos, bundled.videos) {
            #expect(a.name == b.name && a.labels == b.labels)
            #expect(a.features.map { Double(Float($0)) } == b.features, "\(a.name)")
        }
    }
}
