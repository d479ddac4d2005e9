import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// `clot segment` end to end, in-process.
@Suite("clot segment")
struct SegmentCommandTests {
    private func run(_ arguments: [String]) throws {
        var command = try ClotCommand.parseAsRoot(["segment"] + arguments)
        try command.run()
    }

    private func write(_ matrix: Matrix<Double>, _ directory: String, _ name: String) throws -> String {
        let path = directory + "/" + name
        try NPY.write(NPYArray(matrix.float32), to: path)
        return path
    }

    /// A clean block-diagonal affinity: ASOT must recover the blocks exactly.
    @Test("recovers the segments of a clean affinity", arguments: ["optimized", "reference"])
    func recoversBlocks(backend: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let n = 120, k = 4
        var affinity = Matrix<Double>.zeros(n, k)
        for t in 0..<n { affinity[t, t * k / n] = 1 }
        let input = try write(affinity, dir, "affinity.npy")
        try run(["--affinity", input, "--labels", dir + "/labels.txt", "--plan", dir + "/plan.npy", "--backend", backend])
        let labels = try TextFiles.parseIntegerLabels(FileSystem.readText(dir + "/labels.txt"), source: "labels")
        #expect(labels == (0..<n).map { $0 * k / n })
        let plan = try NPY.read(dir + "/plan.npy")
        #expect(plan.shape == [n, k])
    }

