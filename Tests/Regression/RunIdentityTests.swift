import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// Run identity: what a fingerprint covers and how it names a change, which finished runs
/// `clot reproduce` reuses, and who may write into an output folder.
@Suite("run identity, reuse and exclusive folders", .serialized)
struct RunIdentityTests {
    /// Synthetic Breakfast data (two 40-frame coffee videos, text features): the smallest data
    /// that trains.
    static func data() throws -> String {
        let root = temporaryDirectory("clot-identity")
        try SyntheticDatasets.write(.breakfast, root: root)
        return root
    }

    static func train(_ root: String, _ output: String, _ extra: [String] = []) throws -> TrainingRun.Report {
        try (ClotCommand.parseAsRoot(["train", "--data", root, "--dataset", "Breakfast", "--activity", "coffee",
                                      "--method", "asot", "--output", output] + extra) as! Train).train()
    }

    @Test("the fingerprint covers settings, epochs, seed, backend and each input file, and names what changed")
    func fingerprintNamesChanges() throws {
        let root = try Self.data()
        defer { removeDirectory(root) }
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        let names = try layout.videoNames(activity: "coffee")
        let data = try layout.fingerprint(videos: names)
        #expect(data.files.count == 1 + 2 * names.count, "mapping, and ground truth and features per video")
        #expect(data.files.allSatisfy { !$0.path.hasPrefix("/") }, "paths are relative to the data root")
        let base = RunConfiguration(dataset: .breakfast, activity: "coffee", method: .asot, clusters: 7, seed: 0, epochs: 1)
        let arithmetic = Provenance.current(.optimized).arithmetic
        let a = RunFingerprint(configuration: base, backend: "optimized", arithmetic: arithmetic, data: data)

        var longer = base
        longer.epochs = 15
        let b = RunFingerprint(configuration: longer, backend: "optimized", arithmetic: arithmetic, data: data)
        #expect(a.digest != b.digest)
        #expect(a.trajectory == b.trajectory, "runs differing only in length share a trajectory")
        #expect(b.differences(from: a) == ["epochs 1 → 15"])

        let seeded = RunFingerprint(configuration: RunConfiguration(dataset: .breakfast, activity: "coffee", method: .asot, clusters: 7,
                                                                    seed: 3, epochs: 1),
                                    backend: "reference", arithmetic: Provenance.current(.reference).arithmetic, data: data)
        let changes = seeded.differences(from: a)
        #expect(changes.contains("seed 0 → 3"))
        #expect(changes.contains("backend optimized → reference"))
        #expect(seeded.trajectory != a.trajectory)

        // One byte of one features file, same size: the content hash sees it and the file is named.
        let features = try layout.featuresPath(video: names[1])
        var text = try FileSystem.readText(features)
        let index = text.firstIndex(where: \.isNumber)!
        text.replaceSubrange(index...index, with: text[index] == "1" ? "2" : "1")
        try writeText(text, to: features)
        let edited = RunFingerprint(configuration: base, backend: "optimized", arithmetic: arithmetic,
                                    data: try layout.fingerprint(videos: names))
        #expect(edited.digest != a.digest)
        let relative = String(features.dropFirst(root.count + 1))
        #expect(edited.differences(from: a) == ["\(relative): content changed (same size)"])
    }

