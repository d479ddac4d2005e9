import CLOTCore
import Foundation

/// `clot segment` on a folder: every `.npy` in it decoded in one process (no start-up per
/// video), one output per input named after it.
extension SegmentJob {
    /// Decodes every `.npy` file of `folder` in name order with the same settings as a single
    /// file, writing `labels/NAME.txt` (and `plan/NAME.npy`, `svg/NAME.svg`). A file that fails
    /// (unreadable, wrong shape, non-finite values, an output that cannot be written) is
    /// reported on standard error and skipped; after the last file the summary names every
    /// failure, and the command throws an `InputError` listing them (exit status 1).
    func runFolder(_ folder: String) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let names = try inputNames(in: folder)
        let outputs = try outputFolders(for: folder)
        var decoded: [SegmentSummary] = [], failed: [FolderSummary.Failure] = []
        for name in names {
            try Interruption.check("before \(name) (\(decoded.count) files decoded and written, \(failed.count) failed)")
            let stem = String(name.dropLast(".npy".count))
            let labelsPath = outputs.labels + "/" + stem + ".txt", planPath = outputs.plan.map { $0 + "/" + stem + ".npy" }
            do {
                let video = try decode(folder + "/" + name)
                try write(video, labels: labelsPath, plan: planPath, svg: outputs.svg.map { $0 + "/" + stem + ".svg" })
                var summary = self.summary(video, labels: labelsPath, plan: planPath)
                summary.input = name
                decoded.append(summary)
            } catch let stop as Interrupted {
                throw stop
            } catch {
                Console.progress("Error: \(error)")
                failed.append(FolderSummary.Failure(file: name, error: "\(error)"))
            }
        }
        let summary = FolderSummary(folder: folder, files: decoded, failed: failed, seconds: (clock.now - start).seconds,
                                    provenance: .current(backend))
        print(json ? try summary.json() : summary.text)
        guard failed.isEmpty else {
            throw InputError(folder, "\(failed.count) of \(names.count) files could not be decoded: "
                             + failed.map(\.file).joined(separator: ", "))
        }
    }

    /// The `.npy` files of `folder` (not its subfolders), sorted by name.
    func inputNames(in folder: String) throws -> [String] {
        let names = try FileSystem.contents(of: folder).filter { $0.hasSuffix(".npy") && !FileSystem.isDirectory(folder + "/" + $0) }
        guard !names.isEmpty else { throw InputError(folder, "has no .npy files") }
        return names
    }

    /// The output folders, created if missing; a plan folder that is the input folder is refused
    /// (its NAME.npy would replace the inputs).
    func outputFolders(for folder: String) throws -> (labels: String, plan: String?, svg: String?) {
        for path in [labels] + [plan, svg].compactMap({ $0 }) {
            guard !FileSystem.isFile(path) else {
                throw InputError(path, "is a file; with a folder of inputs the outputs go to folders", hint: "give a folder")
            }
            try FileSystem.prepareOutputDirectory(path)
        }
        if let plan, Self.samePlace(plan, folder) {
            throw InputError("--plan", "\(plan) is the input folder: the plans would replace the inputs", hint: "give another folder")
        }
        return (labels, plan, svg)
    }

    static func samePlace(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).resolvingSymlinksInPath().path == URL(fileURLWithPath: b).resolvingSymlinksInPath().path
    }
}

/// What a folder run printed: each decoded file's summary, and each failure with its message.
struct FolderSummary: Encodable {
    struct Failure: Encodable {
        var file: String, error: String
    }
    var folder: String
    var files: [SegmentSummary]
    var failed: [Failure]
    /// Wall time of the whole folder, reading and writing included.
    var seconds: Double
    /// What made the results.
    var provenance: Provenance

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var text: String {
        var lines = files.map { f in
            "\(f.input ?? f.labels): \(f.frames) frames → \(f.clusters) clusters, \(f.segments) segments, "
                + "solver \(String(format: "%.4f", f.seconds)) s → \(f.labels)"
        }
        let solver = files.reduce(0) { $0 + $1.seconds }
        lines.append("decoded \(files.count) of \(files.count + failed.count) files of \(folder) in "
                     + "\(String(format: "%.3f", seconds)) s (solver \(String(format: "%.3f", solver)) s)"
                     + (failed.isEmpty ? "" : "; failed: " + failed.map(\.file).joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }
}
