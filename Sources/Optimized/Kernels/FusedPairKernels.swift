/// The fused sweep's row kernels for rows taken in pairs: for 9 ≤ K ≤ 12 and 17 ≤ K ≤ 20,
/// rows are 12 or 20 entries wide (the lanes past K padding, as in `FusedRowSweep`), so that
/// rows r and r + 1 (r even) fill 3 or 5 whole eight-lane vectors: `whole` vectors of row r
/// (columns 0–7, 8–15), one vector B of row r's last four columns and row r + 1's first four,
/// and `whole` vectors of row r + 1 (columns 4–11, 12–19). Rows of 2 or 3 vectors would leave
/// a quarter of their lanes idle at K = 12 and a fifth at K = 19. Each half of a vector takes
/// the window sums and column terms of its own row, and every entry gets the arithmetic of the
/// one-row kernels.
///
/// An odd number of rows gets one padding row past the last (no mass, no ∇ in the largest).
enum FusedPairLayout {
    /// The row width for K when rows go in pairs, nil otherwise.
    static func stride(clusters k: Int) -> Int? {
        (9...12).contains(k) ? 12 : (17...20).contains(k) ? 20 : nil
    }

    /// Whole vectors of each row of a pair (1 for width 12, 2 for width 20).
    static func whole(stride: Int) -> Int { (stride &- 4) / 8 }

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

    /// ∇ of the pair at row r's vectors: row r's `whole` (the second −∞ when there is one),
    /// B, row r + 1's.
    @_transparent
    mutating func pairGradients(_ r: Int, whole: Int) -> (a0: (Float8, Float8), a1: (Float8, Float8), b: (Float8, Float8),
                                                       c0: (Float8, Float8), c1: (Float8, Float8)) {
        let base = r &* stride, split = whole &* 8, none = (Float8(repeating: -.infinity), Float8(repeating: -.infinity))
        let a0 = pairVector(base, (r, 0), (r, 4))
        let a1 = whole > 1 ? pairVector(base &+ 8, (r, 8), (r, 12)) : none
        let b = pairVector(base &+ split, (r, split), (r &+ 1, 0))
        let c0 = pairVector(base &+ split &+ 8, (r &+ 1, 4), (r &+ 1, 8))
        let c1 = whole > 1 ? pairVector(base &+ split &+ 16, (r &+ 1, 12), (r &+ 1, 16)) : none
        return (a0, a1, b, c0, c1)
    }

    /// `shiftRow` for rows r and r + 1.
    @_transparent
    mutating func shiftPair(_ r: Int, whole: Int) {
        let base = r &* stride, split = whole &* 8
        let g = pairGradients(r, whole: whole), none = Float8(repeating: -.infinity)
        let a0 = g.a0.1 - move * g.a0.0, a1 = whole > 1 ? g.a1.1 - move * g.a1.0 : none, b = g.b.1 - move * g.b.0
        let c0 = g.c0.1 - move * g.c0.0, c1 = whole > 1 ? g.c1.1 - move * g.c1.0 : none
        let (b0, b1) = halves(b), none4 = SIMD4<Float>(repeating: -.infinity)
        let top0 = larger(largestLane(lanewiseMax(a0, a1)), largestLane(b0))
        let top1 = larger(largestLane(b1), largestLane(lanewiseMax(c0, c1)))
        let live0 = live[r] && top0.isFinite, live1 = live[r &+ 1] && top1.isFinite
        store8(live0 ? a0 - top0 : none, logPlan + base)
        if whole > 1 { store8(live0 ? a1 - top0 : none, logPlan + (base &+ 8)) }
        store8(joined(live0 ? b0 - top0 : none4, live1 ? b1 - top1 : none4), logPlan + (base &+ split))
        store8(live1 ? c0 - top1 : none, logPlan + (base &+ split &+ 8))
        if whole > 1 { store8(live1 ? c1 - top1 : none, logPlan + (base &+ split &+ 16)) }
    }

    /// `measureRow` for rows r and r + 1: the padding columns (lanes of B's low half and of the
    /// last vector's high half past K) and the padding row past an odd N left out of the largest ∇.
    @_transparent
    mutating func measurePair(_ r: Int, whole: Int) {
        let g = pairGradients(r, whole: whole)
        var gb = g.b.0, last = whole > 1 ? g.c1.0 : g.c0.0
        let none4 = SIMD4<Float>(repeating: -.infinity)
        let first = Float(stride &- 4)
        let past = SIMD4<Float>(first, first + 1, first + 2, first + 3) .>= SIMD4<Float>(repeating: clusters)
        let (b0, b1) = halves(gb), (l0, l1) = halves(last)
        gb = joined(b0.replacing(with: none4, where: past), b1)
        last = joined(l0, l1.replacing(with: none4, where: past))
        var c0 = whole > 1 ? g.c0.0 : last, c1 = whole > 1 ? last : g.c1.0
        if r &+ 1 >= n {
            gb = joined(halves(gb).low, none4)
            c0 = Float8(repeating: -.infinity)
            c1 = c0
        }
        largestLanes = lanewiseMax(lanewiseMax(lanewiseMax(lanewiseMax(lanewiseMax(largestLanes, g.a0.0), g.a1.0), gb), c0), c1)
    }
}

