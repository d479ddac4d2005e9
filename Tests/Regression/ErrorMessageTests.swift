import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// Every hostile-input case of the robustness issue, at the command line, asserted by message:
/// each ends in an `InputError` naming the file or flag (exit status 1), never a trap.
@Suite("error messages", .serialized)
struct ErrorMessageTests {
    static let sample = fixturesDirectory + "/sample"

    /// Runs a command and returns the InputError it throws (recording an issue if none).
    static func failure(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
        do {
            var command = try ClotCommand.parseAsRoot(arguments)
            try command.run()
            Issue.record("expected an error from \(arguments)", sourceLocation: sourceLocation)
        } catch let error as InputError {
            return error
        } catch {
            Issue.record("expected an InputError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static func expectFailure(_ arguments: [String], mentions parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = failure(arguments, sourceLocation: sourceLocation) else { return }
        for part in parts {
            #expect(error.description.contains(part), "'\(error)' should mention '\(part)'", sourceLocation: sourceLocation)
        }
    }

    static func trainArguments(_ data: String, _ output: String, _ extra: [String] = []) -> [String] {
        ["train", "--data", data, "--dataset", "Breakfast", "--activity", "coffee", "--epochs", "0", "--output", output] + extra
    }

    @Test("clot train: missing and malformed data, names, counts and outputs")
    func train() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Self.expectFailure(Self.trainArguments(dir + "/nowhere", dir + "/out"), mentions: ["nowhere", "does not exist"])
        Self.expectFailure(["train", "--data", Self.sample, "--dataset", "Brekfast", "--activity", "coffee", "--output", dir + "/o"],
                           mentions: ["--dataset", "Brekfast"])
        Self.expectFailure(["train", "--data", Self.sample, "--dataset", "Breakfast", "--activity", "cofee", "--output", dir + "/o"],
                           mentions: ["cofee", "coffee"])
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/o", ["--clusters", "1"]), mentions: ["--clusters"])
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/o", ["--epochs", "-2"]), mentions: ["--epochs"])
        try "x".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/file"), mentions: ["file", "output folder is a file"])
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/file/sub"), mentions: ["file/sub"])

        // A copy of the sample with one broken file at a time.
        func brokenCopy(_ name: String, _ damage: (String) throws -> Void) throws -> String {
            let root = dir + "/" + name
            try FileManager.default.copyItem(atPath: Self.sample, toPath: root)
            try damage(root + "/Breakfast")
            return root
        }
        let shortFeatures = try brokenCopy("short") { b in
            let f = b + "/features/coffee/P08_webcam01_P08_coffee.npy"
            let m = try NPY.read(f).matrix()
            try NPY.write(NPYArray(Matrix(rows: 10, columns: m.columns, elements: Array(m.elements.prefix(10 * m.columns))).float32), to: f)
        }
        Self.expectFailure(Self.trainArguments(shortFeatures, dir + "/o1"), mentions: ["P08_webcam01_P08_coffee.npy", "10 frames", "271 labels"])
        let unknownLabel = try brokenCopy("label") { b in
            let f = b + "/groundTruth/P06_cam01_P06_coffee"
            try (try FileSystem.readText(f)).replacingOccurrences(of: "pour_milk", with: "pour_mlik").write(toFile: f, atomically: true, encoding: .utf8)
        }
        Self.expectFailure(Self.trainArguments(unknownLabel, dir + "/o2"), mentions: ["P06_cam01_P06_coffee", "pour_mlik", "not in the mapping"])
        let duplicateMapping = try brokenCopy("mapping") { b in
            let f = b + "/mapping/mapping.txt"
            try (try FileSystem.readText(f) + "7 SIL\n").write(toFile: f, atomically: true, encoding: .utf8)
        }
        Self.expectFailure(Self.trainArguments(duplicateMapping, dir + "/o3"), mentions: ["mapping.txt", "duplicate"])
        let emptyVideo = try brokenCopy("empty") { b in
            try "".write(toFile: b + "/groundTruth/P03_cam01_P03_coffee", atomically: true, encoding: .utf8)
        }
        Self.expectFailure(Self.trainArguments(emptyVideo, dir + "/o4"), mentions: ["P03_cam01_P03_coffee", "empty"])
        let missingFeatures = try brokenCopy("missing") { b in
            try FileManager.default.removeItem(atPath: b + "/features/coffee/P05_cam01_P05_coffee.npy")
        }
        Self.expectFailure(Self.trainArguments(missingFeatures, dir + "/o5"), mentions: ["P05_cam01_P05_coffee", "missing"])
        let fortran = try brokenCopy("fortran") { b in
            let f = b + "/features/coffee/P09_cam01_P09_coffee.npy"
            var bytes = [UInt8](FileManager.default.contents(atPath: f)!)
            let header = String(decoding: bytes[10..<128], as: UTF8.self).replacingOccurrences(of: "False", with: "True ")
            bytes.replaceSubrange(10..<128, with: Array(header.utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: f))
        }
        Self.expectFailure(Self.trainArguments(fortran, dir + "/o6"), mentions: ["P09_cam01_P09_coffee.npy", "Fortran"])
    }

    @Test("every precondition user input can reach is an input error naming the file or flag")
    func reachablePreconditions() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        // A features file narrower than the dataset's 64 (one .npy video), and all-text features of width 32.
        let narrow = dir + "/narrow"
        try FileManager.default.copyItem(atPath: Self.sample, toPath: narrow)
        let file = narrow + "/Breakfast/features/coffee/P03_cam01_P03_coffee.npy"
        let m = try NPY.read(file).matrix()
        try NPY.write(NPYArray(Matrix(rows: m.rows, columns: 63, elements: (0..<m.rows).flatMap { Array(m.row($0).prefix(63)) }).float32), to: file)
        Self.expectFailure(Self.trainArguments(narrow, dir + "/o1", ["--method", "asot"]),
                           mentions: ["P03_cam01_P03_coffee.npy", "63 features per frame", "take 64"])
        let text = dir + "/text"
        try SyntheticDatasets.write(.breakfast, root: text)
        for video in ["P01_cam01_P01_coffee", "P02_webcam01_P02_coffee"] {
            let path = text + "/Breakfast/features/coffee/\(video).txt"
            let rows = try FileSystem.readText(path).split(separator: "\n").map { $0.split(separator: " ").prefix(32).joined(separator: " ") }
            try writeText(rows.joined(separator: "\n") + "\n", to: path)
        }
        Self.expectFailure(Self.trainArguments(text, dir + "/o2", ["--method", "clot"]), mentions: ["P01_cam01_P01_coffee.txt", "32 features"])
        // K beyond the sampled frames k-means starts from (5 videos × 256).
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/o3", ["--clusters", "5000"]), mentions: ["--clusters", "5000", "1280"])
        Self.expectFailure(Self.trainArguments(Self.sample, dir + "/o4", ["--epochs", "10000001"]), mentions: ["--epochs", "10000000"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--epochs", "-1", "--output", dir + "/o5"], mentions: ["--epochs", "-1"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--seeds", "0,-1", "--output", dir + "/o5"], mentions: ["--seeds", "-1", "4294967295"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--seeds", "1,1", "--output", dir + "/o5"], mentions: ["--seeds", "twice"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--activities", "cofee", "--output", dir + "/o5"], mentions: ["--activities", "cofee"])
        Self.expectFailure(["demo", "--data", Self.sample, "--epochs", "-3", "--output", dir + "/o6"], mentions: ["--epochs", "-3"])
        let affinity = dir + "/a.npy"
        try NPY.write(NPYArray(Matrix<Double>.zeros(20, 3)), to: affinity)
        Self.expectFailure(["segment", "--affinity", affinity, "--iterations", "0", "--labels", dir + "/l.txt"], mentions: ["--iterations", "0"])
        #expect(!FileSystem.isFile(dir + "/l.txt"))
        expectInputError(mentioning: ["CLOT_SOLVER_THREADS", "'abc'"]) { try ToolEnvironment.validate(["CLOT_SOLVER_THREADS": "abc"]) }
        try ToolEnvironment.validate(["CLOT_SOLVER_THREADS": "1"])
        // A negative seed is a usage error whose message gives the range.
        for arguments in [Self.trainArguments(Self.sample, dir + "/o7", ["--seed", "-1"]),
                          ["evaluate", "--pred", affinity, "--gt", affinity, "--seed", "-1"], ["demo", "--seed", "4294967296"]] {
            do {
                _ = try ClotCommand.parseAsRoot(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(ClotCommand.exitCode(for: error) == .validationFailure)
                #expect(ClotCommand.message(for: error).contains("0 to 4294967295"), "\(ClotCommand.message(for: error))")
            }
        }
    }

    @Test("every document a help text cites is in the repository")
    func helpTexts() {
        let root = URL(fileURLWithPath: fixturesDirectory).deletingLastPathComponent().path
        var cited = 0
        for command in ClotCommand.configuration.subcommands {
            for document in Self.citedDocuments(command.helpMessage(columns: 200)) {
                cited += 1
                let found = FileSystem.isFile(root + "/" + document) || FileSystem.isFile(root + "/Documentation/" + document)
                #expect(found, "`clot \(command._commandName) --help` cites \(document), which is not in the repository")
            }
        }
        #expect(cited > 0, "no help text cites a document: the scan found nothing to check")
    }

    /// The `.md` names a text cites, without the files a command writes: a path under a
    /// capitalised placeholder folder (`OUTPUT/results.md`) names an output, not a document.
    static func citedDocuments(_ text: String) -> [String] {
        let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "(),;:`\"'"))
        return text.components(separatedBy: separators)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) }
            .filter { $0.hasSuffix(".md") }
            .filter { token in
                guard let folder = token.split(separator: "/").first, token.contains("/") else { return true }
                return folder != folder.uppercased()
            }
    }

    @Test("clot demo finds the bundled sample from any working folder")
    func demoSample() throws {
        let elsewhere = temporaryDirectory()
        defer { removeDirectory(elsewhere) }
        let expected = URL(fileURLWithPath: fixturesDirectory + "/sample").standardizedFileURL.resolvingSymlinksInPath().path
        let found = { (executable: String) in
            URL(fileURLWithPath: try BundledFiles.sampleRoot(workingFolder: elsewhere, executable: executable)).standardizedFileURL.resolvingSymlinksInPath().path
        }
        if let executable = clotExecutable { #expect(try found(executable) == expected, "found above the executable") }
        #expect(try found("/nonexistent/bin/clot") == expected, "found in the checkout the sources were compiled from")
    }

    @Test("clot segment: shapes, values and settings")
    func segment() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let wide = dir + "/wide.npy"
        try NPY.write(NPYArray(Matrix<Double>.zeros(3, 8)), to: wide)
        Self.expectFailure(["segment", "--affinity", wide, "--labels", dir + "/l.txt"], mentions: ["wide.npy", "K = 8", "transposed"])
        let good = dir + "/good.npy"
        try NPY.write(NPYArray(Matrix<Double>.zeros(20, 3)), to: good)
        Self.expectFailure(["segment", "--affinity", good, "--eps", "0", "--labels", dir + "/l.txt"], mentions: ["--eps", "positive"])
        Self.expectFailure(["segment", "--affinity", good, "--radius", "-0.1", "--labels", dir + "/l.txt"], mentions: ["--radius"])
        Self.expectFailure(["segment", "--affinity", good, "--alpha", "1.5", "--labels", dir + "/l.txt"], mentions: ["--alpha"])
        Self.expectFailure(["segment", "--affinity", good, "--labels", dir + "/no/such/folder/l.txt"], mentions: ["l.txt", "cannot write"])
        let int64 = dir + "/int.npy"
        try NPY.write(NPYArray(shape: [4, 2], values: .int64(Array(repeating: 1, count: 8))), to: int64)
        var integerCost = try ClotCommand.parseAsRoot(["segment", "--cost", int64, "--labels", dir + "/l.txt"])
        try integerCost.run()   // integer matrices are valid costs
    }

    @Test("clot reproduce: a root without any dataset")
    func reproduce() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Self.expectFailure(["reproduce", "--data", dir, "--output", dir + "/out"], mentions: [dir, "no dataset"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--seeds", "0,x", "--output", dir + "/out"], mentions: ["--seeds", "x"])
        Self.expectFailure(["reproduce", "--data", Self.sample, "--methods", "clot,hvq", "--output", dir + "/out"], mentions: ["--methods", "hvq"])
    }
}
