import CLOTCore
import Foundation
import Optimized

struct OptimizedBackend: ModelBackend {
    var configuration: ModelConfiguration
    var current: ModelParameters<Float>
    var optimizers: [Adam<Float>]

    init(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>, learningRate: Double, weightDecay: Double) {
        self.configuration = configuration
        current = parameters.converted(to: Float.self)
        optimizers = current.tensors.map { Adam(count: $0.count, learningRate: Float(learningRate), weightDecay: Float(weightDecay)) }
    }

    var parameters: ModelParameters<Double> { current.converted(to: Double.self) }

    func embed(_ features: Matrix<Double>) -> Matrix<Double> {
        Optimized.CLOTModel.embed(features.float32, parameters: current).float64
    }

    mutating func initialiseActions(kMeansOn embeddings: Matrix<Double>, clusters: Int, using generator: inout MersenneTwister) {
        current.actions = Optimized.kMeans(embeddings.float32, clusters: clusters, using: &generator).centers
    }

    mutating func step(_ batch: TrainingBatch, settings: ASOTSettings, using generator: inout MersenneTwister) -> Double {
        let input = Optimized.CLOTModel.Batch(features: batch.features.float32, mask: batch.mask, videos: batch.videos)
        return Double(Optimized.CLOTModel.trainingStep(input, parameters: &current, optimizers: &optimizers, configuration: configuration,
                                                       settings: settings, generator: &generator).total)
    }

    func predict(_ features: Matrix<Double>, settings: ASOTSettings, using generator: inout MersenneTwister) -> [Int] {
        Optimized.CLOTModel.predict(features.float32, parameters: current, configuration: configuration, settings: settings, generator: &generator)
    }

    func checkpoint() throws -> Data { BackendState.pack(current, optimizers) }

    mutating func restore(_ data: Data) throws { try BackendState.unpack(data, into: &current, &optimizers) }
}
