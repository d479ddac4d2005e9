/// What one training run is: dataset, activity, method (with ablation and decoder variant),
/// K, seed and every setting, resolved from `DatasetDefaults` and the command line.
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

    public init(dataset: DatasetName, activity: String, method: Method, ablation: Ablation? = nil,
                autoregressiveDecoder: Bool = false, clusters: Int, seed: UInt32, epochs: Int? = nil) {
        self.dataset = dataset
        self.activity = activity
        self.method = method
        self.ablation = ablation
        self.autoregressiveDecoder = autoregressiveDecoder
        self.seed = seed
        let defaults = DatasetDefaults.of(dataset, method: method)
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
            switch ablation {
            case .noSWD: model.useSlicedWasserstein = false
            case .noFD: model.useFeatureDispatching = false
            case .noDecoder: model.useDecoder = false
            case .noRefinement: model.useRefinement = false
            case nil: break
            }
        }
        model.rho = defaults.rho
        self.model = model
    }

    /// A short name for folders and tables: "clot", "clot-no-fd", "clot-autoregressive", "asot",
    /// "asot-untrained" (epochs 0: the k-means-initialised model, the official --eval).
    public var variantName: String {
        var name = method.rawValue
        if let ablation { name += "-" + ablation.rawValue }
        if autoregressiveDecoder { name += "-autoregressive" }
        if epochs == 0 { name += "-untrained" }
        return name
    }
}
