import CLOTCore

extension Implementation {
    /// A model to train on this implementation, holding `parameters` and fresh Adam states.
    public func modelBackend(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>,
                             learningRate: Double, weightDecay: Double) -> any ModelBackend {
        switch self {
        case .reference:
            ReferenceBackend(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .optimized:
            OptimizedBackend(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
