import CLOTCore
import Foundation

/// One run of a reproduction, self-contained: its folder (`runs/<dataset>/<activity>/<variant>/seed-<s>`
/// under the reproduction's output), its fingerprint, its lock and its all-or-nothing outputs.
/// Executing a unit claims its folder, reuses a finished run there only when the fingerprint
/// matches, and otherwise trains (continuing a checkpoint of the same trajectory), so units can
/// run one after another, side by side, or on several machines sharing the output folder.
struct ReproductionUnit: Sendable {
    var configuration: RunConfiguration
    /// The activity's data, shared with every other unit of the activity.
    var source: SharedActivity
    var benchmarkActivities: Int?

    /// The folder, relative to the reproduction's output.
    var folder: String {
        "runs/\(configuration.dataset.rawValue)/\(configuration.activity)/\(configuration.variantName)/seed-\(configuration.seed)"
    }

    /// The expected seconds of the run on one core, for balancing shards: k-means and every
    /// epoch sample a fixed number of frames per video, so training costs in proportion to
    /// videos × (epochs + 1); predicting runs over every frame. The rates are rounded from the
    /// phases that runs on a full-size synthetic Breakfast activity recorded on a 2-core VM
    /// (`metrics.json` "phases": CLOT trains at about 3.5 ms per video-epoch, ASOT at about a
    /// third of that, and both predict at about 4 µs per frame); only their ratios matter.
    var expectedCost: Double {
        let perVideoEpoch = configuration.method == .clot ? 3.5e-3 : 1.2e-3
        let perFrame = 4e-6
        return Double(source.videoNames.count) * Double(configuration.epochs + 1) * perVideoEpoch + Double(source.frames) * perFrame
    }

    /// How a unit's result came about.
    enum Status: Equatable {
        /// Trained now (from the start, or continuing a checkpoint after this epoch).
        case ran(resumedAfter: Int?)
        /// A finished run with this fingerprint was already in the folder.
        case reused(commit: String)
    }

    struct Outcome: Sendable {
        var unit: ReproductionUnit
        var report: TrainingRun.Report
        var status: Status
        /// The fingerprint of the data the run read.
        var data: DataFingerprint
    }

    /// Runs or reuses the unit in `root/folder`; `log` receives one progress line, `status` the
    /// training's progress (a line, and whether it is final). A finished run is compared with
    /// the data's content hashes without parsing the data; only a run that trains parses it.
    func execute(root: String, backend: Implementation, rerunOtherCommits: Bool,
                 status: @escaping (String, Bool) -> Void = { Console.status($0, final: $1) },
                 log: (String) -> Void) throws -> Outcome {
        let claimed = try RunFolder.claim(root + "/" + folder, purpose: "clot reproduce, run \(folder)")
        if let existing = claimed.finishedReport() {
            let data = try source.fingerprint()
            let expected = TrainingRun.fingerprint(configuration, backend: backend, data: data)
            let commit = existing.provenance.tool.commit
            if existing.fingerprint.digest == expected.digest {
                if commit == BuildInfo.commit {
                    log("skip (done): \(folder)")
                    return Outcome(unit: self, report: existing, status: .reused(commit: commit), data: data)
                }
                if !rerunOtherCommits {
                    log("reuse (made by commit \(commit.prefix(12)), same fingerprint): \(folder)")
                    return Outcome(unit: self, report: existing, status: .reused(commit: commit), data: data)
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
        let inputs = try source.inputs()
        var run = TrainingRun(configuration: configuration, backend: backend, inputs: inputs, output: claimed.path, verbose: false,
                              resume: .ifPossible(sameCommitOnly: rerunOtherCommits), purpose: "clot reproduce")
        run.status = status
        let report = try run.run(in: claimed)
        return Outcome(unit: self, report: report, status: .ran(resumedAfter: report.resumed?.afterEpoch), data: inputs.data)
    }
}
