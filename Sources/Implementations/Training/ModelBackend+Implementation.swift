import CLOTCore
import Optimized
import Reference

extension Implementation {
    /// A model to train on this implementation, holding `parameters` and fresh Adam states.
    public func modelBackend(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>,
                             learningRate: Double, weightDecay: Double) -> any ModelBackend {
        switch self {
        case .reference:
            TrainedModel<Reference.CLOTModel>(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .optimized:
            TrainedModel<Optimized.CLOTModel>(configuration, parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
