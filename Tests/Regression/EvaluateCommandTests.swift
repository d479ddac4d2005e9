@testable import CLOTCommands
import CLOTCore
import Foundation
import Testing
import TestSupport

/// `clot evaluate`, driven in-process: every bad input is an `InputError` naming its file, and
/// the sample predictions score the same through the command as through the library.
@Suite struct EvaluateCommandTests {
    static let sample = fixturesDirectory + "/sample"
    static let predictions = sample + "/predictions-equal-split"
    static let groundTruth = sample + "/Breakfast/groundTruth"
    static let mapping = sample + "/Breakfast/mapping/mapping.txt"

    static func evaluate(_ arguments: [String]) throws -> Evaluate {
        let command = try ClotCommand.parseAsRoot(["evaluate"] + arguments)
        return try #require(command as? Evaluate)
    }

    /// Runs `clot evaluate` with these arguments and expects an InputError mentioning `fragments`.
    static func expectFailure(_ arguments: [String], mentioning fragments: [String],
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        var command = try ClotCommand.parseAsRoot(["evaluate"] + arguments)
        expectInputError(mentioning: fragments, sourceLocation: sourceLocation) { try command.run() }
    }

    /// The sample, paired by hand: each ground-truth file with the prediction of the same name.
    static func sampleSequences() throws -> [LabelledSequence] {
        let actions = try ActionMapping.read(mapping)
        return try FileSystem.contents(of: groundTruth).map { name in
            LabelledSequence(
                name: name,
                predicted: try TextFiles.parseIntegerLabels(FileSystem.readText(predictions + "/" + name + ".txt"), source: name),
                groundTruth: try TextFiles.readLabels(groundTruth + "/" + name, mapping: actions))
        }
    }

    // MARK: Success

    @Test("activity level on the sample: the library's scores, five videos, 3350 frames")
    func activityLevel() throws {
        let command = try Self.evaluate(["--pred", Self.predictions, "--gt", Self.groundTruth, "--mapping", Self.mapping, "--seed", "3"])
        let (report, names) = try command.evaluate()
        let expected = try EvaluationProtocol(seed: 3).evaluateActivity(try Self.sampleSequences())
        #expect(report.level == .activity)
        #expect(report.scores == expected.scores)
        #expect(report.matching == expected.matching.pairs)
        #expect(report.videos == 5 && report.frames == 3350 && report.seed == 3)
        #expect(report.perVideo == nil)
        #expect(names?.entries.count == 48)
        // The equal-split baseline is far from perfect and far from nothing.
        #expect(report.scores.mof > 0.1 && report.scores.mof < 0.9)
    }

    @Test("video level on the sample, and its JSON")
    func videoLevel() throws {
        let command = try Self.evaluate(["--pred", Self.predictions, "--gt", Self.groundTruth, "--mapping", Self.mapping,
                                         "--level", "video", "--json"])
        let (report, _) = try command.evaluate()
        let expected = try EvaluationProtocol(seed: 0).evaluateVideos(try Self.sampleSequences())
        #expect(report.scores == expected.scores)
        #expect(report.perVideo?.map(\.name) == expected.perVideo.map(\.name))
        #expect(report.perVideo?.map(\.scores) == expected.perVideo.map(\.scores))

        // JSONDecoder, not JSONSerialization: the latter does not parse doubles exactly on Linux.
        struct Printed: Decodable {
            struct Video: Decodable { var name: String; var mof, f1, f1_expected, miou: Double }
            var level: String
            var mof, f1, f1_expected, miou: Double
            var videos, frames: Int
            var seed: UInt32
            var exclude: Int?
            var f1_protocol: String
            var matching: [LabelMatching.Pair]?
            var per_video: [Video]
        }
        let printed = try JSONDecoder().decode(Printed.self, from: Data(report.json().utf8))
        #expect(printed.level == "video")
        #expect(printed.mof == expected.scores.mof && printed.f1 == expected.scores.f1)
        #expect(printed.f1_expected == expected.scores.f1Expected && printed.miou == expected.scores.miou)
        #expect(printed.videos == 5 && printed.frames == 3350 && printed.seed == 0 && printed.exclude == nil)
        #expect(printed.matching == nil)
        #expect(printed.per_video.map(\.name) == expected.perVideo.map(\.name))
        #expect(printed.per_video.map(\.f1) == expected.perVideo.map(\.scores.f1))
    }

    @Test("run() succeeds at both levels, as a table and as JSON", arguments: ["activity", "video"])
    func runs(level: String) throws {
        for extra in [[], ["--json"]] {
            var command = try ClotCommand.parseAsRoot(["evaluate", "--pred", Self.predictions, "--gt", Self.groundTruth,
                                                       "--mapping", Self.mapping, "--level", level] + extra)
            try command.run()
        }
    }

    @Test("a single prediction file against a single ground-truth file")
    func singleFiles() throws {
        let name = "P03_cam01_P03_coffee"
        let command = try Self.evaluate(["--pred", Self.predictions + "/\(name).txt", "--gt", Self.groundTruth + "/" + name,
                                         "--mapping", Self.mapping])
        let (report, _) = try command.evaluate()
        #expect(report.videos == 1 && report.frames == 917)
        let sequence = try #require(try Self.sampleSequences().first { $0.name == name })
        #expect(report.scores == (try EvaluationProtocol().evaluateActivity([sequence]).scores))
    }

