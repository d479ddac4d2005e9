/// What one training run is: dataset, activity, method (with ablation and decoder variant),
/// K, seed and every setting, resolved from `DatasetDefaults` and the command line. A CLOT
/// run's reconstruction choices (`model.choices`) are part of it, so everything that encodes
/// or compares a configuration (checkpoints, metrics.json, results.json) covers them.
public struct RunConfiguration: Sendable, Equatable, Codable {
    public var dataset: DatasetName
    public var activity: String
    public var method: Method
    public var ablation: Ablation?
    public var autoregressiveDecoder: Bool
    public var seed: UInt32
    public var epochs: Int
    public var defaults: DatasetDefaults
    public var model: ModelConfiguration

    /// - Parameter choices: CLOT's reconstruction choices (the ASOT baseline has none of those
    ///   components and keeps the defaults, which are inert there).
    public init(dataset: DatasetName, activity: String, method: Method, ablation: Ablation? = nil,
                autoregressiveDecoder: Bool = false, clusters: Int, seed: UInt32, epochs: Int? = nil,
                choices: ReconstructionChoices = ReconstructionChoices()) {
        self.dataset = dataset
        self.activity = activity
        self.method = method
        self.ablation = ablation
        self.autoregressiveDecoder = autoregressiveDecoder
        self.seed = seed
        let defaults = DatasetDefaults.of(dataset, method: method, table6: method == .clot ? choices.table6Rows : .clot)
        self.defaults = defaults
        self.epochs = epochs ?? defaults.epochs
        var model: ModelConfiguration
        switch method {
        case .asot:
            model = .asot(layerSizes: defaults.layerSizes, clusters: clusters)
        case .clot:
            model = ModelConfiguration()
            model.layerSizes = defaults.layerSizes
            model.clusters = clusters
            model.segmentOffset = defaults.segmentOffset
            model.decoderLayers = defaults.decoderLayers
            model.decoderDropout = defaults.decoderDropout
            model.autoregressiveDecoder = autoregressiveDecoder
            model.memoryPositionSpan = defaults.framesPerVideo
            model.choices = choices
            if let ablation { model.remove(ablation) }
        }
        model.rho = defaults.rho
        self.model = model
    }

    /// A short name for folders and tables: "clot", "clot-no-fd", "clot-autoregressive", "asot",
    /// "asot-untrained" (epochs 0: the k-means-initialised model, the official --eval); a CLOT
    /// run with choices other than the defaults appends each, "clot+refinement-segments=renormalised".
    public var variantName: String {
        var name = method.rawValue
        if let ablation { name += "-" + ablation.rawValue }
        if autoregressiveDecoder { name += "-autoregressive" }
        if epochs == 0 { name += "-untrained" }
        if method == .clot { name += model.choices.differencesFromDefaults.map { "+" + $0 }.joined() }
        return name
    }
}
