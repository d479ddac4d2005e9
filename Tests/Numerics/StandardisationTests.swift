import CLOTCore
import Testing
import TestSupport

/// Per-item feature standardisation of the ASOT loader (flag `-s`; Documentation/Method.md §1).
@Suite struct StandardisationTests {
    @Test("a small case worked by hand")
    func byHand() {
        // Rows 0 and 1 are present, row 2 sums to 0. Column 0 over the present rows: mean 2,
        // std 1 → −1, 1. Column 1 is constant (2): 0/0 → NaN → 0. Then ÷ √2.
        let x = Matrix<Double>([[1, 2], [3, 2], [0, 0]])
        let z = Standardisation.standardise(x)
        let r = 1 / 2.0.squareRoot()
        #expect(z.rows == 3 && z.columns == 2)
        expectClose(z[0, 0], -r, tolerance: 1e-15)
        expectClose(z[1, 0], r, tolerance: 1e-15)
        #expect(z[0, 1] == 0 && z[1, 1] == 0)
        #expect(z.row(2) == [0, 0])
    }

    @Test("rows summing to 0 stay 0, even when not all-zero")
    func missingRows() {
        // Row 1 is [1, −1, 0]: its sum is 0, so the official loader treats it as missing too.
        let x = Matrix<Double>([[1, 5, 2], [1, -1, 0], [4, 2, 9], [0, 0, 0], [2, 7, 1]])
        let z = Standardisation.standardise(x)
        #expect(z.row(1) == [0, 0, 0] && z.row(3) == [0, 0, 0])
        #expect(z.row(0) != [0, 0, 0])
    }

    /// Means and variances over ≤ 50 rows of O(1) values: rounding stays far below 1e-12.
    static let momentTolerance = 1e-12

    @Test("present rows: column mean 0 and (ddof 0) standard deviation 1/√d", arguments: 0..<10)
    func moments(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        let n = 40, d = 6
        var x = Matrix<Double>.zeros(n, d)
        var present: [Int] = []
        for i in 0..<n {
            // About one row in five is left all-zero (a frame without trajectories).
            if generator.uniform() < 0.2 { continue }
            present.append(i)
            for j in 0..<d { x[i, j] = 3 * generator.gaussian() + Double(j) }
        }
        let z = Standardisation.standardise(x)
        for i in 0..<n where !present.contains(i) { #expect(z.row(i) == Array(repeating: 0, count: d)) }
        let m = Double(present.count)
        for j in 0..<d {
            let mean = present.reduce(0) { $0 + z[$1, j] } / m
            let variance = present.reduce(0) { $0 + (z[$1, j] - mean) * (z[$1, j] - mean) } / m
            expectClose(mean, 0, tolerance: Self.momentTolerance, "column \(j) mean")
            expectClose(variance.squareRoot(), 1 / Double(d).squareRoot(), tolerance: Self.momentTolerance, "column \(j) std")
        }
    }

    @Test("constant columns become 0, not NaN; an item with no present rows stays all 0")
    func degenerate() {
        // Values chosen so the column mean is exact (3 · 0.5 / 3): the deviations are exactly 0.
        let x = Matrix<Double>([[0.5, 1, 4], [0.5, 2, 4], [0.5, 6, 4]])
        let z = Standardisation.standardise(x)
        #expect(z.elements.allSatisfy { $0.isFinite })
        for i in 0..<3 { #expect(z[i, 0] == 0 && z[i, 2] == 0) }
        #expect(z[0, 1] != 0)

        let zeros = Standardisation.standardise(Matrix<Double>.zeros(4, 3))
        #expect(zeros == Matrix<Double>.zeros(4, 3))

        // One present row: every deviation is 0 over a 0 standard deviation.
        let single = Standardisation.standardise(Matrix<Double>([[1, 2], [0, 0]]))
        #expect(single == Matrix<Double>.zeros(2, 2))
    }
}
