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

/// `Implementation.trainingSteps` on one model.
private func steps<Model: ModelStages>(_ model: Model.Type, _ c: ModelConfiguration, parameters: ModelParameters<Double>,
                                       features: Matrix<Double>, mask: [Bool], videos: Int, settings: ASOTSettings,
                                       learningRate: Double, seed: UInt32) -> () -> Void {
    typealias Scalar = Model.Arithmetic.Scalar
    let batch = Model.Batch(features: features.map { Scalar($0) }, mask: mask, videos: videos)
    var p = parameters.converted(to: Scalar.self)
    var optimizers = p.tensors.map { Adam<Scalar>(count: $0.count, learningRate: Scalar(learningRate)) }
    var generator = MersenneTwister(seed: seed)
    return {
        _ = Model.trainingStep(batch, parameters: &p, optimizers: &optimizers, configuration: c, settings: settings,
                               generator: &generator)
    }
}