    @Test("integer ground truth without a mapping, and an excluded class")
    func integerGroundTruth() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        try writeText("0\n0\n1\n1\n", to: folder + "/pred/a_1.txt")
        try writeText("-1\n0\n1\n1\n", to: folder + "/gt/a_1")
        let command = try Self.evaluate(["--pred", folder + "/pred", "--gt", folder + "/gt", "--exclude", "-1"])
        let (report, _) = try command.evaluate()
        // Frame 0 (class −1) is dropped; the remaining three frames are predicted perfectly.
        #expect(report.frames == 3 && report.scores.mof == 1 && report.exclude == -1)
    }

    // MARK: Errors

    @Test("nonexistent paths")
    func nonexistentPaths() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        try Self.expectFailure(["--pred", folder + "/nope", "--gt", Self.groundTruth], mentioning: [folder + "/nope", "does not exist"])
        try Self.expectFailure(["--pred", Self.predictions, "--gt", folder + "/nada"], mentioning: [folder + "/nada", "does not exist"])
        try Self.expectFailure(["--pred", Self.predictions, "--gt", Self.groundTruth, "--mapping", folder + "/m.txt"],
                               mentioning: [folder + "/m.txt"])
    }

    @Test("a file against a folder, either way round")
    func fileFolderMismatch() throws {
        let file = Self.groundTruth + "/P03_cam01_P03_coffee"
        try Self.expectFailure(["--pred", Self.predictions, "--gt", file, "--mapping", Self.mapping],
                               mentioning: [file, "is a file but the other side is a folder"])
        let predFile = Self.predictions + "/P03_cam01_P03_coffee.txt"
        try Self.expectFailure(["--pred", predFile, "--gt", Self.groundTruth, "--mapping", Self.mapping],
                               mentioning: [predFile, "is a file but the other side is a folder"])
    }

    /// A pair of folders in a temporary directory: `pred/<name>.txt` and `gt/<name>`.
    static func folders(_ files: [(name: String, pred: String?, gt: String?)], in root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/pred", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/gt", withIntermediateDirectories: true)
        for file in files {
            if let pred = file.pred { try writeText(pred, to: root + "/pred/" + file.name + ".txt") }
            if let gt = file.gt { try writeText(gt, to: root + "/gt/" + file.name) }
        }
        try writeText("0 SIL\n1 take_cup\n", to: root + "/mapping.txt")
    }

    static func arguments(_ root: String) -> [String] {
        ["--pred", root + "/pred", "--gt", root + "/gt", "--mapping", root + "/mapping.txt"]
    }

    @Test("a ground-truth file without a prediction, and a prediction without ground truth")
    func missingPartners() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([("v_1", "0\n1\n", "SIL\ntake_cup\n"), ("v_2", nil, "SIL\nSIL\n")], in: root)
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/pred", "no prediction for 'v_2'"])
        try writeText("0\n0\n", to: root + "/pred/v_2.txt")
        try writeText("1\n", to: root + "/pred/v_3.txt")
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/gt", "no ground truth for prediction 'v_3'"])
    }

    @Test("a prediction with a non-integer line names the file and line")
    func nonIntegerPrediction() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([("v_1", "0\n1\n", "SIL\ntake_cup\n"), ("v_2", "0\nSIL\n", "SIL\nSIL\n")], in: root)
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/pred/v_2.txt:2", "not an integer"])
    }

    @Test("prediction and ground truth of different lengths name both files")
    func lengthMismatch() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([("v_1", "0\n1\n1\n", "SIL\ntake_cup\n")], in: root)
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/pred/v_1.txt", "3 labels", root + "/gt/v_1", "has 2"])
    }

    @Test("a ground-truth action missing from the mapping names the file and line")
    func labelNotInMapping() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([("v_1", "0\n1\n0\n", "SIL\ntake_cup\npour_milk\n")], in: root)
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/gt/v_1:3", "'pour_milk'", "not in the mapping"])
        // Without --mapping the names are not integers.
        try Self.expectFailure(["--pred", root + "/pred", "--gt", root + "/gt"], mentioning: [root + "/gt/v_1:1", "not an integer"])
    }

    @Test("an empty ground-truth folder; two files for one video")
    func folderContents() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([], in: root)
        try Self.expectFailure(Self.arguments(root), mentioning: [root + "/gt", "holds no label files"])
        try Self.folders([("v_1", "0\n", "SIL\n")], in: root)
        try writeText("0\n", to: root + "/pred/v_1")
        try Self.expectFailure(Self.arguments(root), mentioning: ["v_1", "two files for video 'v_1'"])
    }

    @Test("excluding every frame")
    func everythingExcluded() throws {
        let root = temporaryDirectory()
        defer { removeDirectory(root) }
        try Self.folders([("v_1", "0\n1\n", "SIL\nSIL\n")], in: root)
        try Self.expectFailure(Self.arguments(root) + ["--exclude", "0"], mentioning: ["no frames left", "class 0"])
        try Self.expectFailure(Self.arguments(root) + ["--exclude", "0", "--level", "video"], mentioning: ["v_1", "no frames left"])
    }

    @Test("a bad --level is refused by the argument parser")
    func badLevel() {
        #expect(throws: (any Error).self) {
            _ = try ClotCommand.parseAsRoot(["evaluate", "--pred", "p", "--gt", "g", "--level", "frame"])
        }
    }
}
