import CLOTCore
import Synchronization

extension Optimized {
    /// The decoder's sinusoidal memory positions in Float32 (`SinusoidalPositions` at the
    /// configuration's indices), kept for the last (length, width, index rule, span) asked for:
    /// a training run asks for one, the batch's T, every step, and one sine or cosine per entry
    /// is about 5% of a step. Thread-safe; a hit returns the same bits as a fresh computation.
    enum MemorySinusoidCache {
        private struct Key: Equatable { var frames: Int, dimension: Int, index: ReconstructionChoices.PositionIndex, span: Int }
        private static let cache = Mutex<(key: Key, positions: Matrix<Float>)?>(nil)

        /// PE(index_t) for one video of `frames` rows, frames × D.
        static func positions(frames: Int, dimension d: Int, configuration c: ModelConfiguration) -> Matrix<Float> {
            let key = Key(frames: frames, dimension: d, index: c.choices.positionIndex, span: c.memoryPositionSpan)
            if let hit = cache.withLock({ entry -> Matrix<Float>? in entry?.key == key ? entry?.positions : nil }) { return hit }
            let positions = SinusoidalPositions.forward(positions: c.memoryPositionIndices(frames: frames), dimension: d)
            cache.withLock { $0 = (key, positions) }
            return positions
        }
    }
}
