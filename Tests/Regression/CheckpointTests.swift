import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// Checkpoints: a damaged one or one of other data is refused, a run continued from one
/// (longer or shorter than first asked) equals a fresh run of that length, it stays one size
/// however long the run, and a new run never leaves an older run's files beside its own.
@Suite("checkpoints and run folders", .serialized)
struct CheckpointTests {
    static func train(_ root: String, _ output: String, _ extra: [String]) throws -> TrainingRun.Report {
        try (ClotCommand.parseAsRoot(["train", "--data", root, "--dataset", "Breakfast", "--activity", "coffee",
                                      "--method", "asot", "--output", output] + extra) as! Train).train()
    }

    static func predictions(_ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try FileSystem.contents(of: folder + "/predictions") { out[name] = try FileSystem.readText(folder + "/predictions/" + name) }
        return out
    }

    @Test("a checkpoint with any byte changed is refused, never resumed from")
    func damagedCheckpoint() throws {
        let root = try RunIdentityTests.data()
        let output = temporaryDirectory("clot-damaged")
        defer { removeDirectory(root); removeDirectory(output) }
        _ = try Self.train(root, output, ["--epochs", "1"])
        let path = output + "/checkpoint.plist"
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // 3 bytes at a time, as the trials did, at 24 places spread over the file
        // (header, property list structure, model numbers).
        for trial in 0..<24 {
            var damaged = original
            for offset in 0..<3 { damaged[(trial * original.count / 24 + offset * 7) % original.count] ^= 0x5A }
            try writeBytes(damaged, to: path)
            expectInputError(mentioning: [path]) { try Self.train(root, output, ["--epochs", "1", "--resume"]) }
        }
        try writeBytes(original, to: path)
        #expect(try Self.train(root, output, ["--epochs", "1", "--resume"]).resumed?.afterEpoch == 1)
        // The epoch log the checkpoint vouches for is checked too.
        let log = output + "/epochs.tsv"
        try writeText(try FileSystem.readText(log).replacingOccurrences(of: "1\t", with: "2\t"), to: log)
        expectInputError(mentioning: [log, "does not match the checkpoint"]) { try Self.train(root, output, ["--epochs", "1", "--resume"]) }
    }

    @Test("--resume after the data changed is refused, naming the file")
    func changedData() throws {
        let root = try RunIdentityTests.data()
        let output = temporaryDirectory("clot-changed")
        defer { removeDirectory(root); removeDirectory(output) }
        _ = try Self.train(root, output, ["--epochs", "1"])
        let features = root + "/Breakfast/features/coffee/P01_cam01_P01_coffee.txt"
        try writeText(try FileSystem.readText(features).replacingOccurrences(of: "1", with: "2"), to: features)
        expectInputError(mentioning: ["checkpoint.plist", "belongs to a different run", "Breakfast/features/coffee/P01_cam01_P01_coffee.txt"]) {
            try Self.train(root, output, ["--epochs", "1", "--resume"])
        }
    }

    @Test("continued to more epochs, or scored at the checkpoint's epoch, a run equals a fresh run of that length")
    func stopEarlyAndExtend() throws {
        let root = try RunIdentityTests.data()
        let (a, b) = (temporaryDirectory("clot-a"), temporaryDirectory("clot-b"))
        defer { [root, a, b].forEach(removeDirectory) }
        _ = try Self.train(root, a, ["--epochs", "1"])
        let extended = try Self.train(root, a, ["--epochs", "2", "--resume"])
        let fresh = try Self.train(root, b, ["--epochs", "2"])
        #expect(extended.resumed?.afterEpoch == 1)
        #expect(extended.activity == fresh.activity && extended.video == fresh.video)
        #expect(extended.perEpoch.map(\.loss) == fresh.perEpoch.map(\.loss))
        #expect(try Self.predictions(a) == Self.predictions(b))
        #expect(extended.fingerprint == fresh.fingerprint)

        // A checkpoint cannot go back to an earlier epoch; at its own epoch it is scored as it stands.
        expectInputError(mentioning: ["checkpoint.plist", "epoch 2", "cannot go back"]) { try Self.train(root, b, ["--epochs", "1", "--resume"]) }
        let scored = try Self.train(root, b, ["--epochs", "2", "--resume"])
        #expect(scored.resumed?.afterEpoch == 2)
        #expect(scored.activity == fresh.activity && scored.perEpoch.map(\.loss) == fresh.perEpoch.map(\.loss))
    }

    @Test("the checkpoint holds no history (one size at epoch 1 and epoch 3); the epoch log grows by a line an epoch")
    func checkpointStaysSmall() throws {
        let root = try RunIdentityTests.data()
        let (a, b) = (temporaryDirectory("clot-small"), temporaryDirectory("clot-long"))
        defer { [root, a, b].forEach(removeDirectory) }
        _ = try Self.train(root, a, ["--epochs", "1"])
        let long = try Self.train(root, b, ["--epochs", "3"])
        // With the scalars that legitimately differ set alike (the generator's state, whose 624
        // words a property list stores in 1 to 5 bytes by value, and the epoch numbers, which it
        // may share with equal integers elsewhere), the two checkpoints encode to the same
        // size: nothing in them grows with the number of epochs run.
        let first = try #require(try Checkpoint.read(a + "/checkpoint.plist"))
        var third = try #require(try Checkpoint.read(b + "/checkpoint.plist"))
        #expect(third.epoch == 3 && first.epoch == 1)
        third.generator = first.generator
        third.epoch = first.epoch
        third.epochChain = first.epochChain
        third.fingerprint = first.fingerprint
        #expect(try third.encoded().count == first.encoded().count)
        let log = try FileSystem.readText(b + "/epochs.tsv").split(separator: "\n")
        #expect(log.count == 3)
        #expect(log.map { Double($0.split(separator: "\t")[1])! } == long.perEpoch.map(\.loss))
    }

    @Test("a new run retires the previous run's files (a stale prediction included) and removes leftover temporary files")
    func noStaleFiles() throws {
        let root = try RunIdentityTests.data()
        let output = temporaryDirectory("clot-stale")
        defer { removeDirectory(root); removeDirectory(output) }
        _ = try Self.train(root, output, ["--epochs", "1"])
        try writeText("3\n", to: output + "/predictions/P99_cam01_P99_coffee.txt")
        try writeText("half", to: output + "/checkpoint.plist.partial-999999")
        try writeText("half", to: output + "/.dat.nosync1a2b.XyZ")
        try FileSystem.makeDirectories(output + "/predictions.partial-999998")
        try writeText("mine\n", to: output + "/notes.txt")
        _ = try Self.train(root, output, ["--epochs", "0"])
        #expect(try FileSystem.contents(of: output + "/predictions") == ["P01_cam01_P01_coffee.txt", "P02_webcam01_P02_coffee.txt"])
        let entries = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
        #expect(entries == [".clot.lock", "metrics.json", "notes.txt", "predictions", "report.html"],
                "an untrained run has no checkpoint; the 1-epoch run's checkpoint and epoch log are gone")
    }
}
