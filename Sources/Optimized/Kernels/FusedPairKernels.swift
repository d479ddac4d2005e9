/// The fused sweep's row kernels for 9 ≤ K ≤ 12, two rows at a time: rows are 12 entries
/// wide (the lanes past K padding, as in `FusedRowSweep`), so rows r and r + 1 (r even) fill
/// three whole eight-lane vectors: A = row r, columns 0–7; B = row r, columns 8–11, then row
/// r + 1, columns 0–3; C = row r + 1, columns 4–11. A row of two vectors would leave a quarter
/// of its lanes idle at K = 12. Each half of a vector takes the window sums and column terms of
/// its own row, and every entry gets the arithmetic of the one-row kernels.
///
/// An odd number of rows gets one padding row past the last (no mass, no ∇ in the largest).
enum FusedPairLayout {
    static let stride = 12

    /// Frames rounded up to pairs.
    static func rows(_ n: Int) -> Int { n &+ (n & 1) }
}

extension FusedRowSweep {
    /// Window sums S[hi] − S[lo] − (S[r+1] − S[r]) of row r at columns c ..< c + 4.
    @_transparent
    func window4(_ r: Int, _ column: Int) -> SIMD4<Double> {
        let (hi, lo) = window(r)
        return load4(prefix + (hi &* stride &+ column)) - load4(prefix + (lo &* stride &+ column))
            - (load4(prefix + ((r &+ 1) &* stride &+ column)) - load4(prefix + (r &* stride &+ column)))
    }

    /// ∇ and log T of the vector at flat index `at`, whose low half is row `low.row` at columns
    /// `low.column` ..< + 4 and whose high half is row `high.row` at `high.column` ..< + 4.
    @_transparent
    mutating func pairVector(_ at: Int, _ low: (row: Int, column: Int), _ high: (row: Int, column: Int))
        -> (gradient: Float8, logPlan: Float8) {
        let window = joined(window4(low.row, low.column), window4(high.row, high.column))
        return gradient(at: at, window: window, terms: joined(load4(terms + low.column), load4(terms + high.column)))
    }

    /// `step` for rows in pairs (`rows` an even range).
    @_transparent
    mutating func stepPairs(_ rows: Range<Int>, rescale: FusedRowRescale) {
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(start &+ Self.tile, rows.upperBound)
            shiftPairs(start..<end)
            rescale.rescalePairs(start..<end, chunkStart: rows.lowerBound)
            start = end
        }
    }

    /// `shiftRows` on `rows` (an even range), a pair at a time.
    @_transparent
    mutating func shiftPairs(_ rows: Range<Int>) {
        var r = rows.lowerBound
        while r < rows.upperBound {
            let end = min(r &+ Self.block, rows.upperBound)
            while r < end { shiftPair(r); r &+= 2 }
            flush()
        }
    }

    /// `measureRows` on `rows` (an even range), a pair at a time.
    @_transparent
    mutating func measurePairs(_ rows: Range<Int>) {
        var r = rows.lowerBound
        while r < rows.upperBound {
            let end = min(r &+ Self.block, rows.upperBound)
            while r < end { measurePair(r); r &+= 2 }
            flush()
        }
    }

    /// `shiftRow` for rows r and r + 1.
    @_transparent
    mutating func shiftPair(_ r: Int) {
        let base = r &* FusedPairLayout.stride
        let (ga, la) = pairVector(base, (r, 0), (r, 4))
        let (gb, lb) = pairVector(base &+ 8, (r, 8), (r &+ 1, 0))
        let (gc, lc) = pairVector(base &+ 16, (r &+ 1, 4), (r &+ 1, 8))
        let a = la - move * ga, b = lb - move * gb, c = lc - move * gc
        let (b0, b1) = halves(b), none4 = SIMD4<Float>(repeating: -.infinity)
        let top0 = larger(largestLane(a), largestLane(b0)), top1 = larger(largestLane(b1), largestLane(c))
        let live0 = live[r] && top0.isFinite, live1 = live[r &+ 1] && top1.isFinite
        let none = Float8(repeating: -.infinity)
        store8(live0 ? a - top0 : none, logPlan + base)
        store8(joined(live0 ? b0 - top0 : none4, live1 ? b1 - top1 : none4), logPlan + (base &+ 8))
        store8(live1 ? c - top1 : none, logPlan + (base &+ 16))
    }

    /// `measureRow` for rows r and r + 1: the padding columns (lanes of B's low half and C's
    /// high half past K) and the padding row past an odd N left out of the largest ∇.
    @_transparent
    mutating func measurePair(_ r: Int) {
        let base = r &* FusedPairLayout.stride
        let ga = pairVector(base, (r, 0), (r, 4)).gradient
        var gb = pairVector(base &+ 8, (r, 8), (r &+ 1, 0)).gradient
        var gc = pairVector(base &+ 16, (r &+ 1, 4), (r &+ 1, 8)).gradient
        let none = Float8(repeating: -.infinity), none4 = SIMD4<Float>(repeating: -.infinity)
        let past = SIMD4<Float>(8, 9, 10, 11) .>= SIMD4<Float>(repeating: clusters)   // B's low and C's high half
        let (b0, b1) = halves(gb), (c0, c1) = halves(gc)
        gb = joined(b0.replacing(with: none4, where: past), b1)
        gc = joined(c0, c1.replacing(with: none4, where: past))
        if r &+ 1 >= n {
            gb = joined(halves(gb).low, none4)
            gc = none
        }
        largestLanes = lanewiseMax(lanewiseMax(lanewiseMax(largestLanes, ga), gb), gc)
    }
}

