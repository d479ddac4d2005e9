import CLOTCore
import Foundation
import Testing
@testable import Optimized

/// The Optimized layers' row and column kernels against the plain loops they stand for: the
/// same sums in the same order, so the same bits (the frozen training results depend on it).
@Suite struct LayerKernelTests {
    static func values(_ count: Int, seed: UInt32) -> [Float] {
        var g = MersenneTwister(seed: seed)
        return (0..<count).map { _ in Float(g.gaussian()) * (g.uniform() < 0.1 ? 1000 : 1) }
    }

    @Test("rowDots gives each row's column-order sum", arguments: [(1, 1), (3, 7), (7, 256), (8, 40), (9, 13), (17, 64), (512, 40)])
    func rowDotsMatch(rows: Int, n: Int) {
        let lda = n + 3, ldb = n + 1
        let a = Self.values(rows * lda, seed: 1), b = Self.values(rows * ldb, seed: 2)
        var out = [Float](repeating: .nan, count: rows)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    rowDots(ap.baseAddress!, lda: lda, bp.baseAddress!, ldb: ldb, rows: rows, count: n, into: op.baseAddress!)
                }
            }
        }
        for r in 0..<rows {
            var sum: Float = 0
            for j in 0..<n { sum += a[r * lda + j] * b[r * ldb + j] }
            #expect(out[r].bitPattern == sum.bitPattern)
        }
    }

    @Test("columnSums gives each column's row-order sum", arguments: [(1, 1), (5, 7), (512, 40), (33, 129)])
    func columnSumsMatch(rows: Int, columns: Int) {
        let x = Self.values(rows * columns, seed: 3)
        let sums = x.withUnsafeBufferPointer { columnSums($0, rows: rows, columns: columns) }
        for c in 0..<columns {
            var sum: Float = 0
            for r in 0..<rows { sum += x[r * columns + c] }
            #expect(sums[c].bitPattern == sum.bitPattern)
        }
    }

    @Test("softmaxBackwardRows equals softmaxBackwardRow row by row", arguments: [(7, 7), (7, 256), (256, 7), (3, 20)])
    func softmaxBackwardRowsMatch(rows: Int, n: Int) {
        var p = Self.values(rows * n, seed: 4).map { abs($0) }
        let dz = Self.values(rows * n, seed: 5)
        for r in 0..<rows { _ = p.withUnsafeMutableBufferPointer { softmaxRow($0.baseAddress! + r * n, count: n, scale: 1) } }
        var bulk = dz, single = dz
        p.withUnsafeBufferPointer { pp in
            bulk.withUnsafeMutableBufferPointer { softmaxBackwardRows(pp.baseAddress!, $0.baseAddress!, rows: rows, count: n, scale: 0.3) }
            single.withUnsafeMutableBufferPointer { sp in
                for r in 0..<rows { softmaxBackwardRow(pp.baseAddress! + r * n, sp.baseAddress! + r * n, count: n, scale: 0.3) }
            }
        }
        #expect(bulk.map(\.bitPattern) == single.map(\.bitPattern))
    }

    @Test("softmaxRow's lane maximum gives the scalar maximum's softmax, −∞ entries included", arguments: [7, 8, 20, 256])
    func softmaxRowMaximumMatches(n: Int) {
        var x = Self.values(n, seed: 6)
        x[n / 2] = -.infinity
        var row = x
        let ok = row.withUnsafeMutableBufferPointer { softmaxRow($0.baseAddress!, count: n, scale: 0.5) }
        #expect(ok)
        // The scalar maximum, then the same exponentials and normalisation.
        var largest = -Float.infinity
        for v in x { largest = max(largest, v * 0.5) }
        var lanes = SIMD8<Float>(repeating: 0), total: Float = 0
        var expected = x
        var j = 0
        while j + 8 <= n {
            var v = SIMD8<Float>()
            for k in 0..<8 { v[k] = x[j + k] }
            let e = vexp(v * 0.5 - largest)
            for k in 0..<8 { expected[j + k] = e[k] }
            lanes += e
            j += 8
        }
        for k in 0..<8 { total += lanes[k] }
        while j < n { let e = expf(x[j] * 0.5 - largest); expected[j] = e; total += e; j += 1 }
        let inverse = 1 / total
        for k in 0..<n { expected[k] *= inverse }
        #expect(row.map(\.bitPattern) == expected.map(\.bitPattern))
    }
}
