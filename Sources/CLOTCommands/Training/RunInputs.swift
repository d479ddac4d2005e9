import CLOTCore

/// What a training run reads: one activity's videos and mapping, loaded once, with the
/// fingerprint of the files they came from. `clot train` loads it for its one run; `clot
/// reproduce` loads it once per activity (`SharedActivity`) and shares it between every run of
/// the activity.
struct RunInputs: Sendable {
    var layout: DatasetLayout
    /// The activity key the videos were selected by ("coffee"; "all" for single-activity datasets).
    var activity: String
    var videos: [Video]
    var mapping: ActionMapping
    /// Names, sizes and content hashes of the mapping, ground-truth and features files: of the
    /// very bytes that were parsed (each file is read once, then parsed and hashed).
    var data: DataFingerprint

    static func load(_ layout: DatasetLayout, activity: String) throws -> RunInputs {
        let (names, mapping) = try layout.activityVideos(activity)
        var videos: [Video] = []
        var files = [try layout.mappingFingerprint()]
        for name in names {
            let (video, entries) = try layout.loadVideoFingerprinted(name, mapping: mapping)
            videos.append(video)
            files += entries
        }
        return RunInputs(layout: layout, activity: activity, videos: videos, mapping: mapping, data: DataFingerprint(files: files))
    }

    /// The checks a run's configuration must pass against this data before anything trains,
    /// each naming the file or flag at fault (the model would otherwise trap deep inside).
    func check(_ configuration: RunConfiguration) throws {
        let width = configuration.model.layerSizes[0]
        for video in videos where video.features.columns != width {
            let path = (try? layout.featuresPath(video: video.name)) ?? video.name
            throw InputError(path, "has \(video.features.columns) features per frame, but \(configuration.dataset.rawValue) "
                             + "models take \(width)", hint: "every features file of a dataset needs the dataset's feature width")
        }
        try Self.checkClusters(configuration, videos: videos.count)
    }

    /// k-means clusters the embeddings of one epoch of sampled frames (padding included): it
    /// needs at least K of them. (A video shorter than K frames is decoded as it is.)
    static func checkClusters(_ configuration: RunConfiguration, videos: Int) throws {
        let clusters = configuration.model.clusters
        let points = videos * configuration.defaults.framesPerVideo
        if clusters > points {
            throw InputError("--clusters", "K = \(clusters) exceeds the \(points) sampled frames k-means initialises from "
                             + "(\(videos) videos × \(configuration.defaults.framesPerVideo))")
        }
    }
}
