// Register transposes: the 8 × 8 tile transpose, a matrix transpose built from it, and the
// moves of eight runs of values into and out of the lanes of one array of SIMD8 vectors.

/// Eight vectors of eight lanes: an 8 × 8 tile held in registers, row k in element k.
typealias Tile8 = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                   SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

extension Optimized {
    /// Transposes the 8 × 8 tile whose rows are t.0 … t.7: three perfect unshuffles (each
    /// rotates the 6-bit (row, lane) address right by one bit; three make row ↔ lane).
    @inline(__always)
    static func transpose8(_ t: inout Tile8) {
        for _ in 0..<3 {
            let a = SIMD16(lowHalf: t.0, highHalf: t.1), b = SIMD16(lowHalf: t.2, highHalf: t.3)
            let c = SIMD16(lowHalf: t.4, highHalf: t.5), d = SIMD16(lowHalf: t.6, highHalf: t.7)
            t = (a.evenHalf, b.evenHalf, c.evenHalf, d.evenHalf, a.oddHalf, b.oddHalf, c.oddHalf, d.oddHalf)
        }
    }

    /// target (columns × rows) = sourceᵀ for a row-major `rows` × `columns` source, in 8 × 8
    /// tiles in registers (`transpose8`), the edge tiles entry by entry.
    ///
    /// Postconditions: target[q·rows + i] = source[i·columns + q] for every i, q (a copy: the
    /// bits are the source's).
    static func transpose(_ source: UnsafePointer<Float>, rows n: Int, columns l: Int,
                          into target: UnsafeMutablePointer<Float>) {
        typealias F8 = SIMD8<Float>
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        var i0 = 0
        while i0 < n {
            let ib = min(8, n - i0)
            var q0 = 0
            while q0 < l {
                let qb = min(8, l - q0)
                if ib == 8 && qb == 8 {
                    var t = (F8(), F8(), F8(), F8(), F8(), F8(), F8(), F8())
                    withUnsafeMutableBytes(of: &t) { tile in
                        for k in 0..<8 {
                            tile.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 * ((i0 + k) * l + q0), as: F8.self),
                                            toByteOffset: 32 * k, as: F8.self)
                        }
                    }
                    transpose8(&t)
                    withUnsafeBytes(of: &t) { tile in
                        for k in 0..<8 {
                            to.storeBytes(of: tile.loadUnaligned(fromByteOffset: 32 * k, as: F8.self),
                                          toByteOffset: 4 * ((q0 + k) * n + i0), as: F8.self)
                        }
                    }
                } else {
                    for q in q0..<(q0 + qb) { for i in i0..<(i0 + ib) { target[q * n + i] = source[i * l + q] } }
                }
                q0 += qb
            }
            i0 += ib
        }
    }

    /// Lane k of w[i] = v[k·n + i] for the `runs` (≤ 8) runs of n values at v, the lanes past
    /// `runs` 0: eight whole runs with n a multiple of 8 by 8 × 8 register tiles, others entry
    /// by entry. Returns whether any value read is a NaN.
    static func interleaveRuns(_ v: UnsafePointer<Float>, runs: Int, count n: Int,
                               into w: UnsafeMutablePointer<SIMD8<Float>>) -> Bool {
        typealias F8 = SIMD8<Float>
        guard runs == 8 && n % 8 == 0 else {
            var hasNaN = false
            for i in 0..<n {
                var x = F8()
                for k in 0..<runs { x[k] = v[k * n + i] }
                hasNaN = hasNaN || any(x .!= x)
                w[i] = x
            }
            return hasNaN
        }
        let raw = UnsafeRawPointer(v)
        var nan = SIMDMask<SIMD8<Int32>>()
        var i = 0
        while i < n {
            var t = (F8(), F8(), F8(), F8(), F8(), F8(), F8(), F8())
            withUnsafeMutableBytes(of: &t) { tile in
                for k in 0..<8 {
                    let row = raw.loadUnaligned(fromByteOffset: 4 * (k * n + i), as: F8.self)
                    nan = nan .| (row .!= row)
                    tile.storeBytes(of: row, toByteOffset: 32 * k, as: F8.self)
                }
            }
            transpose8(&t)
            w[i] = t.0; w[i + 1] = t.1; w[i + 2] = t.2; w[i + 3] = t.3
            w[i + 4] = t.4; w[i + 5] = t.5; w[i + 6] = t.6; w[i + 7] = t.7
            i += 8
        }
        return any(nan)
    }

    /// The inverse of `interleaveRuns`: v[k·n + i] = lane k of w[i] for k < `runs`.
    static func deinterleaveRuns(_ w: UnsafePointer<SIMD8<Float>>, runs: Int, count n: Int,
                                 into v: UnsafeMutablePointer<Float>) {
        guard runs == 8 && n % 8 == 0 else {
            for i in 0..<n {
                let x = w[i]
                for k in 0..<runs { v[k * n + i] = x[k] }
            }
            return
        }
        let raw = UnsafeMutableRawPointer(v)
        var i = 0
        while i < n {
            var t = (w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7])
            transpose8(&t)
            withUnsafeBytes(of: &t) { tile in
                for k in 0..<8 {
                    raw.storeBytes(of: tile.loadUnaligned(fromByteOffset: 32 * k, as: SIMD8<Float>.self),
                                   toByteOffset: 4 * (k * n + i), as: SIMD8<Float>.self)
                }
            }
            i += 8
        }
    }
}
