import CLOTCore
import Foundation

/// A `ModelBackend` on one implementation's `CLOTModel` (`Reference.CLOTModel` in Double,
/// `Optimized.CLOTModel` in Float32): the model's parameters and one Adam state per tensor, in
/// the implementation's scalar. Inputs arrive in Double and are rounded once to the scalar;
/// the loss and the parameters are widened back.
struct TrainedModel<Model: ModelStages>: ModelBackend {
    typealias Scalar = Model.Arithmetic.Scalar
    var configuration: ModelConfiguration
    var current: ModelParameters<Scalar>
    var optimizers: [Adam<Scalar>]

    init(_ configuration: ModelConfiguration, parameters: ModelParameters<Double>, learningRate: Double, weightDecay: Double) {
        self.configuration = configuration
        current = parameters.converted(to: Scalar.self)
        optimizers = current.tensors.map { Adam(count: $0.count, learningRate: Scalar(learningRate), weightDecay: Scalar(weightDecay)) }
    }

    var parameters: ModelParameters<Double> { current.converted(to: Double.self) }

    func embed(_ features: Matrix<Double>) -> Matrix<Double> {
        Model.embed(features.map { Scalar($0) }, parameters: current).map { Double($0) }
    }

    mutating func initialiseActions(kMeansOn embeddings: Matrix<Double>, clusters: Int, using generator: inout MersenneTwister) {
        current.actions = Model.kMeansCenters(embeddings.map { Scalar($0) }, clusters: clusters, generator: &generator)
    }

    mutating func step(_ batch: TrainingBatch, settings: ASOTSettings, using generator: inout MersenneTwister) -> Double {
        step(Model.Batch(features: batch.features.map { Scalar($0) }, mask: batch.mask, videos: batch.videos),
             settings: settings, using: &generator)
    }

    /// One optimiser step on a batch already in the model's scalar; returns the loss.
    mutating func step(_ batch: Model.Batch, settings: ASOTSettings, using generator: inout MersenneTwister) -> Double {
        Double(Model.trainingStep(batch, parameters: &current, optimizers: &optimizers, configuration: configuration,
                                  settings: settings, generator: &generator).total)
    }

    func predict(_ features: Matrix<Double>, settings: ASOTSettings, using generator: inout MersenneTwister) -> [Int] {
        Model.predict(features.map { Scalar($0) }, parameters: current, configuration: configuration, settings: settings,
                      generator: &generator)
    }

    /// Every parameter tensor and both Adam moments of each, in `ModelParameters.tensors` order,
    /// as one flat `.npy` array in the scalar (exact, and fast to write every epoch), then the
    /// optimiser step count.
    func checkpoint() throws -> Data {
        var values: [Double] = []
        for t in current.tensors { values += t.map(Double.init) }
        for o in optimizers { values += o.firstMoment.map(Double.init) + o.secondMoment.map(Double.init) }
        values.append(Double(optimizers.first?.step ?? 0))
        let array = Scalar.self == Float.self ? NPYArray(shape: [values.count], values: .float32(values.map(Float.init)))
                                              : NPYArray(shape: [values.count], values: .float64(values))
        return Data(NPY.encode(array))
    }

    /// Restores what `checkpoint()` saved; the shapes must be this model's.
    mutating func restore(_ data: Data) throws {
        let values = try NPY.decode([UInt8](data), source: "checkpoint").doubles
        var tensors = current.tensors
        let needed = tensors.reduce(0) { $0 + 3 * $1.count } + 1
        guard values.count == needed else { throw InputError("checkpoint", "holds \(values.count) values, this model needs \(needed)") }
        var offset = 0
        func take(_ n: Int) -> [Scalar] {
            defer { offset += n }
            return values[offset..<(offset + n)].map { Scalar($0) }
        }
        for i in tensors.indices { tensors[i] = take(tensors[i].count) }
        for i in optimizers.indices {
            optimizers[i].firstMoment = take(tensors[i].count)
            optimizers[i].secondMoment = take(tensors[i].count)
            optimizers[i].step = Int(values[values.count - 1])
        }
        current.tensors = tensors
    }
}
