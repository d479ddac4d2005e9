import CLOTCore
import Foundation
import Testing
import TestSupport

/// The promise of REPRODUCE.md "Same numbers everywhere": whatever kernel OpenBLAS would pick on
/// a CPU and whatever the thread settings say, `clot train` and `clot segment` write the same
/// bytes. A different CPU looks to OpenBLAS like a forced `OPENBLAS_CORETYPE`, so the `clot`
/// executable runs in child processes under every kernel this machine can execute, with the
/// thread counts varied alongside, and every output is compared with the run that sets nothing.
@Suite("same numbers everywhere", .serialized)
struct SameNumbersEverywhereTests {
    /// One child-process setting: a forced OpenBLAS kernel (nil: OpenBLAS's own pick) and the
    /// three thread knobs.
    struct Setting: CustomStringConvertible {
        var kernel: String?
        var openBLASThreads: String?
        var solverThreads: String?
        var threadsFlag: String?

        var environment: [String: String?] {
            ["OPENBLAS_CORETYPE": kernel, "OPENBLAS_NUM_THREADS": openBLASThreads, "CLOT_SOLVER_THREADS": solverThreads,
             "OPENBLAS_VERBOSE": nil]
        }
        var description: String {
            "OPENBLAS_CORETYPE=\(kernel ?? "unset") OPENBLAS_NUM_THREADS=\(openBLASThreads ?? "unset") "
                + "CLOT_SOLVER_THREADS=\(solverThreads ?? "unset") --threads \(threadsFlag ?? "default")"
        }
    }

    /// The kernels OpenBLAS 0.3.21 can be forced to that this CPU can execute, each with a
    /// different combination of thread counts; the first setting sets nothing.
    static let settings: [Setting] = {
        let flags = CPUDescription.current.flags
        var kernels: [String] = []
        #if arch(x86_64)
        kernels.append("Prescott")
        if flags.isSuperset(of: ["avx2", "fma"]) { kernels += ["Haswell", "Zen"] }
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
            kernels.append("SkylakeX")
            if flags.contains("avx512_bf16") { kernels.append("Cooperlake") }
        }
        #endif
        let threads: [(String?, String?, String?)] = [("2", "1", "2"), ("1", "2", nil), ("2", "2", "1"), ("1", "1", "2"), ("2", nil, nil)]
        var list = [Setting(kernel: nil, openBLASThreads: nil, solverThreads: nil, threadsFlag: nil),
                    Setting(kernel: nil, openBLASThreads: "2", solverThreads: "1", threadsFlag: "2")]
        for (index, kernel) in kernels.enumerated() {
            let t = threads[index % threads.count]
            list.append(Setting(kernel: kernel, openBLASThreads: t.0, solverThreads: t.1, threadsFlag: t.2))
        }
        return list
    }()

    /// Every output of one setting: file name → bytes, JSON with its timing and environment
    /// fields removed (they describe the machine, not the result).
    static func outputs(_ setting: Setting, data: String, cost: String, in folder: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for method in ["asot", "clot"] {
            let out = folder + "/" + method
            var arguments = ["train", "--data", data, "--dataset", "Breakfast", "--activity", "coffee",
                             "--method", method, "--epochs", "1", "--seed", "3", "--output", out]
            if let flag = setting.threadsFlag { arguments += ["--threads", flag] }
            let run = try runClot(arguments, environment: setting.environment)
            #expect(run.status == 0, "\(setting): clot train --method \(method) failed: \(run.standardError)")
            for name in try FileSystem.contents(of: out + "/predictions") {
                files["\(method)/predictions/\(name)"] = try FileSystem.readText(out + "/predictions/" + name)
            }
            files["\(method)/metrics.json"] = try withoutMachineFields(FileSystem.readText(out + "/metrics.json"))
        }
        let segment = try runClot(["segment", "--cost", cost, "--labels", folder + "/labels.txt", "--plan", folder + "/plan.npy"],
                                  environment: setting.environment)
        #expect(segment.status == 0, "\(setting): clot segment failed: \(segment.standardError)")
        files["labels.txt"] = try FileSystem.readText(folder + "/labels.txt")
        files["plan.npy"] = try Data(contentsOf: URL(fileURLWithPath: folder + "/plan.npy")).base64EncodedString()
        return files
    }

    /// metrics.json without `wall_seconds`, the epochs' `seconds` and `provenance.environment`,
    /// re-encoded with sorted keys.
    static func withoutMachineFields(_ json: String) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        object["wall_seconds"] = nil
        object["phases"] = nil
        if var provenance = object["provenance"] as? [String: Any] {
            provenance["environment"] = nil
            object["provenance"] = provenance
        }
        if let epochs = object["per_epoch"] as? [[String: Any]] {
            object["per_epoch"] = epochs.map { epoch in epoch.filter { $0.key != "seconds" } }
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The two shortest videos of the bundled sample (743 frames, one training batch: the
    /// debug build under test runs the whole sample about 3× slower), in the standard layout.
    static func twoVideoSample(in root: String) throws -> String {
        let source = fixturesDirectory + "/sample/Breakfast", target = root + "/data/Breakfast"
        for folder in ["/features/coffee", "/groundTruth", "/mapping"] { try FileSystem.prepareOutputDirectory(target + folder) }
        try FileManager.default.copyItem(atPath: source + "/mapping/mapping.txt", toPath: target + "/mapping/mapping.txt")
        for video in ["P06_cam01_P06_coffee", "P08_webcam01_P08_coffee"] {
            try FileManager.default.copyItem(atPath: source + "/features/coffee/\(video).npy", toPath: target + "/features/coffee/\(video).npy")
            try FileManager.default.copyItem(atPath: source + "/groundTruth/\(video)", toPath: target + "/groundTruth/\(video)")
        }
        return root + "/data"
    }

    @Test("train and segment write the same bytes under every OpenBLAS kernel and thread count",
          .enabled(if: clotExecutable != nil, "the clot executable was not built beside the tests"))
    func sameBytesEverywhere() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = MersenneTwister(seed: 13)
        let data = try Self.twoVideoSample(in: root), cost = root + "/cost.npy"
        try NPY.write(NPYArray(Matrix(rows: 1500, columns: 8, elements: (0..<12000).map { _ in Float(generator.uniform()) })), to: cost)
        var baseline: [String: String]?
        for (index, setting) in Self.settings.enumerated() {
            let files = try Self.outputs(setting, data: data, cost: cost, in: root + "/setting-\(index)")
            guard let reference = baseline else {
                #expect(files.count == 2 * 2 + 2 + 2, "expected 2 predictions and metrics per method, labels and plan")
                baseline = files
                continue
            }
            #expect(Set(files.keys) == Set(reference.keys), "\(setting): different files")
            for (name, bytes) in reference where files[name] != bytes {
                Issue.record("\(setting): \(name) differs from the run that sets nothing")
            }
        }
        #expect(Self.settings.count >= 3, "at least one forced kernel besides the two unforced settings")
    }
}
