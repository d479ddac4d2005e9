// Sorting many runs of Floats at once: eight runs side by side in the lanes of one bitonic
// sorting network, which has no data-dependent branches.

extension Optimized {
    /// Sorts each of the `l` runs of `n` values (run p at p·n) in place, ascending. For
    /// 64 ≤ n ≤ 1024: eight runs at a time side by side in the lanes of one bitonic sorting
    /// network (`bitonicSortLanes`, padded to a power of two with +∞), which has no
    /// data-dependent branches (frames of one video are alike, so their slices crowd and
    /// defeat bucket schemes); runs go in and out of the lanes by 8 × 8 register transposes
    /// (`interleaveRuns`). Other n, and any block of eight runs holding a NaN: `radixSort` per
    /// run.
    ///
    /// Postconditions: every run is ascending and holds its own values. A sorted run is the
    /// same multiset whatever the algorithm; which of −0 and +0 comes first is fixed by n.
    ///
    /// Edge Cases: n ≤ 1 or l = 0 leaves v as it is. A run holding a NaN is radix-sorted, its
    /// other values still in order.
    /// - Complexity: O(l·n log² n) compare-exchanges for the network, O(l·n) for radix sort.
    static func sortDirections(_ v: UnsafeMutablePointer<Float>, count n: Int, directions l: Int) {
        var keys: [UInt32] = [], counts: [Int] = []
        func radix(_ runs: Range<Int>) {
            if keys.isEmpty {
                keys = [UInt32](repeating: 0, count: 2 * n)
                counts = [Int](repeating: 0, count: 1024)
            }
            keys.withUnsafeMutableBufferPointer { kp in
                counts.withUnsafeMutableBufferPointer { cp in
                    for p in runs { radixSort(v + p * n, count: n, keys: kp.baseAddress!, counts: cp.baseAddress!) }
                }
            }
        }
        guard n >= 64 && n <= 1024 else { return radix(0..<l) }
        var padded = 64
        while padded < n { padded *= 2 }
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: padded) { lanes in
            let w = lanes.baseAddress!
            for p0 in stride(from: 0, to: l, by: 8) {
                let runs = min(8, l - p0)
                if interleaveRuns(v + p0 * n, runs: runs, count: n, into: w) {
                    radix(p0..<(p0 + runs))
                    continue
                }
                for i in n..<padded { w[i] = SIMD8(repeating: .infinity) }
                bitonicSortLanes(w, count: padded)
                deinterleaveRuns(w, runs: runs, count: n, into: v + p0 * n)
            }
        }
    }

    /// Sorts every lane of w[0..<n] ascending (n a power of two, no NaNs): the bitonic network
    /// in its all-ascending form (each merge starts by comparing mirrored pairs, then halves the
    /// stride). Every pass whose pairs lie within aligned blocks of eight vectors (the first
    /// three merges whole, and the strides 4, 2, 1 that end every later merge) runs block by
    /// block with the eight vectors in registers: the same compare-exchanges in the same order,
    /// blocks being independent.
    ///
    /// Postconditions: each lane ascending, with the bits of the network run pass by pass over
    /// the whole array (signed zeros included).
    ///
    /// Edge Cases: n = 1 leaves w as it is; n < 8 runs every pass in memory.
    static func bitonicSortLanes(_ w: UnsafeMutablePointer<SIMD8<Float>>, count n: Int) {
        guard n >= 8 else {
            var size = 2
            while size <= n {
                mergePasses(w, count: n, size: size, smallestStride: 1)
                size *= 2
            }
            return
        }
        var base = 0
        while base < n {
            var t = loadTile(w + base)
            // size 2 (mirrored pairs of two)
            exchange(&t.0, &t.1); exchange(&t.2, &t.3); exchange(&t.4, &t.5); exchange(&t.6, &t.7)
            // size 4: mirrored, then stride 1
            exchange(&t.0, &t.3); exchange(&t.1, &t.2); exchange(&t.4, &t.7); exchange(&t.5, &t.6)
            exchange(&t.0, &t.1); exchange(&t.2, &t.3); exchange(&t.4, &t.5); exchange(&t.6, &t.7)
            // size 8: mirrored, then strides 2 and 1
            exchange(&t.0, &t.7); exchange(&t.1, &t.6); exchange(&t.2, &t.5); exchange(&t.3, &t.4)
            exchange(&t.0, &t.2); exchange(&t.1, &t.3); exchange(&t.4, &t.6); exchange(&t.5, &t.7)
            exchange(&t.0, &t.1); exchange(&t.2, &t.3); exchange(&t.4, &t.5); exchange(&t.6, &t.7)
            storeTile(t, w + base)
            base += 8
        }
        var size = 16
        while size <= n {
            mergePasses(w, count: n, size: size, smallestStride: 8)
            base = 0
            while base < n {   // strides 4, 2, 1, block by block
                var t = loadTile(w + base)
                exchange(&t.0, &t.4); exchange(&t.1, &t.5); exchange(&t.2, &t.6); exchange(&t.3, &t.7)
                exchange(&t.0, &t.2); exchange(&t.1, &t.3); exchange(&t.4, &t.6); exchange(&t.5, &t.7)
                exchange(&t.0, &t.1); exchange(&t.2, &t.3); exchange(&t.4, &t.5); exchange(&t.6, &t.7)
                storeTile(t, w + base)
                base += 8
            }
            size *= 2
        }
    }

    /// The passes of the bitonic merge of blocks of `size` in memory: the mirrored pairs of
    /// each block, then strides size / 4, size / 8, … down to `smallestStride`.
    @inline(__always)
    static func mergePasses(_ w: UnsafeMutablePointer<SIMD8<Float>>, count n: Int, size: Int, smallestStride: Int) {
        let half = size / 2
        var base = 0
        while base < n {
            var k = 0
            while k < half { exchange(&w[base + k], &w[base + size - 1 - k]); k += 1 }
            base += size
        }
        var stride = half / 2
        while stride >= smallestStride {
            base = 0
            while base < n {
                var k = 0
                while k < stride { exchange(&w[base + k], &w[base + k + stride]); k += 1 }
                base += 2 * stride
            }
            stride /= 2
        }
    }

    /// One compare-exchange of the network, lane by lane: a ← min, b ← max (b taken only when
    /// b < a, so equal values, −0 and +0 among them, stay where they are).
    @inline(__always)
    static func exchange(_ a: inout SIMD8<Float>, _ b: inout SIMD8<Float>) {
        let x = a, y = b
        let swapped = y .< x
        a = x.replacing(with: y, where: swapped)
        b = y.replacing(with: x, where: swapped)
    }

    @inline(__always)
    static func loadTile(_ p: UnsafePointer<SIMD8<Float>>) -> Tile8 {
        (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
    }

    @inline(__always)
    static func storeTile(_ t: Tile8, _ p: UnsafeMutablePointer<SIMD8<Float>>) {
        p[0] = t.0; p[1] = t.1; p[2] = t.2; p[3] = t.3
        p[4] = t.4; p[5] = t.5; p[6] = t.6; p[7] = t.7
    }
}
