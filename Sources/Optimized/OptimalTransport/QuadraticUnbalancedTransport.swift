import CLOTCore

extension Optimized {
    /// `Reference.solveQuadraticUnbalanced` (whose doc comment has the problem and the
    /// iteration) in Float32: `gsw.py`'s unused `get_opt`, the stage-3 problem when the choice
    /// `stage3-ot` is `l2-unbalanced`. The same iterates; it stops when no entry moves by more
    /// than `tolerance`·max(a, b), with a tolerance Float can meet.
    /// - Returns: the N × K plan, not rescaled.
    public static func solveQuadraticUnbalanced(cost m: Matrix<Float>, regularisation r: Float = 0.1,
                                                marginalPenalty lambda: Float = 0.2, tolerance: Float = 2e-7,
                                                maxIterations: Int = 100_000) -> Matrix<Float> {
        let n = m.rows, k = m.columns
        let a = 1 / Float(n), b = 1 / Float(k), c = a * b
        let lipschitz = r + lambda * Float(n + k)
        let rootKappa = (lipschitz / r).squareRoot()
        let momentum = (rootKappa - 1) / (rootKappa + 1)
        var t = [Float](repeating: c, count: n * k), previous = t, y = t
        var rowExcess = [Float](repeating: 0, count: n), columnExcess = [Float](repeating: 0, count: k)
        m.elements.withUnsafeBufferPointer { mp in
            for _ in 0..<maxIterations {
                for e in 0..<(n * k) { y[e] = t[e] + momentum * (t[e] - previous[e]) }
                for i in 0..<n { rowExcess[i] = -a }
                for j in 0..<k { columnExcess[j] = -b }
                for i in 0..<n {
                    for j in 0..<k { rowExcess[i] += y[i * k + j]; columnExcess[j] += y[i * k + j] }
                }
                swap(&previous, &t)
                var largestMove: Float = 0
                for i in 0..<n {
                    for j in 0..<k {
                        let e = i * k + j
                        let gradient = mp[e] + r * (y[e] - c) + lambda * rowExcess[i] + lambda * columnExcess[j]
                        t[e] = max(0, y[e] - gradient / lipschitz)
                        largestMove = max(largestMove, abs(t[e] - previous[e]))
                    }
                }
                if largestMove <= tolerance * max(a, b) { break }
            }
        }
        return Matrix(rows: n, columns: k, elements: t)
    }
}
