import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// A training run killed with SIGKILL and continued with `--resume` ends with exactly the
/// metrics and predictions of an uninterrupted run with the same seed.
@Suite("resumable training", .serialized)
struct ResumeTests {
    static var executable: String? { clotExecutable }

    static let arguments = ["train", "--data", fixturesDirectory + "/sample", "--dataset", "Breakfast", "--activity", "coffee",
                            "--method", "asot", "--epochs", "20", "--seed", "5"]

    @Test("SIGKILL mid-run, then --resume: identical metrics and predictions",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"))
    func killAndResume() throws {
        let reference = temporaryDirectory(), resumed = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: reference); try? FileManager.default.removeItem(atPath: resumed) }
        let full = try (ClotCommand.parseAsRoot(Self.arguments + ["--output", reference]) as! Train).train()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable!)
        process.arguments = Self.arguments + ["--output", resumed]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = resumed + "/checkpoint.plist"
        let deadline = Date().addingTimeInterval(60)
        while !FileSystem.isFile(checkpoint) && process.isRunning && Date() < deadline { usleep(20_000) }
        usleep(300_000)   // let it get a few epochs further
        let killedMidRun = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedMidRun, "the run finished before it could be killed; the test proves less")
        #expect(!FileSystem.isFile(resumed + "/metrics.json"), "a killed run leaves no metrics")

        let continued = try (ClotCommand.parseAsRoot(Self.arguments + ["--output", resumed, "--resume"]) as! Train).train()
        #expect(continued.activity == full.activity)
        #expect(continued.video == full.video)
        #expect(continued.perEpoch.map(\.loss) == full.perEpoch.map(\.loss))
        for name in try FileSystem.contents(of: reference + "/predictions") {
            #expect(try FileSystem.readText(reference + "/predictions/" + name) == FileSystem.readText(resumed + "/predictions/" + name))
        }
    }

    @Test("a checkpoint from another run is refused")
    func foreignCheckpoint() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let short = ["train", "--data", fixturesDirectory + "/sample", "--dataset", "Breakfast", "--activity", "coffee",
                     "--method", "asot", "--epochs", "1", "--output", folder]
        _ = try (ClotCommand.parseAsRoot(short) as! Train).train()
        let other = try ClotCommand.parseAsRoot(short + ["--seed", "9", "--resume"]) as! Train
        #expect(throws: InputError.self) { _ = try other.train() }
    }
}
