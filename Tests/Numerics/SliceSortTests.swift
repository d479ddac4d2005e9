import CLOTCore
import Testing
@testable import Optimized

/// `Optimized.sortDirections`, which sorts the sliced cost's L runs of slice values (eight runs
/// at a time in one bitonic network for 64 ≤ n ≤ 1024, radix sort otherwise): every run ends
/// as the stdlib sort of its values, whatever n, ties or the fallback taken.
@Suite struct SliceSortTests {
    @Test("every run equals its stdlib sort", arguments: [1, 2, 31, 63, 64, 100, 256, 257, 700, 1024, 1025, 3000])
    func runsSorted(n: Int) {
        var g = MersenneTwister(seed: UInt32(n))
        for l in [1, 7, 8, 9, 150] {
            // Clustered values with exact ties (slices of alike frames), and a few wide ones.
            var v = (0..<(n * l)).map { _ in Float(Int(g.gaussian() * 50)) / 600 + 0.08 }
            for e in stride(from: 0, to: v.count, by: 37) { v[e] = Float(g.gaussian()) * 1e3 }
            let expected = (0..<l).flatMap { p in v[(p * n)..<((p + 1) * n)].sorted() }
            v.withUnsafeMutableBufferPointer { Optimized.sortDirections($0.baseAddress!, count: n, directions: l) }
            #expect(v == expected, "n \(n), l \(l)")
        }
    }

    @Test("a NaN sends every run to the radix sort, which still orders the other values")
    func nanFallsBack() {
        var g = MersenneTwister(seed: UInt32(9))
        let n = 128, l = 3
        var v = (0..<(n * l)).map { _ in Float(g.uniform()) }
        v[5] = .nan
        v.withUnsafeMutableBufferPointer { Optimized.sortDirections($0.baseAddress!, count: n, directions: l) }
        for p in 1..<l {
            let run = Array(v[(p * n)..<((p + 1) * n)])
            #expect(run == run.sorted())
        }
        #expect(v[0..<n].filter(\.isNaN).count == 1)
    }
}
