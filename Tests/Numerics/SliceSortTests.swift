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

    /// The bitonic network pass by pass over the whole array (what `bitonicSortLanes` computes
    /// with its register blocks), to check the two give the same bits, signed zeros included.
    static func networkPassByPass(_ w: inout [SIMD8<Float>]) {
        let n = w.count
        func exchange(_ i: Int, _ j: Int) {
            let a = w[i], b = w[j]
            let swapped = b .< a
            w[i] = a.replacing(with: b, where: swapped)
            w[j] = b.replacing(with: a, where: swapped)
        }
        var size = 2
        while size <= n {
            let half = size / 2
            for base in stride(from: 0, to: n, by: size) { for k in 0..<half { exchange(base + k, base + size - 1 - k) } }
            var step = half / 2
            while step > 0 {
                for base in stride(from: 0, to: n, by: 2 * step) { for k in 0..<step { exchange(base + k, base + k + step) } }
                step /= 2
            }
            size *= 2
        }
    }

    @Test("bitonicSortLanes (register blocks) equals the pass-by-pass network and sorts every lane",
          arguments: [1, 2, 4, 8, 16, 32, 64, 256, 1024])
    func bitonicBlocks(n: Int) {
        var g = MersenneTwister(seed: UInt32(n))
        var lanes = (0..<n).map { _ in
            SIMD8<Float>((0..<8).map { _ in
                let u = g.uniform()
                return u < 0.1 ? 0 : u < 0.2 ? -0.0 : u < 0.3 ? 1 : Float(g.gaussian())
            })
        }
        var expected = lanes
        Self.networkPassByPass(&expected)
        lanes.withUnsafeMutableBufferPointer { Optimized.bitonicSortLanes($0.baseAddress!, count: n) }
        for i in 0..<n { #expect(lanes[i].indices.allSatisfy { lanes[i][$0].bitPattern == expected[i][$0].bitPattern }) }
        for lane in 0..<8 {
            let column = lanes.map { $0[lane] }
            #expect(column == column.sorted())
        }
    }
}