    @Test("noisy structured cost: decoded labels beat the per-frame argmax")
    func beatsArgmax() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let problem = StructuredProblem(frames: 200, clusters: 5, seed: 3, noise: 1.2, rho: 0)
        let input = try write(problem.cost, dir, "cost.npy")
        try run(["--cost", input, "--labels", dir + "/labels.txt", "--rho", "0.2"])
        let labels = try TextFiles.parseIntegerLabels(FileSystem.readText(dir + "/labels.txt"), source: "labels")
        let argmin = (0..<200).map { t in (0..<5).min { problem.cost[t, $0] < problem.cost[t, $1] }! }
        let accuracy = { (l: [Int]) in Double(zip(l, problem.labels).filter { $0 == $1 }.count) / 200 }
        #expect(accuracy(labels) > accuracy(argmin))
    }

    @Test("bad input is rejected with a message naming the problem")
    func badInput() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try write(Matrix<Double>.zeros(10, 3), dir, "good.npy")
        let oneCluster = try write(Matrix<Double>.zeros(10, 1), dir, "one.npy")
        var nan = Matrix<Double>.zeros(10, 3)
        nan[4, 1] = .nan
        try NPY.write(NPYArray(nan), to: dir + "/nan.npy")
        try NPY.write(NPYArray(shape: [2, 2, 2], values: .float32(Array(repeating: 0, count: 8))), to: dir + "/cube.npy")
        let out = ["--labels", dir + "/labels.txt"]
        #expect(throws: InputError.self) { try run(["--affinity", oneCluster] + out) }
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/nan.npy"] + out) }
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/cube.npy"] + out) }
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/missing.npy"] + out) }
        #expect(throws: InputError.self) { try run(["--affinity", good, "--eps", "-1"] + out) }
        #expect(throws: InputError.self) { try run(["--affinity", good, "--radius", "0"] + out) }
        #expect(throws: (any Error).self) { try run(["--affinity", good, "--cost", good] + out) }
        #expect(throws: (any Error).self) { try run(out) }
        do {
            try run(["--affinity", dir + "/nan.npy"] + out)
        } catch let error as InputError {
            #expect(error.description.contains("nan.npy") && error.description.contains("finite"))
        }
        #expect(!FileSystem.isFile(dir + "/labels.txt"), "nothing is written on bad input")
    }

    /// Affinities far outside [0, 1] (30 on the diagonal blocks) overflow exp(−C/ε) in the
    /// Float32 balanced solve, whose objective becomes NaN: the command
    /// must say so, naming the file, instead of writing meaningless labels.
    @Test("a solve whose objective is not finite is an error naming the file; nothing is written")
    func nonFiniteObjective() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var affinity = Matrix<Double>.zeros(200, 8)
        for t in 0..<200 { affinity[t, t * 8 / 200] = 30 }
        let input = try write(affinity, dir, "overflow.npy")
        do {
            try run(["--affinity", input, "--balanced-actions", "--labels", dir + "/labels.txt", "--json"])
            Issue.record("a non-finite objective was accepted")
        } catch let error as InputError {
            #expect(error.description.contains("overflow.npy") && error.description.contains("objective"), "\(error)")
        }
        #expect(!FileSystem.isFile(dir + "/labels.txt"), "nothing is written for an input whose solve is not finite")
    }

    // MARK: Folder mode

    /// A folder of affinities of different sizes (K = 3, 8, 12, 19), with an unrelated file and
    /// a subfolder that must be left alone.
    private func affinityFolder(_ dir: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var names: [String] = []
        for (i, shape) in [(60, 3), (150, 8), (97, 12), (210, 19)].enumerated() {
            let problem = StructuredProblem(frames: shape.0, clusters: shape.1, seed: UInt32(10 + i), noise: 0.8, rho: 0)
            let affinity = Matrix(rows: shape.0, columns: shape.1, elements: problem.cost.elements.map { 1 - $0 })
            names.append(try URL(fileURLWithPath: write(affinity, dir, "video\(i).npy")).lastPathComponent)
        }
        try writeText("not an array", to: dir + "/notes.txt")
        try FileManager.default.createDirectory(atPath: dir + "/nested.npy", withIntermediateDirectories: true)
        return names
    }

    @Test("a folder: one labels file and one plan per .npy, named after it, identical to one-file runs")
    func folderMatchesSingleFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = try affinityFolder(dir + "/in")
        let settings = ["--eps", "0.02", "--alpha", "0.6"]
        try run(["--affinity", dir + "/in", "--labels", dir + "/labels", "--plan", dir + "/plans"] + settings)
        #expect(try FileSystem.contents(of: dir + "/labels") == names.map { $0.replacingOccurrences(of: ".npy", with: ".txt") })
        #expect(try FileSystem.contents(of: dir + "/plans") == names)
        for name in names {
            let stem = String(name.dropLast(4))
            try run(["--affinity", dir + "/in/" + name, "--labels", dir + "/one.txt", "--plan", dir + "/one.npy"] + settings)
            #expect(try FileSystem.readText(dir + "/labels/" + stem + ".txt") == FileSystem.readText(dir + "/one.txt"), "\(name)")
            #expect(try NPY.read(dir + "/plans/" + name) == NPY.read(dir + "/one.npy"), "\(name)")
        }
    }

    @Test("a folder with bad files: the others are still written, and the error names every bad one")
    func folderWithBadFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try affinityFolder(dir + "/in")
        var nan = Matrix<Double>.zeros(40, 3)
        nan[7, 2] = .nan
        _ = try write(nan, dir + "/in", "broken-nan.npy")
        try writeText("garbage", to: dir + "/in/broken-text.npy")
        do {
            try run(["--cost", dir + "/in", "--labels", dir + "/labels"])
            Issue.record("a folder with bad files should end in an error")
        } catch let error as InputError {
            for part in ["2 of 6", "broken-nan.npy", "broken-text.npy"] {
                #expect(error.description.contains(part), "'\(error)' should mention '\(part)'")
            }
            #expect(!error.description.contains("video"), "'\(error)' names a file that decoded")
        }
        #expect(try FileSystem.contents(of: dir + "/labels") == good.map { $0.replacingOccurrences(of: ".npy", with: ".txt") })
    }

    @Test("a folder: no .npy files, an output that is a file, or plans over the inputs are refused")
    func folderRefusals() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/empty", "--labels", dir + "/labels"]) }
        _ = try affinityFolder(dir + "/in")
        try writeText("x", to: dir + "/file")
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/in", "--labels", dir + "/file"]) }
        #expect(throws: InputError.self) { try run(["--affinity", dir + "/in", "--labels", dir + "/l", "--plan", dir + "/in/"]) }
        #expect(try FileSystem.contents(of: dir + "/in").count == 6, "the inputs are untouched")
    }

    // MARK: The plain reader of the command line

    /// The job ArgumentParser makes of `arguments`.
    private func parsedJob(_ arguments: [String]) throws -> SegmentJob {
        let command = try ClotCommand.parseAsRoot(["segment"] + arguments)
        return try #require(command as? Segment).job
    }

    @Test("plain arguments read directly make the job ArgumentParser makes, every option and flag")
    func plainReaderAgrees() throws {
        let everything = ["--cost", "c.npy", "--eps", "0.02", "--alpha", "0.6", "--radius", "0.05", "--lambda-actions", "0.09",
                          "--lambda-frames", "0.2", "--unbalanced-frames", "--balanced-actions", "--iterations", "7",
                          "--sinkhorn-iterations", "3", "--step-size", "2.5", "--rho", "0.15", "--backend", "reference",
                          "--labels", "l.txt", "--plan", "p.npy", "--svg", "s.svg", "--json"]
        let cases = [
            ["--affinity", "a.npy", "--labels", "l.txt"],
            ["--labels", "out/", "--affinity", "in/", "--eps", "1e-2", "--alpha", "0.6"],
            ["--affinity", "a.npy", "--labels", "l.txt", "--eps", "-1", "--iterations", "-2"],   // refused later, by run()
            everything,
        ]
        for arguments in cases {
            let plain = try #require(SegmentJob(plainArguments: ArraySlice(arguments)), "\(arguments)")
            #expect(plain == (try parsedJob(arguments)), "\(arguments)")
        }
        #expect(SegmentJob(plainArguments: ArraySlice(everything)) != SegmentJob(plainArguments: ["--cost", "c.npy", "--labels", "l.txt"]))
    }

    @Test("the plain reader knows every option and flag of clot segment's help, and no other")
    func plainReaderNames() throws {
        let help = Segment.helpMessage(columns: 1000)
        let regex = try Regex("--[a-z][a-z-]*")
        let named = Set(help.matches(of: regex).map { String(help[$0.range]) }).subtracting(["--help"])
        let plain = Set(SegmentJob.plainOptions.keys).union(SegmentJob.plainFlags.keys)
        #expect(named == plain)
    }

    @Test("anything but plain arguments is left to ArgumentParser")
    func plainReaderDeclines() {
        let base = ["--affinity", "a.npy", "--labels", "l.txt"]
        let declined = [
            ["--help"], base + ["-h"], base + ["--eps=0.1"], base + ["--eps"], base + ["--eps", "x"], base + ["--unknown", "1"],
            base + ["--eps", "0.1", "--eps", "0.2"], base + ["--backend", "fast"], base + ["--iterations", "2.5"],
            base + ["--plan", "--json"], ["--affinity", "a.npy"], base + ["--cost", "c.npy"], base + ["--rho", "-1"],
            base + ["extra"],
        ]
        for arguments in declined {
            #expect(SegmentJob(plainArguments: ArraySlice(arguments)) == nil, "\(arguments)")
        }
        #expect(!ClotCommand.runPlainSegment(["evaluate"] + base))
    }
}
