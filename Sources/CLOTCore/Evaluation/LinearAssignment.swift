/// Rectangular linear sum assignment: the shortest-augmenting-path method (Jonker–Volgenant
/// style, without initialisation) as described by Crouse [Crouse 2016].
///
/// The order in which columns are scanned and ties broken follows the description in that
/// paper as SciPy's `linear_sum_assignment` applies it: rows are augmented in order, the
/// remaining columns are scanned from the back, and among equally short paths an unassigned
/// column wins. Tied optima therefore resolve the way the official evaluation resolves them,
/// which matters because the sampled F1 depends on which of two tied matchings is chosen
/// (Documentation/Audit.md item 33). `Tests/Numerics/LinearAssignmentTests` checks optimality against brute
/// force and the tie order against SciPy's own answers (`fixtures/golden/lsap.json`).
///
/// [Crouse 2016]: https://doi.org/10.1109/TAES.2016.140952
public enum LinearAssignment {
    /// Solves `min (or max) Σ cost[rows[i]][cols[i]]` over assignments of
    /// `min(rowCount, columnCount)` pairs.
    ///
    /// - Parameters:
    ///   - cost: `r × c` matrix, any shape (empty allowed); entries must be finite.
    ///   - maximize: maximise instead of minimise.
    /// - Returns: row and column indices of the chosen pairs, sorted by row index.
    /// - Complexity: O(r² c) for r ≤ c.
    public static func solve(_ cost: Matrix<Double>, maximize: Bool = false) -> (rows: [Int], columns: [Int]) {
        precondition(cost.isFinite, "linear assignment needs finite costs")
        if cost.rows == 0 || cost.columns == 0 { return ([], []) }
        let transpose = cost.columns < cost.rows
        var work = transpose ? cost.transposed : cost
        if maximize { work.elements = work.elements.map { -$0 } }
        let col4row = augmentAllRows(work)
        if !transpose {
            return (Array(0..<work.rows), col4row)
        }
        // Rows of the transposed problem are the original columns; report by original row.
        let order = (0..<col4row.count).sorted { col4row[$0] < col4row[$1] }
        return (order.map { col4row[$0] }, order)
    }

    /// Assigns every row (rows ≤ columns) by successive shortest augmenting paths.
    private static func augmentAllRows(_ cost: Matrix<Double>) -> [Int] {
        let nr = cost.rows, nc = cost.columns
        var state = DualState(rows: nr, columns: nc)
        for currentRow in 0..<nr {
            let (sink, minimum) = shortestAugmentingPath(cost, from: currentRow, state: &state)
            precondition(sink >= 0, "assignment infeasible")
            updateDuals(currentRow: currentRow, minimum: minimum, state: &state)
            augment(sink: sink, currentRow: currentRow, state: &state)
        }
        return state.col4row
    }

    private struct DualState {
        var u: [Double], v: [Double], shortest: [Double]
        var path: [Int], col4row: [Int], row4col: [Int]
        var scannedRows: [Bool], scannedColumns: [Bool], remaining: [Int]
        init(rows: Int, columns: Int) {
            u = Array(repeating: 0, count: rows)
            v = Array(repeating: 0, count: columns)
            shortest = Array(repeating: .infinity, count: columns)
            path = Array(repeating: -1, count: columns)
            col4row = Array(repeating: -1, count: rows)
            row4col = Array(repeating: -1, count: columns)
            scannedRows = Array(repeating: false, count: rows)
            scannedColumns = Array(repeating: false, count: columns)
            remaining = Array(repeating: 0, count: columns)
        }
    }

    /// Dijkstra over reduced costs from `start`; returns the sink column and the path length.
    private static func shortestAugmentingPath(_ cost: Matrix<Double>, from start: Int,
                                               state s: inout DualState) -> (Int, Double) {
        let nc = cost.columns
        var minimum = 0.0
        var remainingCount = nc
        for it in 0..<nc { s.remaining[it] = nc - it - 1 }
        for i in s.scannedRows.indices { s.scannedRows[i] = false }
        for j in 0..<nc {
            s.scannedColumns[j] = false
            s.shortest[j] = .infinity
        }
        var sink = -1
        var i = start
        while sink == -1 {
            var index = -1
            var lowest = Double.infinity
            s.scannedRows[i] = true
            for it in 0..<remainingCount {
                let j = s.remaining[it]
                let reduced = minimum + cost[i, j] - s.u[i] - s.v[j]
                if reduced < s.shortest[j] {
                    s.path[j] = i
                    s.shortest[j] = reduced
                }
                // Prefer an unassigned column among equally short ones.
                if s.shortest[j] < lowest || (s.shortest[j] == lowest && s.row4col[j] == -1) {
                    lowest = s.shortest[j]
                    index = it
                }
            }
            minimum = lowest
            if minimum == .infinity { return (-1, minimum) }
            let j = s.remaining[index]
            if s.row4col[j] == -1 { sink = j } else { i = s.row4col[j] }
            s.scannedColumns[j] = true
            remainingCount -= 1
            s.remaining[index] = s.remaining[remainingCount]
        }
        return (sink, minimum)
    }

    private static func updateDuals(currentRow: Int, minimum: Double, state s: inout DualState) {
        s.u[currentRow] += minimum
        for i in s.u.indices where s.scannedRows[i] && i != currentRow {
            s.u[i] += minimum - s.shortest[s.col4row[i]]
        }
        for j in s.v.indices where s.scannedColumns[j] {
            s.v[j] -= minimum - s.shortest[j]
        }
    }

    private static func augment(sink: Int, currentRow: Int, state s: inout DualState) {
        var j = sink
        while true {
            let i = s.path[j]
            s.row4col[j] = i
            let previous = s.col4row[i]
            s.col4row[i] = j
            j = previous
            if i == currentRow { break }
        }
    }
}
