import CLOTCore
import Foundation

/// A training run's output folder, held exclusively (a `FolderLock`) for as long as this value
/// lives, and the rules its files follow:
///
/// - `metrics.json` is written last and marks a finished run: a folder holds one only when its
///   `predictions/` and `report.html` are complete and come from the same run.
/// - A new run first retires the previous run's files, `metrics.json` first, so that stale
///   files never sit beside new ones (a `predictions/` file of a video no longer in the data
///   included); a resumed run keeps only the checkpoint and epoch log it continues from.
/// - Predictions are written into a private folder and renamed into place as one folder.
/// - Temporary files that a killed process left (`*.partial-PID`) are removed on the next claim.
///
/// Files that clot does not write are left alone, and a non-empty folder that holds nothing of
/// clot's is refused, so that a mistyped `--output` never deletes anything.
struct RunFolder {
    let path: String
    let lock: FolderLock

    var metricsPath: String { path + "/metrics.json" }
    var reportPath: String { path + "/report.html" }
    var predictionsPath: String { path + "/predictions" }
    var checkpointPath: String { path + "/checkpoint.plist" }
    var epochLog: EpochLog { EpochLog(path: path + "/epochs.tsv") }

    /// Names that show a folder is a clot run's.
    static let marks: Set<String> = [FolderLock.fileName, "metrics.json", "checkpoint.plist", "epochs.tsv"]

    /// Creates the folder if needed, takes its lock (refusing when a live run holds it) and
    /// removes the temporary files of dead ones.
    static func claim(_ path: String, purpose: String) throws -> RunFolder {
        RunFolder(path: path, lock: try claimFolder(path, purpose: purpose, marks: marks))
    }

    /// The finished run's report, when `metrics.json` is there and readable by this version.
    func finishedReport() -> TrainingRun.Report? {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return nil }
        return try? JSONDecoder().decode(TrainingRun.Report.self, from: data)
    }

    /// Removes the previous result (metrics first, then the report and predictions); with
    /// `keepCheckpoint` false also its checkpoint and epoch log.
    func retire(keepCheckpoint: Bool) throws {
        var doomed = [metricsPath, reportPath, predictionsPath]
        if !keepCheckpoint { doomed += [checkpointPath, epochLog.path] }
        for item in doomed { try Self.remove(item) }
    }

    /// Writes the finished run: the predictions as one folder, then the report, then
    /// `metrics.json`. A failure (a full disk) removes what this call had written, leaving the
    /// folder without a result and with its checkpoint intact.
    func commit(predictions: [(video: String, text: String)], report: String, metrics: [UInt8]) throws {
        let staging = FileSystem.temporaryName(for: predictionsPath)
        do {
            try FileSystem.makeDirectories(staging)
            for (video, text) in predictions {
                do { try FileSystem.writeAtomically(text, to: staging + "/" + video + ".txt") } catch var error as InputError {
                    error.source = predictionsPath + "/" + video + ".txt"
                    throw error
                }
            }
            try Self.remove(predictionsPath)
            guard rename(staging, predictionsPath) == 0 else {
                throw InputError(predictionsPath, "cannot move the finished predictions into place: \(FileSystem.reason(errno))")
            }
            try FileSystem.writeAtomically(report, to: reportPath)
            try FileSystem.writeAtomically(metrics, to: metricsPath)
        } catch {
            for item in [staging, metricsPath, reportPath, predictionsPath] { try? Self.remove(item) }
            throw error
        }
    }

    static func remove(_ item: String) throws {
        guard FileManager.default.fileExists(atPath: item) || (try? FileManager.default.destinationOfSymbolicLink(atPath: item)) != nil
        else { return }
        do { try FileManager.default.removeItem(atPath: item) } catch {
            throw InputError(item, "cannot remove the previous run's file", hint: "check the folder is writable")
        }
    }
}

/// Creates `path` if needed, refuses a non-empty folder that holds none of `marks` (a folder
/// clot did not make), takes the folder's lock and removes leftovers of dead processes.
func claimFolder(_ path: String, purpose: String, marks: Set<String>) throws -> FolderLock {
    try checkFolder(path, marks: marks)
    let lock = try FolderLock.acquire(path, purpose: purpose)
    FileSystem.removeLeftovers(in: path)
    return lock
}

/// Creates `path` if needed and refuses a non-empty folder that holds none of `marks`.
func checkFolder(_ path: String, marks: Set<String>) throws {
    try FileSystem.prepareOutputDirectory(path)
    let entries = try FileSystem.contents(of: path)
    let visible = entries.filter { !$0.hasPrefix(".") && !$0.contains(FileSystem.temporarySuffix) }
    if !visible.isEmpty && marks.isDisjoint(with: entries) {
        throw InputError(path, "holds files clot did not write (\(visible.prefix(3).joined(separator: ", ")))",
                         hint: "choose a new or empty output folder")
    }
}
