import CLOTCore
import Synchronization

extension Optimized {
    /// The decoder's memory positions P in Float32; the same rule as
    /// `Reference.MemoryPositions`, whose doc comment has it: a sinusoid at index t or t·L/T,
    /// or rows of FUTR's learnable L × D table.
    public enum MemoryPositions {
        /// P for one video of `frames` memory rows, frames × D.
        public static func forward(frames: Int, dimension d: Int, table: Matrix<Float>,
                                   configuration c: ModelConfiguration) -> Matrix<Float> {
            switch c.choices.memoryPositions {
            case .sinusoid:
                return sinusoid(frames: frames, dimension: d, index: c.choices.positionIndex, span: c.memoryPositionSpan,
                                indices: { c.memoryPositionIndices(frames: frames) })
            case .learned:
                precondition(table.rows == c.memoryPositionSpan && table.columns == d, "position table of the wrong shape")
                var p = Matrix<Float>.uninitialized(frames, d)
                let rows = c.memoryPositionRows(frames: frames)
                table.elements.withUnsafeBufferPointer { tp in
                    p.elements.withUnsafeMutableBufferPointer { pp in
                        for (t, row) in rows.enumerated() {
                            for j in 0..<d { pp[t * d + j] = tp[row * d + j] }
                        }
                    }
                }
                return p
            }
        }

        /// ∂L/∂W_pos from ∂L/∂P of B stacked videos; 0 × D with the sinusoid.
        public static func backward(frames: Int, batch: Int, outputGradient dP: Matrix<Float>,
                                    configuration c: ModelConfiguration) -> Matrix<Float> {
            let d = dP.columns
            guard c.choices.memoryPositions == .learned else { return CLOTModel.zeros(0, d) }
            var dTable = CLOTModel.zeros(c.memoryPositionSpan, d)
            let rows = c.memoryPositionRows(frames: frames)
            dP.elements.withUnsafeBufferPointer { gp in
                dTable.elements.withUnsafeMutableBufferPointer { tp in
                    for b in 0..<batch {
                        for (t, row) in rows.enumerated() {
                            for j in 0..<d { tp[row * d + j] += gp[(b * frames + t) * d + j] }
                        }
                    }
                }
            }
            return dTable
        }

        /// The sinusoid of the last (length, dimension, index rule) asked for: a training run asks
        /// for one, the batch's T, every step, and one sine or cosine per entry is ~5% of a step.
        private struct Key: Equatable { var frames: Int, dimension: Int, index: ReconstructionChoices.PositionIndex, span: Int }
        private static let cache = Mutex<(key: Key, positions: Matrix<Float>)?>(nil)

        static func sinusoid(frames: Int, dimension d: Int, index: ReconstructionChoices.PositionIndex, span: Int,
                             indices: () -> [Double]) -> Matrix<Float> {
            let key = Key(frames: frames, dimension: d, index: index, span: span)
            if let hit = cache.withLock({ entry -> Matrix<Float>? in entry?.key == key ? entry?.positions : nil }) { return hit }
            let positions = SinusoidalPositions.forward(positions: indices(), dimension: d)
            cache.withLock { $0 = (key, positions) }
            return positions
        }
    }
}
