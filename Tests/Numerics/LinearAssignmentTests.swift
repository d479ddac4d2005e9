import CLOTCore
import Testing
import TestSupport

/// `LinearAssignment.solve` against brute force (optimality) and against SciPy (tie order).
@Suite struct LinearAssignmentTests {
    // Real-valued totals of at most 6 terms summed in different orders: a few ulps of the
    // entries' magnitude (≤ 10) suffice; 1e-12 leaves a wide margin. (`Tolerance.rounding`)

    /// The best total over every assignment of min(r, c) pairs, by enumerating all injective
    /// maps from the smaller side into the larger one.
    static func bruteForceOptimum(_ cost: Matrix<Double>, maximize: Bool) -> Double {
        let transpose = cost.rows > cost.columns
        let small = transpose ? cost.columns : cost.rows
        let large = transpose ? cost.rows : cost.columns
        func entry(_ s: Int, _ l: Int) -> Double { transpose ? cost[l, s] : cost[s, l] }
        var best = maximize ? -Double.infinity : Double.infinity
        var used = [Bool](repeating: false, count: large)
        func extend(_ s: Int, _ total: Double) {
            if s == small {
                best = maximize ? max(best, total) : min(best, total)
                return
            }
            for l in 0..<large where !used[l] {
                used[l] = true
                extend(s + 1, total + entry(s, l))
                used[l] = false
            }
        }
        extend(0, 0)
        return best
    }

    /// A random r × c matrix: integers in 0...3 (many ties) or reals in [−5, 5).
    static func randomMatrix(_ rows: Int, _ columns: Int, integer: Bool,
                             using generator: inout MersenneTwister) -> Matrix<Double> {
        let elements = (0..<(rows * columns)).map { _ in
            integer ? Double(generator.integer(in: 0...3)) : 10 * generator.uniform() - 5
        }
        return Matrix(rows: rows, columns: columns, elements: elements)
    }

    static func expectValidAssignment(_ result: (rows: [Int], columns: [Int]), for cost: Matrix<Double>,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
        let pairs = min(cost.rows, cost.columns)
        #expect(result.rows.count == pairs && result.columns.count == pairs, sourceLocation: sourceLocation)
        #expect(zip(result.rows, result.rows.dropFirst()).allSatisfy { $0 < $1 }, "rows not strictly increasing: \(result.rows)",
                sourceLocation: sourceLocation)
        #expect(Set(result.columns).count == result.columns.count, "columns repeat: \(result.columns)",
                sourceLocation: sourceLocation)
        #expect(result.rows.allSatisfy { (0..<cost.rows).contains($0) }, sourceLocation: sourceLocation)
        #expect(result.columns.allSatisfy { (0..<cost.columns).contains($0) }, sourceLocation: sourceLocation)
    }

    @Test("optimal total equals brute force on random small matrices", arguments: 0..<40)
    func matchesBruteForce(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        for _ in 0..<6 {
            let rows = generator.integer(in: 1...6), columns = generator.integer(in: 1...6)
            for integer in [true, false] {
                // Both orientations of the same entries.
                let cost = Self.randomMatrix(rows, columns, integer: integer, using: &generator)
                for matrix in [cost, cost.transposed] {
                    for maximize in [true, false] {
                        let result = LinearAssignment.solve(matrix, maximize: maximize)
                        Self.expectValidAssignment(result, for: matrix)
                        let total = zip(result.rows, result.columns).reduce(0.0) { $0 + matrix[$1.0, $1.1] }
                        let best = Self.bruteForceOptimum(matrix, maximize: maximize)
                        expectClose(total, best, tolerance: Tolerance.rounding,
                                    "\(matrix.rows)×\(matrix.columns) maximize=\(maximize) \(matrix.nestedRows)")
                    }
                }
            }
        }
    }

    @Test("all-equal entries: any assignment is optimal, still a valid one")
    func allTied() {
        for (r, c) in [(1, 1), (3, 3), (2, 5), (5, 2)] {
            let cost = Matrix(rows: r, columns: c, repeating: 1.0)
            let result = LinearAssignment.solve(cost, maximize: true)
            Self.expectValidAssignment(result, for: cost)
        }
    }

    @Test("a diagonal optimum is found in either direction")
    func diagonal() {
        let cost = Matrix<Double>([[5, 1, 1], [1, 5, 1], [1, 1, 5]])
        let maxResult = LinearAssignment.solve(cost, maximize: true)
        #expect(maxResult.rows == [0, 1, 2] && maxResult.columns == [0, 1, 2])
        let minResult = LinearAssignment.solve(cost, maximize: false)
        #expect(minResult.columns.enumerated().allSatisfy { $0.offset != $0.element })
    }

    @Test("empty matrices give empty assignments", arguments: [[0, 0], [0, 3], [3, 0]])
    func empty(shape: [Int]) {
        let cost = Matrix<Double>(rows: shape[0], columns: shape[1], elements: [])
        for maximize in [true, false] {
            let result = LinearAssignment.solve(cost, maximize: maximize)
            #expect(result.rows.isEmpty && result.columns.isEmpty)
        }
    }

    // MARK: Tie order against SciPy

    struct SciPyCase: Decodable {
        var matrix: [[Double]]
        var maximize: Bool
        var rows: [Int]
        var cols: [Int]
    }

    struct SciPyFixture: Decodable {
        var source: String
        var cases: [SciPyCase]
    }

    static let lsapFixture = "golden/lsap.json"

    @Test("same rows and columns as scipy.optimize.linear_sum_assignment, ties included",
          .enabled(if: fixtureExists(lsapFixture), "fixtures/golden/lsap.json is missing"))
    func tieOrderMatchesSciPy() throws {
        let fixture: SciPyFixture = try loadFixture(Self.lsapFixture)
        #expect(!fixture.cases.isEmpty)
        var mismatches = 0
        for (index, c) in fixture.cases.enumerated() {
            let cost = Matrix<Double>(c.matrix)
            let result = LinearAssignment.solve(cost, maximize: c.maximize)
            if result.rows != c.rows || result.columns != c.cols {
                mismatches += 1
                Issue.record("""
                    case \(index) (\(cost.rows)×\(cost.columns), maximize=\(c.maximize)) \(c.matrix): \
                    got rows \(result.rows) cols \(result.columns), SciPy rows \(c.rows) cols \(c.cols)
                    """)
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(fixture.cases.count) cases differ from SciPy")
    }
}
