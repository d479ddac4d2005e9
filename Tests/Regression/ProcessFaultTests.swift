import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// Faults of a process, tried against the real `clot` executable: SIGINT and SIGTERM, a second
/// writer, kill -9 and its leftovers, a full disk (a small tmpfs in a private mount namespace),
/// and the exit status and one-line message of every refusal.
@Suite("process faults: signals, two writers, kill -9, full disk, exit codes", .serialized)
struct ProcessFaultTests {
    static let executable = clotExecutable

    static func trainArguments(_ root: String, _ output: String, method: String = "asot", _ extra: [String]) -> [String] {
        ["train", "--data", root, "--dataset", "Breakfast", "--activity", "coffee", "--method", method, "--output", output] + extra
    }

    static func errorLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("Error: ") }
    }

    @Test("SIGINT and SIGTERM stop at the next step: exit 1, one line, the checkpoint scores to a fresh run's result",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"), arguments: [SIGINT, SIGTERM])
    func signals(_ signal: Int32) throws {
        let root = try RunIdentityTests.data()
        let (output, fresh) = (temporaryDirectory("clot-signal"), temporaryDirectory("clot-signal-fresh"))
        defer { [root, output, fresh, output + ".stderr"].forEach(removeDirectory) }
        let process = try launchClot(Self.trainArguments(root, output, ["--epochs", "1000"]), standardError: output + ".stderr")
        let started = waitUntil { FileSystem.isFile(output + "/checkpoint.plist") || !process.isRunning }
        kill(process.processIdentifier, signal)
        if !waitUntil(seconds: 120, { !process.isRunning }) {
            Issue.record("clot did not stop within 120 s of the signal")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        #expect(started, "no checkpoint appeared")
        #expect(process.terminationReason == .exit, "the signal ended the process instead of clot stopping")
        #expect(process.terminationStatus == 1)
        let errors = Self.errorLines(try FileSystem.readText(output + ".stderr"))
        #expect(errors.count == 1)
        let message = try #require(errors.first)
        #expect(message.contains((signal == SIGINT ? "SIGINT" : "SIGTERM") + " received: stopped after epoch "))
        #expect(!FileSystem.isFile(output + "/metrics.json"), "an interrupted run reports nothing")
        let epochs = try #require(message.split(separator: " ").drop(while: { $0 != "epoch" }).dropFirst().first.flatMap { Int($0) })
        #expect(message.contains("--resume --epochs \(epochs)"))

        // Scored as it stands, the checkpoint gives exactly a fresh run of that many epochs.
        let resumed = try CheckpointTests.train(root, output, ["--epochs", "\(epochs)", "--resume"])
        let reference = try CheckpointTests.train(root, fresh, ["--epochs", "\(epochs)"])
        #expect(resumed.resumed?.afterEpoch == epochs)
        #expect(resumed.activity == reference.activity && resumed.video == reference.video)
        #expect(resumed.perEpoch.map(\.loss) == reference.perEpoch.map(\.loss))
        #expect(try CheckpointTests.predictions(output) == CheckpointTests.predictions(fresh))
    }

    @Test("a second writer into a live run's folder is refused naming the holder; after kill -9 the folder is reused and cleaned",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"))
    func twoWritersAndKill() throws {
        let root = try RunIdentityTests.data()
        let output = temporaryDirectory("clot-writers")
        defer { [root, output, output + ".stderr"].forEach(removeDirectory) }
        let first = try launchClot(Self.trainArguments(root, output, ["--epochs", "1000"]), standardError: output + ".stderr")
        #expect(waitUntil { FileSystem.isFile(output + "/checkpoint.plist") || !first.isRunning })
        let second = try runClot(Self.trainArguments(root, output, method: "clot", ["--epochs", "0"]))
        #expect(second.status == 1)
        #expect(second.standardError.split(separator: "\n").count == 1, "one line: \(second.standardError)")
        #expect(second.standardError.contains("is in use by another clot run (pid \(first.processIdentifier) "))
        #expect(first.isRunning, "the holder runs on")

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        // What a kill can leave: a temporary file, a half-written predictions folder; and a
        // prediction of a video the data no longer has.
        try writeText("half", to: output + "/checkpoint.plist.partial-\(first.processIdentifier)")
        try writeText("0\n", to: output + "/predictions.partial-\(first.processIdentifier)/P01_cam01_P01_coffee.txt")
        try writeText("0\n", to: output + "/predictions/P99_cam01_P99_coffee.txt")
        let third = try runClot(Self.trainArguments(root, output, ["--epochs", "0"]))
        #expect(third.status == 0, "\(third.standardError)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
        #expect(entries == [".clot.lock", "metrics.json", "predictions", "report.html"])
        #expect(try FileSystem.contents(of: output + "/predictions") == ["P01_cam01_P01_coffee.txt", "P02_webcam01_P02_coffee.txt"])

        // `clot evaluate` on the folder agrees with its metrics.json.
        let groundTruth = output + ".gt"
        defer { removeDirectory(groundTruth) }
        for video in ["P01_cam01_P01_coffee", "P02_webcam01_P02_coffee"] {
            try writeText(try FileSystem.readText(root + "/Breakfast/groundTruth/" + video), to: groundTruth + "/" + video)
        }
        let evaluate = try ClotCommand.parseAsRoot(["evaluate", "--pred", output + "/predictions", "--gt", groundTruth,
                                                    "--mapping", root + "/Breakfast/mapping/mapping.txt"]) as! Evaluate
        let metrics = try JSONDecoder().decode(TrainingRun.Report.self, from: Data(contentsOf: URL(fileURLWithPath: output + "/metrics.json")))
        #expect(try evaluate.evaluate().report.scores == metrics.activity)
    }

    /// Whether this machine lets an unprivileged test mount a tmpfs in its own namespaces.
    static let canMountTmpfs: Bool = {
        let point = temporaryDirectory("clot-probe")
        defer { removeDirectory(point) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "sh", "-c", "mount -t tmpfs -o size=8k tmpfs '\(point)'"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs each command with its output on a fresh tmpfs of the given size (mounted at
    /// `mount`, in a private mount namespace); returns per case the exit status, the standard
    /// error and the files left on the tmpfs (paths relative to it).
    static func onSmallDisk(_ cases: [(size: String, arguments: [String])], mount: String, scratch: String) throws
        -> [(status: Int32, standardError: String, files: [String])] {
        var script = ""
        for (index, c) in cases.enumerated() {
            let command = ([clotExecutable!] + c.arguments).map { "'\($0)'" }.joined(separator: " ")
            script += "mount -t tmpfs -o size=\(c.size) tmpfs '\(mount)' || exit 99\n"
            script += "\(command) > /dev/null 2> '\(scratch)/\(index).err'; echo $? > '\(scratch)/\(index).status'\n"
            script += "(cd '\(mount)' && find . -mindepth 1 | sort) > '\(scratch)/\(index).files'\n"
            script += "umount '\(mount)'\n"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "sh", "-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the mount script failed")
        return try cases.indices.map { index in
            (Int32(try FileSystem.readText("\(scratch)/\(index).status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
             try FileSystem.readText("\(scratch)/\(index).err"),
             try FileSystem.readText("\(scratch)/\(index).files").split(separator: "\n").map { String($0.dropFirst(2)) })
        }
    }

    @Test("a full disk: exit 1 with one line naming the path and 'no space left on device', and no partial output",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"),
          .enabled(if: canMountTmpfs, "skipped: this machine does not let the test mount a small tmpfs (`unshare -rm`, user namespaces)"))
    func fullDisk() throws {
        let root = try RunIdentityTests.data()
        let scratch = temporaryDirectory("clot-disk")
        defer { [root, scratch].forEach(removeDirectory) }
        let mount = scratch + "/mnt"
        try FileSystem.makeDirectories(mount)
        try NPY.write(NPYArray(Matrix(rows: 2000, columns: 7, elements: (0..<14000).map { Double($0 % 13) / 13 })), to: scratch + "/affinity.npy")
        let sizes = ["4k", "8k", "12k", "16k", "24k", "1m"]
        let cases = sizes.map { ($0, Self.trainArguments(root, mount + "/run", ["--epochs", "0"])) }
            + [("64k", Self.trainArguments(root, mount + "/run", ["--epochs", "1"])),
               ("8k", ["segment", "--affinity", scratch + "/affinity.npy", "--labels", mount + "/labels.txt", "--plan", mount + "/plan.npy"])]
        let results = try Self.onSmallDisk(cases, mount: mount, scratch: scratch)
        var failures = 0
        for (index, result) in results.enumerated() {
            let label = "case \(index) (\(cases[index].0), \(cases[index].1[0]))"
            #expect(!result.files.contains { $0.contains(".partial-") }, "\(label) left a temporary file: \(result.files)")
            if result.status == 0 {
                #expect(cases[index].1[0] == "train" && result.files.contains("run/metrics.json"), "\(label) \(result.files)")
                #expect(result.files.filter { $0.hasPrefix("run/predictions/") }.count == 2, "\(label) \(result.files)")
                continue
            }
            failures += 1
            #expect(result.status == 1, "\(label): \(result.standardError)")
            let errors = Self.errorLines(result.standardError)
            #expect(errors.count == 1 && errors[0].contains(mount) && errors[0].contains("no space left on device"), "\(label): \(errors)")
            #expect(!result.files.contains { $0.hasSuffix("metrics.json") || $0.hasSuffix("report.html") || $0.hasPrefix("run/predictions") },
                    "\(label) left part of a result: \(result.files)")
        }
        #expect(results[sizes.count - 1].status == 0, "on 1 MB the run fits")
        #expect(failures >= 3, "small disks must fail: \(results.map(\.status))")
        // Training: the checkpoint (165 KB) does not fit in 64 KB; no checkpoint is left half-written.
        #expect(results[sizes.count].status == 1 && Self.errorLines(results[sizes.count].standardError).first?.contains("checkpoint.plist") == true)
        // Segment: the plan does not fit, so the labels are not written either.
        #expect(results[sizes.count + 1].status == 1 && results[sizes.count + 1].files.isEmpty, "\(results[sizes.count + 1].files)")
    }

    @Test("relative paths from another working folder, a one-letter output folder included",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"))
    func relativePaths() throws {
        let folder = temporaryDirectory("clot-relative")
        defer { [folder, folder + ".stderr"].forEach(removeDirectory) }
        try SyntheticDatasets.write(.breakfast, root: folder + "/data")
        let process = try launchClot(Self.trainArguments("data", "o", ["--epochs", "0"]), standardError: folder + ".stderr",
                                     workingDirectory: folder)
        process.waitUntilExit()
        let log = (try? FileSystem.readText(folder + ".stderr")) ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(log)")
        #expect(FileSystem.isFile(folder + "/o/metrics.json"))
    }

    @Test("usage errors exit 2, other refusals 1, each with one line naming the flag or variable",
          .enabled(if: executable != nil, "the clot executable was not built beside the tests"))
    func exitCodes() throws {
        let root = try RunIdentityTests.data()
        let scratch = temporaryDirectory("clot-exit")
        defer { [root, scratch].forEach(removeDirectory) }
        let seed = try runClot(Self.trainArguments(root, scratch + "/o", ["--seed", "-1"]))
        #expect(seed.status == 2)
        #expect(Self.errorLines(seed.standardError).count == 1 && seed.standardError.split(separator: "\n").count == 1)
        #expect(seed.standardError.contains("--seed") && seed.standardError.contains("0 to 4294967295"), "\(seed.standardError)")
        let unknown = try runClot(Self.trainArguments(root, scratch + "/o", ["--epoch", "3"]))
        #expect(unknown.status == 2 && unknown.standardError.split(separator: "\n").count == 1, "\(unknown.standardError)")
        #expect(unknown.standardError.contains("--epoch"))
        let threads = try runClot(Self.trainArguments(root, scratch + "/o", ["--epochs", "0"]), environment: ["CLOT_SOLVER_THREADS": "abc"])
        #expect(threads.status == 1 && threads.standardError.split(separator: "\n").count == 1, "\(threads.standardError)")
        #expect(threads.standardError.contains("CLOT_SOLVER_THREADS") && threads.standardError.contains("'abc'"))
        #expect(!FileSystem.isDirectory(scratch + "/o"), "refused before any work")
    }
}
