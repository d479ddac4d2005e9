import CLOTCore

/// The backend a run trains on, holding `parameters` and fresh Adam states.
func makeBackend(_ backend: Backend, _ configuration: ModelConfiguration, parameters: ModelParameters<Double>,
                 learningRate: Double, weightDecay: Double) throws -> any ModelBackend {
    switch backend {
    case .reference:
        return ReferenceBackend(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
    case .optimized:
        return OptimizedBackend(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
    }
}
