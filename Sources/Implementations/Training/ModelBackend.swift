import CLOTCore
import Foundation
import Optimized
import Reference

/// What the training loop needs from an implementation, Double at the boundary. `Reference`
/// trains in Double with plain loops, `Optimized` in Float32; both see the same batches and
/// draws. `Implementation.modelBackend(…)` makes one.
public protocol ModelBackend {
    /// The parameters, widened to Double (for checkpoints and reports).
    var parameters: ModelParameters<Double> { get }
    /// L2-normalised encoder embeddings of raw features (what k-means clusters).
    func embed(_ features: Matrix<Double>) -> Matrix<Double>
    /// Sets A to the k-means centres (as they are: the official code does not renormalise them).
    mutating func initialiseActions(kMeansOn embeddings: Matrix<Double>, clusters: Int, using generator: inout MersenneTwister)
    /// One optimiser step; returns the loss.
    mutating func step(_ batch: TrainingBatch, settings: ASOTSettings, using generator: inout MersenneTwister) -> Double
    /// Per-frame labels of a whole video.
    func predict(_ features: Matrix<Double>, settings: ASOTSettings, using generator: inout MersenneTwister) -> [Int]
    /// Parameters and optimiser states, for a checkpoint.
    func checkpoint() throws -> Data
    /// Restores what `checkpoint()` saved.
    mutating func restore(_ data: Data) throws
}

/// A backend's resumable state — every parameter tensor and both Adam moments of each, in
/// `ModelParameters.tensors` order, as one flat `.npy` array (exact, and fast to write every
/// epoch), then the optimiser step count.
enum BackendState {
    static func pack<S: BinaryFloatingPoint & Codable & Sendable>(_ p: ModelParameters<S>, _ optimizers: [Adam<S>]) -> Data {
        var values: [Double] = []
        for t in p.tensors { values += t.map(Double.init) }
        for o in optimizers { values += o.firstMoment.map(Double.init) + o.secondMoment.map(Double.init) }
        values.append(Double(optimizers.first?.step ?? 0))
        let array = S.self == Float.self ? NPYArray(shape: [values.count], values: .float32(values.map(Float.init)))
                                         : NPYArray(shape: [values.count], values: .float64(values))
        return Data(NPY.encode(array))
    }

    /// Restores into `p` and `optimizers`, whose shapes must be those that were packed.
    static func unpack<S: BinaryFloatingPoint & Codable & Sendable>(_ data: Data, into p: inout ModelParameters<S>,
                                                                    _ optimizers: inout [Adam<S>]) throws {
        let values = try NPY.decode([UInt8](data), source: "checkpoint").doubles
        var tensors = p.tensors
        let needed = tensors.reduce(0) { $0 + 3 * $1.count } + 1
        guard values.count == needed else { throw InputError("checkpoint", "holds \(values.count) values, this model needs \(needed)") }
        var offset = 0
        func take(_ n: Int) -> [S] {
            defer { offset += n }
            return values[offset..<(offset + n)].map { S($0) }
        }
        for i in tensors.indices { tensors[i] = take(tensors[i].count) }
        for i in optimizers.indices {
            optimizers[i].firstMoment = take(tensors[i].count)
            optimizers[i].secondMoment = take(tensors[i].count)
            optimizers[i].step = Int(values[values.count - 1])
        }
        p.tensors = tensors
    }
}

struct ReferenceBackend: ModelBackend {
    var configuration: ModelConfiguration
    var current: ModelParameters<Double>
    var optimizers: [Adam<Double>]

    init(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>, learningRate: Double, weightDecay: Double) {
        self.configuration = configuration
        current = parameters
        optimizers = parameters.tensors.map { Adam(count: $0.count, learningRate: learningRate, weightDecay: weightDecay) }
    }

    var parameters: ModelParameters<Double> { current }

    func embed(_ features: Matrix<Double>) -> Matrix<Double> {
        Reference.CLOTModel.embed(features, parameters: current)
    }

    mutating func initialiseActions(kMeansOn embeddings: Matrix<Double>, clusters: Int, using generator: inout MersenneTwister) {
        current.actions = Reference.kMeans(embeddings, clusters: clusters, using: &generator).centers
    }

    mutating func step(_ batch: TrainingBatch, settings: ASOTSettings, using generator: inout MersenneTwister) -> Double {
        let input = Reference.CLOTModel.Batch(features: batch.features, mask: batch.mask, videos: batch.videos)
        return Reference.CLOTModel.trainingStep(input, parameters: &current, optimizers: &optimizers, configuration: configuration,
                                                settings: settings, generator: &generator).total
    }

    func predict(_ features: Matrix<Double>, settings: ASOTSettings, using generator: inout MersenneTwister) -> [Int] {
        Reference.CLOTModel.predict(features, parameters: current, configuration: configuration, settings: settings, generator: &generator)
    }

    func checkpoint() throws -> Data { BackendState.pack(current, optimizers) }

    mutating func restore(_ data: Data) throws { try BackendState.unpack(data, into: &current, &optimizers) }
}
