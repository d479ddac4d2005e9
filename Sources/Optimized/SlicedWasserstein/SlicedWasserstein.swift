import CBLAS
import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// Sliced Wasserstein SW_p (CLOT Eq. 8–9) in Float32: all projections at once as one sgemm
    /// (n × d times d × L), then per direction a sort and the quantile merge of
    /// `Reference.wasserstein1DPower`, accumulated in Double. Agrees with
    /// `Reference.slicedWasserstein` to Float rounding.
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
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(x.rows), Int32(directions.rows), Int32(x.columns),
                    1, x.elements, Int32(x.columns), directions.elements, Int32(x.columns), 0, &out, Int32(directions.rows))
        return out
    }

    /// ∫₀¹ |F⁻¹(u) − G⁻¹(u)|^p du for two sorted samples.
    static func quantileDistancePower(_ xs: [Float], _ ys: [Float], p: Double) -> Double {
        let n = Double(xs.count), m = Double(ys.count)
        var i = 0, j = 0
        var position = 0.0, total = 0.0
        while i < xs.count && j < ys.count {
            let nextX = Double(i + 1) / n, nextY = Double(j + 1) / m
            let next = min(nextX, nextY)
            let gap = Double(abs(xs[i] - ys[j]))
            total += (next - position) * (p == 2 ? gap * gap : p == 1 ? gap : realPower(gap, p))
            position = next
            if nextX <= next { i += 1 }
            if nextY <= next { j += 1 }
        }
        return total
    }

    /// The released CLOT sliced cost matrix (see `Reference.slicedCostMatrix`) in Float32. The
    /// circular slices ‖x − rθ‖ = √(‖x‖² − 2r⟨x, θ⟩ + r²‖θ‖²) come from one sgemm; the final
    /// N × M distances between sorted slice rows are summed directly (M is the small cluster
    /// count, and direct differences avoid the cancellation of the ‖a‖² + ‖b‖² − 2ab form).
    public static func slicedCostMatrix(frames x: Matrix<Float>, clusters y: Matrix<Float>, directions: Matrix<Float>,
                                        radius: Float = 2, sorted: Bool = true) -> Matrix<Float> {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        let sx = circularSlices(x, directions, radius: radius, sorted: sorted)
        let sy = circularSlices(y, directions, radius: radius, sorted: sorted)
        let l = directions.rows
        var cost = Matrix<Float>.zeros(x.rows, y.rows)
        for i in 0..<x.rows {
            for j in 0..<y.rows {
                var sum: Float = 0
                for d in 0..<l {
                    let diff = sx[i * l + d] - sy[j * l + d]
                    sum += diff * diff
                }
                cost[i, j] = sum.squareRoot()
            }
        }
        return cost
    }

    /// Row-normalised circular slices, optionally sorted down each column (rows × L).
    static func circularSlices(_ x: Matrix<Float>, _ directions: Matrix<Float>, radius r: Float, sorted: Bool) -> [Float] {
        let l = directions.rows, d = x.columns
        var slices = project(x, directions)
        let thetaNorms = (0..<l).map { p in (0..<d).reduce(Float(0)) { $0 + directions[p, $1] * directions[p, $1] } }
        for i in 0..<x.rows {
            var xNorm: Float = 0
            for j in 0..<d { xNorm += x[i, j] * x[i, j] }
            var rowNorm: Float = 0
            for p in 0..<l {
                let squared = max(0, xNorm - 2 * r * slices[i * l + p] + r * r * thetaNorms[p])
                slices[i * l + p] = squared.squareRoot()
                rowNorm += squared
            }
            let scale = max(rowNorm.squareRoot(), 1e-12)
            for p in 0..<l { slices[i * l + p] /= scale }
        }
        if sorted {
            var column = [Float](repeating: 0, count: x.rows)
            for p in 0..<l {
                for i in 0..<x.rows { column[i] = slices[i * l + p] }
                column.sort()
                for i in 0..<x.rows { slices[i * l + p] = column[i] }
            }
        }
        return slices
    }
}

@inline(__always) func realPower(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