    @Test("reproduce reuses only runs with the same fingerprint, re-runs the others naming the change, and says what produced its tables")
    func reproduceReuse() throws {
        let root = try Self.data()
        let output = temporaryDirectory("clot-reproduce")
        defer { removeDirectory(root); removeDirectory(output) }
        func reproduce(_ extra: [String]) throws -> ReproductionTable.RunEntry {
            var command = try ClotCommand.parseAsRoot(["reproduce", "--data", root, "--activities", "coffee", "--methods", "asot",
                                                       "--seeds", "0", "--output", output] + extra)
            try command.run()
            struct Results: Decodable { struct Run: Decodable { var status: String; var epochs: Int; var folder: String }; var runs: [Run] }
            let results = try JSONDecoder().decode(Results.self, from: Data(contentsOf: URL(fileURLWithPath: output + "/results.json")))
            let trained = try #require(results.runs.first { $0.folder.hasSuffix("/asot/seed-0") })
            return .init(folder: trained.folder, variant: "asot", seed: 0, epochs: trained.epochs, backend: "", fingerprint: "",
                         status: trained.status, commit: "")
        }
        let short = try reproduce(["--epochs", "1"])
        #expect(short.status == "ran" && short.epochs == 1)
        let metrics = output + "/" + short.folder + "/metrics.json"

        // Asked for 2 epochs, the 1-epoch run is not reused but continued from its checkpoint,
        // which gives what a fresh 2-epoch run gives.
        let longer = try reproduce(["--epochs", "2"])
        #expect(longer.epochs == 2)
        #expect(longer.status == "resumed after epoch 1")
        let continued = try JSONDecoder().decode(TrainingRun.Report.self, from: Data(contentsOf: URL(fileURLWithPath: metrics)))
        let freshFolder = temporaryDirectory("clot-fresh")
        defer { removeDirectory(freshFolder) }
        let fresh = try Self.train(root, freshFolder, ["--epochs", "2"])
        #expect(continued.activity == fresh.activity && continued.video == fresh.video)
        #expect(continued.perEpoch.map(\.loss) == fresh.perEpoch.map(\.loss))

        // The same command again reuses it (metrics.json untouched); the tables say what
        // produced them, describing the run as it was made, not what this command did.
        let before = try Data(contentsOf: URL(fileURLWithPath: metrics))
        #expect(try reproduce(["--epochs", "2"]).status == "resumed after epoch 1")
        #expect(try Data(contentsOf: URL(fileURLWithPath: metrics)) == before, "the finished run was reused, not run again")
        let markdown = try FileSystem.readText(output + "/results.md")
        for fragment in ["epochs 0, 2", "seeds 0", "backend optimized", "Data: Breakfast coffee, 2 videos (5 files), fingerprint xxh64 ",
                         "(subset)", ReproductionTable.subsetNote] {
            #expect(markdown.contains(fragment), "results.md should say '\(fragment)'")
        }

        // A finished run from another commit with the same fingerprint is reused and named as
        // such; --rerun-other-commits runs it again.
        var json = try FileSystem.readText(metrics)
        json = json.replacingOccurrences(of: "\"commit\" : \"\(BuildInfo.commit)\"", with: "\"commit\" : \"0123456789abcdef\"")
        try writeText(json, to: metrics)
        #expect(try reproduce(["--epochs", "2"]).status == "reused from commit 0123456789abcdef")
        #expect(try FileSystem.readText(output + "/results.md").contains("Reused from commit 0123456789ab"))
        let rerun = try reproduce(["--epochs", "2", "--rerun-other-commits"]).status
        #expect(!rerun.hasPrefix("reused"), "status \(rerun)")
    }

    @Test("a second writer is refused naming the holder; a folder of files clot did not write is refused")
    func exclusiveFolders() throws {
        let folder = temporaryDirectory("clot-lock")
        defer { removeDirectory(folder) }
        do {
            let held = try FolderLock.acquire(folder, purpose: "clot train (test holder)")
            let refusal = expectInputError(mentioning: [folder, "in use by another clot run", "pid \(getpid())", "clot train (test holder)"]) {
                try FolderLock.acquire(folder, purpose: "second")
            }
            #expect(refusal != nil)
            withExtendedLifetime(held) {}
        }
        _ = try FolderLock.acquire(folder, purpose: "after release")   // released when the holder went

        let foreign = temporaryDirectory("clot-foreign")
        defer { removeDirectory(foreign) }
        try writeText("my notes\n", to: foreign + "/notes.txt")
        try FileSystem.makeDirectories(foreign + "/predictions")
        expectInputError(mentioning: [foreign, "holds files clot did not write", "notes.txt"]) {
            try RunFolder.claim(foreign, purpose: "test")
        }
        #expect(FileSystem.isDirectory(foreign + "/predictions"), "nothing is removed from a folder clot did not make")
    }
}
