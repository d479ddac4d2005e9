import CLOTCore
import Foundation

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
