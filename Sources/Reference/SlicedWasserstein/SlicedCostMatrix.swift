import CLOTCore

extension Reference {
    /// The frame-to-action cost matrix of the released CLOT `gsw.py` (CLOT Eq. 10, as
    /// released; Documentation/Method.md §4, Documentation/Audit.md item 14):
    ///
    ///     g_p(x) = ‖x − r·θ_p‖                     circular slices, r = 2, p = 1…P
    ///     s(x)   = g(x) / ‖g(x)‖                   each point's slice vector L2-normalised
    ///     S_X    = s(X) sorted down each column     (per projection, over the points)
    ///     C_ij   = ‖S_X[i] − S_Y[j]‖               (`torch.cdist` of the sorted rows)
    ///
    /// Row i of the result is therefore the i-th quantile, not frame i. `directions` (P × d)
    /// are given explicitly, so the result is reproducible (the released code redraws them on
    /// every call). `sorted: false` gives the cdist of the unsorted slices instead.
    /// - Returns: N × M for N frames and M clusters.
    public static func slicedCostMatrix(frames x: Matrix<Double>, clusters y: Matrix<Double>,
                                        directions: Matrix<Double>, radius: Double = 2,
                                        sorted: Bool = true) -> Matrix<Double> {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        var sx = circularSlices(x, directions: directions, radius: radius)
        var sy = circularSlices(y, directions: directions, radius: radius)
        if sorted {
            sx = sortingColumns(sx)
            sy = sortingColumns(sy)
        }
        var cost = Matrix<Double>.zeros(x.rows, y.rows)
        for i in 0..<x.rows {
            for j in 0..<y.rows {
                var sum = 0.0
                for p in 0..<sx.columns { sum += (sx[i, p] - sy[j, p]) * (sx[i, p] - sy[j, p]) }
                cost[i, j] = sum.squareRoot()
            }
        }
        return cost
    }

    /// ‖x_i − r θ_p‖ for every point and direction, each row then L2-normalised (N × P).
    static func circularSlices(_ x: Matrix<Double>, directions: Matrix<Double>, radius: Double) -> Matrix<Double> {
        var slices = Matrix<Double>.zeros(x.rows, directions.rows)
        for i in 0..<x.rows {
            var norm = 0.0
            for p in 0..<directions.rows {
                var sum = 0.0
                for j in 0..<x.columns {
                    let diff = x[i, j] - radius * directions[p, j]
                    sum += diff * diff
                }
                slices[i, p] = sum.squareRoot()
                norm += sum
            }
            // F.normalize divides by max(‖v‖, 1e-12).
            let scale = max(norm.squareRoot(), 1e-12)
            for p in 0..<directions.rows { slices[i, p] /= scale }
        }
        return slices
    }

    /// Each column sorted ascending, independently.
    static func sortingColumns(_ m: Matrix<Double>) -> Matrix<Double> {
        var out = m
        for p in 0..<m.columns {
            let column = (0..<m.rows).map { m[$0, p] }.sorted()
            for i in 0..<m.rows { out[i, p] = column[i] }
        }
        return out
    }
}
