import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// `clot reproduce` at scale: runs side by side (`--jobs`), shards of a job array (`--shard`,
/// Slurm's variables) running at once into one output folder, and the gathering run that
/// writes the tables.
@Suite("reproduce: --jobs, --shard, Slurm arrays", .serialized)
struct ParallelReproductionTests {
    /// 2 activities × (clot, asot, untrained asot) × 2 seeds = 12 runs of 1 epoch.
    static let common = ["--methods", "clot,asot", "--seeds", "0,1", "--epochs", "1"]

    /// Every file of the tables and of the runs' predictions, by relative path.
    static func outputs(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for table in ["results.json", "results.md", "report.html"] {
            files[table] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + table))
        }
        let runs = folder + "/runs"
        for path in FileManager.default.enumerator(atPath: runs)?.compactMap({ $0 as? String }) ?? []
        where path.contains("/predictions/") && path.hasSuffix(".txt") {
            files[path] = try Data(contentsOf: URL(fileURLWithPath: runs + "/" + path))
        }
        return files
    }

    @Test("--jobs 2 gives the same tables and predictions, byte for byte, as --jobs 1",
          .enabled(if: clotExecutable != nil, "the clot executable was not built beside the tests"))
    func jobsAreInvisible() throws {
        let root = try RunIdentityTests.data()
        let (one, two) = (temporaryDirectory("clot-jobs1"), temporaryDirectory("clot-jobs2"))
        defer { [root, one, two].forEach(removeDirectory) }
        // One activity (6 runs) keeps the debug-build test short; the shard test covers two.
        // Child processes: a run inside the test process would describe that process in its
        // provenance, which other tests running beside it change (one may open OpenBLAS).
        for (folder, jobs) in [(one, "1"), (two, "2")] {
            let run = try runClot(["reproduce", "--data", root, "--output", folder, "--jobs", jobs, "--activities", "coffee"] + Self.common)
            #expect(run.status == 0, "\(run.standardError)")
        }
        let (a, b) = (try Self.outputs(one), try Self.outputs(two))
        #expect(a.keys.filter { $0.contains("predictions") }.count == 6 * 2, "6 runs × 2 videos each")
        #expect(a == b)
    }

    @Test("a finished run is checked without parsing: the files' hashes equal the fingerprint of the bytes parsed")
    func hashedEqualsParsed() throws {
        let root = try RunIdentityTests.data()
        defer { removeDirectory(root) }
        let layout = DatasetLayout(root: root, dataset: .breakfast)
        for activity in ["coffee", "tea"] {
            let shared = try SharedActivity(layout: layout, activity: activity)
            let hashed = try shared.fingerprint()
            let parsed = try RunInputs.load(layout, activity: activity).data
            #expect(hashed == parsed && hashed.digest == parsed.digest)
            #expect(shared.frames == 2 * 40, "two videos of 40 frames")
            shared.expectRun()
            #expect(try shared.inputs().videos.map(\.name) == shared.videoNames)
            shared.runFinished()
        }
    }

    @Test("--shard I/N parses 1-based I/N and refuses anything else in one line")
    func shardParsing() throws {
        #expect(try ReproductionShard(parsing: "3/10") == ReproductionShard(parsing: " 3 / 10 "))
        #expect(try ReproductionShard(parsing: "1/1").count == 1)
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "-1/4"] {
            #expect(throws: InputError.self, "\(bad)") { try ReproductionShard(parsing: bad) }
        }
    }

    @Test("Slurm's array variables select the shard whatever the first index and step; not in an array, none")
    func slurmSelection() throws {
        func shard(_ id: Int, count: Int, min: Int, step: Int? = nil) throws -> ReproductionShard? {
            var environment = ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_COUNT": "\(count)", "SLURM_ARRAY_TASK_MIN": "\(min)"]
            environment["SLURM_ARRAY_TASK_STEP"] = step.map(String.init)
            return try ReproductionShard.fromSlurm(environment)
        }
        #expect(try ReproductionShard.fromSlurm(["SLURM_JOB_ID": "12"]) == nil)
        #expect(try shard(0, count: 4, min: 0) == ReproductionShard(parsing: "1/4"))
        #expect(try shard(3, count: 4, min: 0) == ReproductionShard(parsing: "4/4"))
        #expect(try shard(1, count: 4, min: 1) == ReproductionShard(parsing: "1/4"))
        #expect(try shard(4, count: 4, min: 1) == ReproductionShard(parsing: "4/4"))
        #expect(try shard(102, count: 3, min: 100) == ReproductionShard(parsing: "3/3"))
        #expect(try shard(120, count: 10, min: 100, step: 10) == ReproductionShard(parsing: "3/10"))
        // A list with gaps (--array=1,5,9) has no evenly numbered tasks.
        #expect(throws: InputError.self) { try shard(5, count: 3, min: 1) }
        #expect(throws: InputError.self) { try ReproductionShard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2"]) }
    }

    @Test("shards split the runs exactly, are balanced by cost within one run's cost, and do not depend on the order of equal costs")
    func shardBalance() throws {
        var generator = MersenneTwister(seed: 16)
        let costs = (0..<150).map { _ in 1 + 20 * generator.uniform() } + Array(repeating: 5.0, count: 10)
        for count in [1, 2, 3, 7, 10] {
            let shards = try (1...count).map { try ReproductionShard(parsing: "\($0)/\(count)").select(costs: costs) }
            #expect(shards.flatMap { $0 }.sorted() == Array(costs.indices), "every run in exactly one shard (N = \(count))")
            let loads = shards.map { $0.reduce(0) { $0 + costs[$1] } }
            let mean = costs.reduce(0, +) / Double(count)
            #expect(loads.max()! <= mean + costs.max()!, "N = \(count): loads \(loads)")
            #expect(shards == (try (1...count).map { try ReproductionShard(parsing: "\($0)/\(count)").select(costs: costs) }))
        }
        // By cost, not by count: one costly run and nine cheap ones split 1 / 9.
        let skewed = [100.0] + Array(repeating: 10.0, count: 9)
        #expect(try ReproductionShard(parsing: "1/2").select(costs: skewed) == [0])
    }

    @Test("three shards selected only by Slurm's variables run at once into one folder; the gathering run finds all done and writes the unsharded tables",
          .enabled(if: clotExecutable != nil, "the clot executable was not built beside the tests"))
    func concurrentShards() throws {
        let root = try RunIdentityTests.data()
        let (shared, single) = (temporaryDirectory("clot-shards"), temporaryDirectory("clot-unsharded"))
        defer { [root, shared, single].forEach(removeDirectory) }
        // An array --array=5-7: tasks 5, 6, 7, first index 5.
        let processes = try (5...7).map { id in
            try launchClot(["reproduce", "--data", root, "--output", shared, "--jobs", "1"] + Self.common,
                           standardError: shared + "-task\(id).stderr",
                           environment: ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"])
        }
        for process in processes { process.waitUntilExit() }
        var started: [String] = []
        for (offset, process) in processes.enumerated() {
            let log = try FileSystem.readText(shared + "-task\(offset + 5).stderr")
            removeDirectory(shared + "-task\(offset + 5).stderr")
            #expect(process.terminationStatus == 0, "task \(offset + 5): \(log)")
            #expect(log.contains("shard \(offset + 1)/3: "), "task \(offset + 5) runs shard \(offset + 1)/3: \(log)")
            started += log.split(separator: "\n").filter { $0.hasPrefix("[") && !$0.contains(": MoF") }.map { String($0.split(separator: " ").last!) }
        }
        #expect(started.count == 12 && Set(started).count == 12, "each of the 12 runs in exactly one shard: \(started)")
        #expect(!FileSystem.isFile(shared + "/results.json"), "a shard writes no tables")

        // The gathering run (no --shard, no Slurm variables) trains nothing.
        let gather = try runClot(["reproduce", "--data", root, "--output", shared] + Self.common,
                                 environment: ["SLURM_ARRAY_TASK_ID": nil, "SLURM_ARRAY_TASK_COUNT": nil, "SLURM_ARRAY_TASK_MIN": nil])
        #expect(gather.status == 0, "\(gather.standardError)")
        let lines = gather.standardError.split(separator: "\n").filter { $0.hasPrefix("[") && !$0.contains(": MoF") }
        #expect(lines.count == 12 && lines.allSatisfy { $0.contains("skip (done)") }, "\(lines)")

        // The unsharded run is a child process too: a run inside the test process would
        // describe that process in its provenance (another test may have opened OpenBLAS there).
        let unsharded = try runClot(["reproduce", "--data", root, "--output", single, "--jobs", "1"] + Self.common,
                                    environment: ["SLURM_ARRAY_TASK_ID": nil, "SLURM_ARRAY_TASK_COUNT": nil, "SLURM_ARRAY_TASK_MIN": nil])
        #expect(unsharded.status == 0, "\(unsharded.standardError)")
        #expect(try Self.outputs(shared) == Self.outputs(single))
    }
}
