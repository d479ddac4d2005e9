import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// Sliced Wasserstein SW_p (CLOT Eq. 8–9) in Float32: all projections at once as one sgemm
    /// (n × d times d × L), then per direction a sort and the quantile merge of
    /// `Reference.wasserstein1DPower`, accumulated in Double. Agrees with
    /// `Reference.slicedWasserstein` to Float rounding.
    ///
    /// Postconditions and Edge Cases: those of `Reference.slicedWasserstein` with uniform
    /// weights, to Float rounding (relative 1e-4).
    public static func slicedWasserstein(_ x: Matrix<Float>, _ y: Matrix<Float>, directions: Matrix<Float>, p: Double = 2) -> Double {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        let px = project(x, directions), py = project(y, directions)
        let l = directions.rows
        var total = 0.0
        var columnX = [Float](repeating: 0, count: x.rows), columnY = [Float](repeating: 0, count: y.rows)
        for d in 0..<l {
            for i in 0..<x.rows { columnX[i] = px[i * l + d] }
            for i in 0..<y.rows { columnY[i] = py[i * l + d] }
            columnX.sort()
            columnY.sort()
            total += quantileDistancePower(columnX, columnY, p: p)
        }
        return realPower(total / Double(l), 1 / p)
    }

    /// X θᵀ (rows × L), row-major.
    static func project(_ x: Matrix<Float>, _ directions: Matrix<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: x.rows * directions.rows)
        guard x.rows > 0 else { return out }
        gemm(transposeB: true, m: x.rows, n: directions.rows, k: x.columns, x.elements, lda: x.columns,
             directions.elements, ldb: directions.columns, &out, ldc: directions.rows)
        return out
    }
}
