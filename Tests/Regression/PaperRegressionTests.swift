import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// The paper regression: with `CLOT_DATA` naming a data root, every benchmark dataset found
/// there is reproduced (`clot reproduce --jobs`, every core) and each mean is held to the
/// paper's number within `PaperRegression`'s band. Without it, the test is skipped in one line.
/// The checker itself is tested on synthetic data against a made-up paper.
@Suite("paper regression (CLOT_DATA)", .serialized)
struct PaperRegressionTests {
    static let dataRoot = ProcessInfo.processInfo.environment["CLOT_DATA"]

    /// The executable to reproduce with: CLOT_EXECUTABLE, else the release build when there is
    /// one (the full benchmark takes hours in a debug build), else the one beside the tests.
    static var executable: String? {
        if let chosen = ProcessInfo.processInfo.environment["CLOT_EXECUTABLE"] { return chosen }
        let release = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/release/clot").path
        return FileManager.default.isExecutableFile(atPath: release) ? release : clotExecutable
    }

    @Test("every benchmark under CLOT_DATA reproduces the paper's Tables 1 and 2 within the stated band",
          .enabled(if: dataRoot != nil,
                   "paper regression skipped: CLOT_DATA is not set (set it to a data root holding Breakfast/, YTI/, FS/, desktop_assembly/)"),
          .timeLimit(.minutes(1000)))
    func paperRegression() throws {
        let root = try #require(Self.dataRoot)
        let executable = try #require(Self.executable, "no clot executable: build with swift build -c release")
        let output = ProcessInfo.processInfo.environment["CLOT_REGRESSION_OUTPUT"] ?? root + "/../clot-paper-regression"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["reproduce", "--data", root, "--output", output, "--jobs", String(WorkerPool.availableCores)]
        _ = FileManager.default.createFile(atPath: output + ".log", contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output + ".log"))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "clot reproduce failed; see \(output).log")
        let comparisons = try PaperRegression.comparisons(resultsJSON: Data(contentsOf: URL(fileURLWithPath: output + "/results.json")))
        let table = PaperRegression.markdown(comparisons)
        try FileSystem.writeAtomically("# Paper regression (\(root))\n\n" + table + "\n", to: output + "/paper-regression.txt")
        print(table)
        #expect(!comparisons.isEmpty, "no cell of the tables has a paper number")
        for c in comparisons where !c.passes {
            Issue.record("\(c.level) \(c.dataset) \(c.variant) \(c.metric): measured \(c.measured) vs paper \(c.paper), band ±\(c.band)")
        }
    }

    @Test("the checker accepts a paper table within the band and rejects one shifted past it (synthetic data, made-up paper)")
    func checkerLogic() throws {
        let root = try RunIdentityTests.data()
        let output = temporaryDirectory("clot-paper-check")
        defer { [root, output].forEach(removeDirectory) }
        var command = try ClotCommand.parseAsRoot(["reproduce", "--data", root, "--output", output, "--methods", "clot,asot",
                                                   "--seeds", "0,1,2", "--epochs", "1", "--jobs", "2",
                                                   "--activities", "coffee"])
        try command.run()
        struct Runs: Decodable { struct Run: Decodable { var folder: String }; var runs: [Run] }
        let runs = try JSONDecoder().decode(Runs.self, from: Data(contentsOf: URL(fileURLWithPath: output + "/results.json"))).runs
        let results = try runs.map { run in
            ReproductionTable.RunResult(report: try JSONDecoder().decode(TrainingRun.Report.self, from: Data(contentsOf:
                URL(fileURLWithPath: output + "/" + run.folder + "/metrics.json"))), benchmarkActivities: 1)
        }
        let measured = try ReproductionTable(results: results, paper: Self.madeUpPaper { _, _, _ in 0 })
        func comparisons(_ shift: (String, String, String) -> Double) throws -> [PaperRegression.Comparison] {
            // The made-up paper prints the measured means rounded to 0.1, plus `shift`; the
            // synthetic rows are a subset of Breakfast, so they are checked as if the made-up
            // paper were for this very subset.
            let paper = try Self.madeUpPaper { level, variant, metric in
                let cell = measured.levels[level]!.first { $0.variant == variant }!.cells[metric]!
                return (cell.mean * 10).rounded() / 10 + shift(level, variant, metric)
            }
            let table = try ReproductionTable(results: results, paper: paper)
            return try PaperRegression.comparisons(resultsJSON: JSONEncoder().encode(table)).map { var c = $0; c.subset = false; return c }
        }
        let exact = try comparisons { _, _, _ in 0 }
        #expect(exact.count == 2 * 2 * 3, "2 levels × clot, asot × 3 metrics")
        #expect(exact.allSatisfy { $0.passes }, "\(PaperRegression.markdown(exact))")
        #expect(exact.contains { $0.std > 0 }, "the seeds differ, so the band is more than the rounding")

        // One cell moved just past its band fails, and only that cell.
        let target = try #require(exact.first { $0.level == "activity" && $0.variant == "clot" && $0.metric == "mof" })
        let moved = try comparisons { level, variant, metric in
            level == "activity" && variant == "clot" && metric == "mof" ? target.band + 0.2 : 0
        }
        #expect(moved.filter { !$0.passes }.map { "\($0.level) \($0.variant) \($0.metric)" } == ["activity clot mof"])
        // A whole table shifted by more than every band: every cell fails.
        let widest = exact.map(\.band).max()!
        let shifted = try comparisons { _, _, _ in -(widest + 0.2) }
        #expect(shifted.allSatisfy { !$0.passes })
        #expect(PaperRegression.markdown(shifted).components(separatedBy: "OUTSIDE").count - 1 == shifted.count)
    }

    /// A paper of Tables 1 (activity) and 2 (video) for Breakfast, CLOT and ASOT rows, each value `value(level, variant, metric)`.
    static func madeUpPaper(_ value: (String, String, String) -> Double) throws -> PaperTables {
        let metrics = ["mof", "f1", "miou"]
        func table(_ id: String, _ level: String) -> [String: Any] {
            ["id": id, "title": "made up", "level": level,
             "columns": metrics.map { ["dataset": "Breakfast", "metric": $0] },
             "rows": [("CLOT", "clot"), ("ASOT", "asot")].map { method, variant in
                 ["method": method, "group": "ours", "values": metrics.map { value(level, variant, $0) }] as [String: Any]
             }]
        }
        let json: [String: Any] = ["source": "made up for a test", "datasets": ["Breakfast"], "metrics": metrics,
                                   "tables": [table("table1", "activity"), table("table2", "video")]]
        return try JSONDecoder().decode(PaperTables.self, from: JSONSerialization.data(withJSONObject: json))
    }
}
