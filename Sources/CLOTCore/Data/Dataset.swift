/// The benchmarks of both papers and where their files sit in the standard layout
/// (Documentation/Method.md §1, ASOT `src/video_dataset.py`):
///
///     ROOT/<Dataset>/features/<activity>/<video>.txt|.npy
///     ROOT/<Dataset>/groundTruth/<video>
///     ROOT/<Dataset>/mapping/mapping.txt   (50 Salads eval granularity: mappingeval.txt)
public enum DatasetName: String, CaseIterable, Sendable, Codable {
    case breakfast = "Breakfast"
    case yti = "YTI"
    /// 50 Salads, mid granularity (19 classes).
    case fs = "FS"
    /// 50 Salads, eval granularity (12 classes): the same files as `FS`, another mapping.
    case fsEval = "FSeval"
    case desktopAssembly = "desktop_assembly"

    /// Accepts the official names and a few spellings researchers use.
    public init(parsing text: String) throws {
        let key = text.lowercased().replacingOccurrences(of: "-", with: "_")
        switch key {
        case "breakfast", "bf": self = .breakfast
        case "yti", "youtube_instructions", "youtubeinstructions": self = .yti
        case "fs", "50salads", "50s", "50salads_mid", "fs_mid": self = .fs
        case "fseval", "50salads_eval", "fs_eval": self = .fsEval
        case "desktop_assembly", "da", "desktopassembly": self = .desktopAssembly
        default:
            throw InputError("--dataset", "unknown dataset '\(text)'",
                             hint: "one of " + DatasetName.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The folder under ROOT (`FSeval` shares `FS`).
    public var directoryName: String { self == .fsEval ? "FS" : rawValue }

    /// The mapping file under `mapping/`.
    public var mappingFileName: String { self == .fsEval ? "mappingeval.txt" : "mapping.txt" }

    /// Whether every video belongs to one unnamed activity whose features sit directly under
    /// `features/`.
    public var hasSingleActivity: Bool { self == .fs || self == .fsEval || self == .desktopAssembly }

    /// The activity a video belongs to, parsed from its name as `parse_action_name` does:
    /// Breakfast takes the last `_` field, YTI drops it, the others have the single activity "".
    public func activity(ofVideo name: String) -> String {
        switch self {
        case .breakfast: return String(name.split(separator: "_", omittingEmptySubsequences: false).last ?? "")
        case .yti: return name.split(separator: "_", omittingEmptySubsequences: false).dropLast().joined(separator: "_")
        case .fs, .fsEval, .desktopAssembly: return ""
        }
    }

    /// Whether a groundTruth entry counts as a video (its name holds `_` or `-`).
    public static func isVideoName(_ name: String) -> Bool {
        name.contains("_") || name.contains("-")
    }
}

/// One dataset folder in the standard layout.
public struct DatasetLayout: Sendable {
    public var root: String
    public var dataset: DatasetName

    public init(root: String, dataset: DatasetName) {
        self.root = root
        self.dataset = dataset
    }

    public var directory: String { root + "/" + dataset.directoryName }
    public var groundTruthDirectory: String { directory + "/groundTruth" }
    public var mappingPath: String { directory + "/mapping/" + dataset.mappingFileName }

    public func mapping() throws -> ActionMapping { try ActionMapping.read(mappingPath) }

    /// Sorted video names of the dataset, or of one activity ("all" or nil: every video).
    public func videoNames(activity: String? = nil) throws -> [String] {
        let names = try FileSystem.contents(of: groundTruthDirectory)
            .filter { DatasetName.isVideoName($0) && FileSystem.isFile(groundTruthDirectory + "/" + $0) }
        guard let activity, activity != "all", !dataset.hasSingleActivity else { return names }
        return names.filter { dataset.activity(ofVideo: $0) == activity }
    }

    /// The activities present, sorted.
    public func activities() throws -> [String] {
        Array(Set(try videoNames().map(dataset.activity(ofVideo:)))).sorted()
    }

    /// The features file of a video: `.txt` if present (the official loader tries it first),
    /// else `.npy`.
    public func featuresPath(video: String) throws -> String {
        let activity = dataset.activity(ofVideo: video)
        let base = directory + "/features/" + (activity.isEmpty ? "" : activity + "/") + video
        if FileSystem.isFile(base + ".txt") { return base + ".txt" }
        if FileSystem.isFile(base + ".npy") { return base + ".npy" }
        throw InputError(base + ".txt", "features file missing (neither .txt nor .npy)",
                         hint: "features go in features/<activity>/<video>.txt or .npy")
    }

    /// Loads a video's features and labels, resolved through `mapping`.
    public func loadVideo(_ name: String, mapping: ActionMapping) throws -> Video {
        try loadVideoFingerprinted(name, mapping: mapping).video
    }

    /// Loads a video as `loadVideo` does, reading each of its two files once: the bytes read are
    /// both parsed and hashed, so the fingerprint entries returned (ground truth, then features)
    /// describe exactly what was parsed.
    public func loadVideoFingerprinted(_ name: String, mapping: ActionMapping) throws -> (video: Video, files: [DataFingerprint.File]) {
        let (videos, files) = try loadVideoFingerprinted(name, mappings: [mapping])
        return (videos[0], files)
    }

    /// A video under several mappings of its labels (50 Salads' two granularities share their
    /// files): one `Video` per mapping, all holding the one features matrix, each file read,
    /// parsed and hashed once.
    public func loadVideoFingerprinted(_ name: String, mappings: [ActionMapping]) throws -> (videos: [Video], files: [DataFingerprint.File]) {
        let labelPath = groundTruthDirectory + "/" + name
        let labelBytes = try FileSystem.readBytes(labelPath)
        let names = try TextFiles.parseLabelNames(bytes: labelBytes, source: labelPath)
        let labelSets = try mappings.map { try $0.ids(for: names, source: labelPath) }
        let featurePath = try featuresPath(video: name)
        if featurePath.hasSuffix(".npy") && FileSystem.isDirectory(featurePath) {
            throw InputError(featurePath, "is a folder, not a .npy file")
        }
        let featureBytes = try FileSystem.readBytes(featurePath)
        let features = try Video.parseFeatures(bytes: featureBytes, path: featurePath)
        guard features.rows == names.count else {
            throw InputError(featurePath, "has \(features.rows) frames but \(labelPath) has \(names.count) labels",
                             hint: "features and ground truth must have one row per frame")
        }
        let files = [DataFingerprint.File(path: relativePath(labelPath), bytes: labelBytes.count,
                                          xxh64: ContentHash.hex(ContentHash.of(labelBytes))),
                     DataFingerprint.File(path: relativePath(featurePath), bytes: featureBytes.count,
                                          xxh64: ContentHash.hex(ContentHash.of(featureBytes)))]
        let activity = dataset.activity(ofVideo: name)
        return (labelSets.map { Video(name: name, activity: activity, features: features, labels: $0) }, files)
    }

    /// A path under the data root, relative to it (as fingerprints name files).
    public func relativePath(_ path: String) -> String {
        let prefix = root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Loads every video of an activity.
    public func loadActivity(_ activity: String?) throws -> (videos: [Video], mapping: ActionMapping) {
        let (names, mapping) = try activityVideos(activity)
        return (try names.map { try loadVideo($0, mapping: mapping) }, mapping)
    }

    /// The video names of an activity and the mapping, checking that the dataset folder exists
    /// and the activity has videos; nothing else is read yet.
    public func activityVideos(_ activity: String?) throws -> (names: [String], mapping: ActionMapping) {
        guard FileSystem.isDirectory(directory) else {
            throw InputError(directory, "dataset folder does not exist",
                             hint: "--data must hold \(dataset.directoryName)/features, groundTruth and mapping (REPRODUCE.md §1)")
        }
        let mapping = try mapping()
        let names = try videoNames(activity: activity)
        guard !names.isEmpty else {
            throw InputError(groundTruthDirectory, "no videos" + (activity.map { " of activity '\($0)'" } ?? ""),
                             hint: "activities here: " + ((try? activities().joined(separator: ", ")) ?? "none"))
        }
        return (names, mapping)
    }
}
