import CLOTCore
import Optimized
import Reference

extension Implementation {
    /// One training step of `configuration` per call on this implementation, each call
    /// continuing the training: the batch and the parameters are converted to the
    /// implementation's scalar once, here, so a call costs exactly one `trainingStep` (what
    /// `clot bench --suite step` times). Adam without weight decay; the generator is seeded
    /// with `seed`, so both implementations draw the same masks and directions.
    public func trainingSteps(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>, features: Matrix<Double>,
                              mask: [Bool], videos: Int, settings: ASOTSettings, learningRate: Double,
                              seed: UInt32) -> () -> Void {
        switch self {
        case .reference:
            steps(Reference.CLOTModel.self, configuration, parameters: parameters, features: features, mask: mask, videos: videos,
                  settings: settings, learningRate: learningRate, seed: seed)
        case .optimized:
            steps(Optimized.CLOTModel.self, configuration, parameters: parameters, features: features, mask: mask, videos: videos,
                  settings: settings, learningRate: learningRate, seed: seed)
        }
    }
}

/// `Implementation.trainingSteps` on one model: a `TrainedModel` and its batch, converted once.
private func steps<Model: ModelStages>(_ model: Model.Type, _ c: ModelConfiguration, parameters: ModelParameters<Double>,
                                       features: Matrix<Double>, mask: [Bool], videos: Int, settings: ASOTSettings,
                                       learningRate: Double, seed: UInt32) -> () -> Void {
    var trained = TrainedModel<Model>(c, parameters: parameters, learningRate: learningRate, weightDecay: 0)
    let batch = Model.Batch(features: features.map { Model.Arithmetic.Scalar($0) }, mask: mask, videos: videos)
    var generator = MersenneTwister(seed: seed)
    return { _ = trained.step(batch, settings: settings, using: &generator) }
}
