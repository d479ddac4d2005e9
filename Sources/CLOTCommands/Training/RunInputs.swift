import CLOTCore

/// What a training run reads: one activity's videos and mapping, loaded once, with the
/// fingerprint of the files they came from. Loaded once per activity and shared by every run
/// of it (`clot reproduce` runs several methods and seeds on one activity).
struct RunInputs {
    var layout: DatasetLayout
    /// The activity key the videos were selected by ("coffee"; "all" for single-activity datasets).
    var activity: String
    var videos: [Video]
    var mapping: ActionMapping
    /// Names, sizes and content hashes of the mapping, ground-truth and features files.
    var data: DataFingerprint

    static func load(_ layout: DatasetLayout, activity: String) throws -> RunInputs {
        let (videos, mapping) = try layout.loadActivity(activity)
        return RunInputs(layout: layout, activity: activity, videos: videos, mapping: mapping,
                         data: try layout.fingerprint(videos: videos.map(\.name)))
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
        // k-means clusters the embeddings of one epoch of sampled frames (padding included):
        // it needs at least K of them. (A video shorter than K frames is decoded as it is.)
        let clusters = configuration.model.clusters
        let points = videos.count * configuration.defaults.framesPerVideo
        if clusters > points {
            throw InputError("--clusters", "K = \(clusters) exceeds the \(points) sampled frames k-means initialises from "
                             + "(\(videos.count) videos × \(configuration.defaults.framesPerVideo))")
        }
    }
}