extension FusedRowRescale {
    /// `rescaleRows` on `rows` (an even range), a pair at a time.
    @_transparent
    func rescalePairs(_ rows: Range<Int>, chunkStart: Int) {
        var r = rows.lowerBound
        while r < rows.upperBound { exponentiatePair(r); r &+= 2 }
        factors(rows)
        r = rows.lowerBound
        while r < rows.upperBound { rescalePair(r, first: r == chunkStart); r &+= 2 }
    }

    /// `exponentiate` for rows r and r + 1.
    @_transparent
    func exponentiatePair(_ r: Int) {
        let base = r &* FusedPairLayout.stride
        let a = vexpNonPositive(load8(logPlan + base))
        let b = vexpNonPositive(load8(logPlan + (base &+ 8)))
        let c = vexpNonPositive(load8(logPlan + (base &+ 16)))
        store8(a, plan + base)
        store8(b, plan + (base &+ 8))
        store8(c, plan + (base &+ 16))
        let (b0, b1) = halves(b)
        rowSums[r] = laneSum(a) + laneSum(b0)
        rowSums[r &+ 1] = laneSum(b1) + laneSum(c)
    }

    /// `rescale` for rows r and r + 1: both rescaled, then their steps of the prefix sums and
    /// of the column masses, row r's first.
    @_transparent
    func rescalePair(_ r: Int, first: Bool) {
        let base = r &* FusedPairLayout.stride
        let live0 = live[r], live1 = live[r &+ 1]
        let scales = joined(SIMD4(repeating: rowSums[r]), SIMD4(repeating: rowSums[r &+ 1]))
        let offsets = joined(SIMD4(repeating: logRowSums[r]), SIMD4(repeating: logRowSums[r &+ 1]))
        let a = rescaled(base, scale: Float8(repeating: scales[0]), offset: Float8(repeating: offsets[0]),
                         live: (live0, live0))
        let b = rescaled(base &+ 8, scale: scales, offset: offsets, live: (live0, live1))
        let c = rescaled(base &+ 16, scale: Float8(repeating: scales[4]), offset: Float8(repeating: offsets[4]),
                         live: (live1, live1))
        let (b0, b1) = halves(b)
        let total0 = Float8(repeating: laneSum(a) + laneSum(b0))
        let total1 = Float8(repeating: laneSum(b1) + laneSum(c))
        let previous = first ? zeros : prefix + base
        let next0 = load8(previous) + SIMD8<Double>(total0 - a)   // row r + 1, columns 0–7
        let (lowTotal0, lowTotal1) = (halves(total0).low, halves(total1).low), (next0Low, next0High) = halves(next0)
        let next8 = load4(previous + 8) + SIMD4<Double>(lowTotal0 - b0)     // row r + 1, columns 8–11
        let next1 = next0Low + SIMD4<Double>(lowTotal1 - b1)                  // row r + 2, columns 0–3
        let next2 = joined(next0High, next8) + SIMD8<Double>(total1 - c)       // row r + 2, columns 4–11
        store8(next0, prefix + (base &+ 12))
        store4(next8, prefix + (base &+ 20))
        store4(next1, prefix + (base &+ 24))
        store8(next2, prefix + (base &+ 28))
        store8(load8(mass) + a, mass)
        store4(load4(mass + 8) + b0, mass + 8)
        store4(load4(mass) + b1, mass)
        store8(load8(mass + 4) + c, mass + 4)
    }

    /// The eight entries at `at` rescaled (T × scale, log T + offset), each half zero and
    /// log −∞ unless its row is live; stored, and returned.
    @_transparent
    func rescaled(_ at: Int, scale: Float8, offset: Float8, live: (low: Bool, high: Bool)) -> Float8 {
        let tv = load8(plan + at) * scale, lv = load8(logPlan + at) + offset
        let zero = SIMD4<Float>(), none = SIMD4<Float>(repeating: -.infinity)
        let (t0, t1) = halves(tv), (l0, l1) = halves(lv)
        let t = joined(live.low ? t0 : zero, live.high ? t1 : zero)
        let l = joined(live.low ? l0 : none, live.high ? l1 : none)
        store8(t, plan + at)
        store8(l, logPlan + at)
        return t
    }
}
