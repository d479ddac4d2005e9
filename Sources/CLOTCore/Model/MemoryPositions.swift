/// The positions P the CLOT decoder adds to its memory (the keys and values of its
/// cross-attention), per video of T memory rows, by two choices:
///
///     index_t = t  (position-index absolute)   or   t·L/T  (relative; L = 256, the training length)
///     P_t     = PE(index_t)                     (memory-positions sinusoid)
///     P_t     = W_pos[min(⌊index_t⌋, L − 1)]    (learned: FUTR's table of L rows)
///
/// In training T = L, so both indices are t; at test T is the whole video. Written once for both
/// backends: the table's gather and its gradient are copies and sums in a fixed order; the
/// sinusoid PE is the backend's (`LayerArithmetic.memorySinusoid`).
public enum MemoryPositions<A: LayerArithmetic> {
    /// P for one video of `frames` memory rows, frames × D.
    /// - Precondition: with the learned table, `table` is L × D.
    @inlinable
    public static func forward(frames: Int, dimension d: Int, table: Matrix<A.Scalar>,
                               configuration c: ModelConfiguration) -> Matrix<A.Scalar> {
        switch c.choices.memoryPositions {
        case .sinusoid:
            return A.memorySinusoid(frames: frames, dimension: d, configuration: c)
        case .learned:
            precondition(table.rows == c.memoryPositionSpan && table.columns == d, "position table of the wrong shape")
            var p = A.zeros(frames, d)
            for (t, row) in c.memoryPositionRows(frames: frames).enumerated() {
                for j in 0..<d { p.elements[t * d + j] = table.elements[row * d + j] }
            }
            return p
        }
    }

    /// ∂L/∂W_pos from ∂L/∂P of a batch of videos ((B·T) × D, videos stacked): each row added to
    /// its table row, video by video. Empty (0 × D) with the sinusoid, which has no parameters.
    @inlinable
    public static func backward(frames: Int, batch: Int, outputGradient dP: Matrix<A.Scalar>,
                                configuration c: ModelConfiguration) -> Matrix<A.Scalar> {
        let d = dP.columns
        guard c.choices.memoryPositions == .learned else { return A.zeros(0, d) }
        var dTable = A.zeros(c.memoryPositionSpan, d)
        let rows = c.memoryPositionRows(frames: frames)
        for b in 0..<batch {
            for (t, row) in rows.enumerated() {
                for j in 0..<d { dTable.elements[row * d + j] += dP.elements[(b * frames + t) * d + j] }
            }
        }
        return dTable
    }
}
