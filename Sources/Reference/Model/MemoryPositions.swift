import CLOTCore

extension Reference {
    /// The positions P the decoder adds to its memory (keys and values of the cross-attention),
    /// per video of T memory rows, by two choices:
    ///
    ///     index_t = t  (position-index absolute)   or   t·L/T  (relative; L = 256, the training length)
    ///     P_t     = PE(index_t)                     (memory-positions sinusoid)
    ///     P_t     = W_pos[min(⌊index_t⌋, L − 1)]    (learned: FUTR's table of L rows)
    ///
    /// In training T = L, so both indices are t; at test T is the whole video.
    public enum MemoryPositions {
        /// P for one video of `frames` memory rows, frames × D.
        public static func forward(frames: Int, dimension d: Int, table: Matrix<Double>,
                                   configuration c: ModelConfiguration) -> Matrix<Double> {
            switch c.choices.memoryPositions {
            case .sinusoid:
                return SinusoidalPositions.forward(positions: c.memoryPositionIndices(frames: frames), dimension: d)
            case .learned:
                precondition(table.rows == c.memoryPositionSpan && table.columns == d, "position table of the wrong shape")
                var p = Matrix<Double>.zeros(frames, d)
                for (t, row) in c.memoryPositionRows(frames: frames).enumerated() {
                    for j in 0..<d { p[t, j] = table[row, j] }
                }
                return p
            }
        }

        /// ∂L/∂W_pos from ∂L/∂P of a batch of videos ((B·T) × D, videos stacked): each row added
        /// to its table row. Empty (0 × D) with the sinusoid, which has no parameters.
        public static func backward(frames: Int, batch: Int, outputGradient dP: Matrix<Double>,
                                    configuration c: ModelConfiguration) -> Matrix<Double> {
            guard c.choices.memoryPositions == .learned else { return .zeros(0, dP.columns) }
            var dTable = Matrix<Double>.zeros(c.memoryPositionSpan, dP.columns)
            let rows = c.memoryPositionRows(frames: frames)
            for b in 0..<batch {
                for (t, row) in rows.enumerated() {
                    for j in 0..<dP.columns { dTable[row, j] += dP[b * frames + t, j] }
                }
            }
            return dTable
        }
    }
}
