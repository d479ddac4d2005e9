import CLOTCore
import Foundation
import Synchronization

/// One activity's data as a reproduction shares it between its runs (every method, seed,
/// ablation and decoder of the activity): the video names and frame counts, read when the plan
/// is made; the content fingerprint of its files, hashed only when a finished run must be
/// compared with it; and the parsed videos, parsed once, when the first run that trains needs
/// them, and dropped when the last run of the activity in this process is done (so that a
/// reproduction holds about `--jobs` activities in memory, not all of them).
final class SharedActivity: Sendable {
    let layout: DatasetLayout
    let activity: String
    let videoNames: [String]
    /// Frames of every video together (lines of its ground-truth files).
    let frames: Int

    private struct State {
        var fingerprint: DataFingerprint?
        var inputs: RunInputs?
        /// Runs of this activity in this process that have not finished.
        var pending = 0
    }
    private let state = Mutex(State())
    /// Held while the data is parsed, so that two jobs of one activity never parse it twice.
    private let loading = Mutex(())

    init(layout: DatasetLayout, activity: String) throws {
        self.layout = layout
        self.activity = activity
        videoNames = try layout.activityVideos(activity).names
        var frames = 0
        for name in videoNames {
            let path = layout.groundTruthDirectory + "/" + name
            frames += try FileSystem.readBytes(path).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        self.frames = frames
    }

    /// The number of distinct actions in the ground truth (K for an activity without a
    /// published one).
    func clusterCount() throws -> Int {
        var names = Set<String>()
        for video in videoNames { names.formUnion(try TextFiles.readLabelNames(layout.groundTruthDirectory + "/" + video)) }
        return names.count
    }

    /// One more run of this activity will ask for its data.
    func expectRun() { state.withLock { $0.pending += 1 } }

    /// A run of this activity is done with its data: after the last, the parsed videos go.
    func runFinished() {
        state.withLock { s in
            s.pending -= 1
            if s.pending <= 0 { s.inputs = nil }
        }
    }

    /// The fingerprint of the activity's files: from the parsed data when it is loaded, else
    /// by hashing the files (without parsing them), once.
    func fingerprint() throws -> DataFingerprint {
        if let known = state.withLock({ $0.inputs?.data ?? $0.fingerprint }) { return known }
        let hashed = try layout.fingerprint(videos: videoNames)
        state.withLock { $0.fingerprint = hashed }
        return hashed
    }

    /// Seconds this process has spent parsing activities' data (for `clot bench --suite protocol`).
    static var parseSeconds: Double { parseTime.withLock { $0 } }
    private static let parseTime = Mutex(0.0)

    /// The parsed videos, mapping and fingerprint: parsed on the first call, shared afterwards.
    func inputs() throws -> RunInputs {
        try loading.withLock { _ in
            if let loaded = state.withLock({ $0.inputs }) { return loaded }
            let clock = ContinuousClock(), start = clock.now
            let loaded = try RunInputs.load(layout, activity: activity)
            Self.parseTime.withLock { $0 += (clock.now - start).seconds }
            state.withLock { s in
                s.inputs = loaded
                s.fingerprint = loaded.data
            }
            return loaded
        }
    }
}
