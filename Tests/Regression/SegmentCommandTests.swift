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
}