extension FusedRowRescale {
    /// `rescaleRows` on `rows` (an even range), a pair at a time.
    @_transparent
    func rescalePairs(_ rows: Range<Int>, chunkStart: Int, whole: Int) {
        var r = rows.lowerBound
        while r < rows.upperBound { exponentiatePair(r, whole: whole); r &+= 2 }
        factors(rows)
        r = rows.lowerBound
        while r < rows.upperBound { rescalePair(r, first: r == chunkStart, whole: whole); r &+= 2 }
    }

    /// `exponentiate` for rows r and r + 1.
    @_transparent
    func exponentiatePair(_ r: Int, whole: Int) {
        let base = r &* stride, count = 2 &* whole &+ 1
        var e = (Float8(), Float8(), Float8(), Float8(), Float8())
        for v in 0..<count {
            let x = vexpNonPositive(load8(logPlan + (base &+ v &* 8)))
            store8(x, plan + (base &+ v &* 8))
            switch v { case 0: e.0 = x; case 1: e.1 = x; case 2: e.2 = x; case 3: e.3 = x; default: e.4 = x }
        }
        let (a, b, c) = whole > 1 ? (e.0 + e.1, e.2, e.3 + e.4) : (e.0, e.1, e.2)
        let (b0, b1) = halves(b)
        rowSums[r] = laneSum(a) + laneSum(b0)
        rowSums[r &+ 1] = laneSum(b1) + laneSum(c)
    }

    /// `rescale` for rows r and r + 1: both rescaled, then their steps of the prefix sums and
    /// of the column masses, row r's first.
    @_transparent
    func rescalePair(_ r: Int, first: Bool, whole: Int) {
        let base = r &* stride, split = whole &* 8, live0 = live[r], live1 = live[r &+ 1]
        let scale0 = Float8(repeating: rowSums[r]), scale1 = Float8(repeating: rowSums[r &+ 1])
        let offset0 = Float8(repeating: logRowSums[r]), offset1 = Float8(repeating: logRowSums[r &+ 1])
        let a0 = rescaled(base, scale: scale0, offset: offset0, live: (live0, live0))
        let a1 = whole > 1 ? rescaled(base &+ 8, scale: scale0, offset: offset0, live: (live0, live0)) : Float8()
        let b = rescaled(base &+ split, scale: joined(halves(scale0).low, halves(scale1).low),
                         offset: joined(halves(offset0).low, halves(offset1).low), live: (live0, live1))
        let c0 = rescaled(base &+ split &+ 8, scale: scale1, offset: offset1, live: (live1, live1))
        let c1 = whole > 1 ? rescaled(base &+ split &+ 16, scale: scale1, offset: offset1, live: (live1, live1)) : Float8()
        let (b0, b1) = halves(b)
        let total0 = Float8(repeating: laneSum(whole > 1 ? a0 + a1 : a0) + laneSum(b0))
        let total1 = Float8(repeating: laneSum(b1) + laneSum(whole > 1 ? c0 + c1 : c0))
        prefixSteps(base, previous: first ? zeros : prefix + base, whole: whole, row0: (a0, a1, b0), row1: (b1, c0, c1),
                    totals: (total0, total1))
        store8(load8(mass) + a0, mass)
        if whole > 1 { store8(load8(mass + 8) + a1, mass + 8) }
        store4(load4(mass + split) + b0, mass + split)
        store4(load4(mass) + b1, mass)
        store8(load8(mass + 4) + c0, mass + 4)
        if whole > 1 { store8(load8(mass + 12) + c1, mass + 12) }
    }

    /// The pair's steps of the prefix sums, S[r + 1] = S[r] + (Σ T_r − T_r·) and S[r + 2] from it,
    /// each row in its vectors' pieces (row r: its whole vectors, then B's low half; row r + 1:
    /// B's high half, then its whole vectors, which start at column 4).
    @_transparent
    func prefixSteps(_ base: Int, previous: UnsafeMutablePointer<Double>, whole: Int,
                     row0: (a0: Float8, a1: Float8, b0: SIMD4<Float>), row1: (b1: SIMD4<Float>, c0: Float8, c1: Float8),
                     totals: (Float8, Float8)) {
        let split = whole &* 8, next = prefix + (base &+ stride), after = prefix + (base &+ 2 &* stride)
        let (low0, low1) = (halves(totals.0).low, halves(totals.1).low)
        let s0 = load8(previous) + SIMD8<Double>(totals.0 - row0.a0)                                  // columns 0–7
        let s1 = whole > 1 ? load8(previous + 8) + SIMD8<Double>(totals.0 - row0.a1) : SIMD8<Double>()    // 8–15
        let sB = load4(previous + split) + SIMD4<Double>(low0 - row0.b0)                             // the last four
        store8(s0, next)
        if whole > 1 { store8(s1, next + 8) }
        store4(sB, next + split)
        let (h0, h1) = halves(s0), (h2, h3) = halves(s1)
        store4(h0 + SIMD4<Double>(low1 - row1.b1), after)                                           // columns 0–3
        store8(joined(h1, whole > 1 ? h2 : sB) + SIMD8<Double>(totals.1 - row1.c0), after + 4)        // 4–11
        if whole > 1 { store8(joined(h3, sB) + SIMD8<Double>(totals.1 - row1.c1), after + 12) }       // 12–19
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
