import CLOTCore
import Foundation

/// One run of a reproduction, self-contained: its folder (`runs/<dataset>/<activity>/<variant>/seed-<s>`
/// under the reproduction's output), its fingerprint, its lock and its all-or-nothing outputs.
/// Executing a unit claims its folder, reuses a finished run there only when the fingerprint
/// matches, and otherwise trains (continuing a checkpoint of the same trajectory), so units can
/// run one after another, side by side, or on several machines sharing the output folder.
struct ReproductionUnit {
    var configuration: RunConfiguration
    var inputs: RunInputs
    var benchmarkActivities: Int?

    /// The folder, relative to the reproduction's output.
    var folder: String {
        "runs/\(configuration.dataset.rawValue)/\(configuration.activity)/\(configuration.variantName)/seed-\(configuration.seed)"
    }

    /// How a unit's result came about.
    enum Status: Equatable {
        /// Trained now (from the start, or continuing a checkpoint after this epoch).
        case ran(resumedAfter: Int?)
        /// A finished run with this fingerprint was already in the folder.
        case reused(commit: String)
    }

    struct Outcome {
        var unit: ReproductionUnit
        var report: TrainingRun.Report
        var status: Status
    }

    /// Runs or reuses the unit in `root/folder`; `log` receives one progress line.
    func execute(root: String, backend: Implementation, rerunOtherCommits: Bool, log: (String) -> Void) throws -> Outcome {
        let claimed = try RunFolder.claim(root + "/" + folder, purpose: "clot reproduce, run \(folder)")
        let run = TrainingRun(configuration: configuration, backend: backend, inputs: inputs, output: claimed.path, verbose: false,
                              resume: .ifPossible(sameCommitOnly: rerunOtherCommits), purpose: "clot reproduce")
        let expected = run.fingerprint
        if let existing = claimed.finishedReport() {
            let commit = existing.provenance.tool.commit
            if existing.fingerprint.digest == expected.digest {
                if commit == BuildInfo.commit {
                    log("skip (done): \(folder)")
                    return Outcome(unit: self, report: existing, status: .reused(commit: commit))
                }
                if !rerunOtherCommits {
                    log("reuse (made by commit \(commit.prefix(12)), same fingerprint): \(folder)")
                    return Outcome(unit: self, report: existing, status: .reused(commit: commit))
                }
                log("re-run (made by commit \(commit.prefix(12)); --rerun-other-commits): \(folder)")
            } else {
                log("re-run (changed: \(expected.differences(from: existing.fingerprint).joined(separator: "; "))): \(folder)")
            }
        } else if FileSystem.isFile(claimed.metricsPath) {
            log("re-run (its metrics.json is unreadable or from an older clot): \(folder)")
        } else {
            log(folder)
        }
        let report = try run.run(in: claimed)
        return Outcome(unit: self, report: report, status: .ran(resumedAfter: report.resumed?.afterEpoch))
    }
}
