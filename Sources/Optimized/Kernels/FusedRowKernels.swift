#if canImport(Glibc)
import Glibc
#endif

/// The lane kernels of the fused ASOT sweep (`FusedASOTItem`): the arithmetic of one row of
/// the plan, with a row laid out as `vectors` eight-lane blocks (K rounded up to a multiple of
/// eight; the lanes past K hold a plan entry of 0, log −∞, and a cost of 0, which no sum,
/// maximum or label sees).
///
/// Each function takes the number of blocks per row as an argument and is mandatorily
/// inlined, so a caller that passes a literal (1, 2, 3) gets a loop LLVM unrolls; lane j of
/// every accumulator sees the entries j, 8 + j, … of each row, in row order, whatever the
/// thread or chunk (the sums of the plan's rows and columns depend on K and N only).

/// The row kernels of `FusedRowSweep.run`: the step's first pass (`shiftRow`) or the
/// objective and largest ∇ alone (`measureRow`), a row at a time or, for the pair layout
/// (`FusedPairLayout`), two rows at a time.
enum FusedRowKernel {
    case shiftRow, measureRow, shiftPair, measurePair

    /// Rows one call of the kernel covers.
    var rows: Int {
        switch self {
        case .shiftRow, .measureRow: 1
        case .shiftPair, .measurePair: 2
        }
    }
}

/// The first pass of a sweep over rows (ASOT Eq. 5–7 and the mirror step): per entry,
/// G' = α·Cv(T Ck)/r + (1 − α)·C + (column KL term) from the prefix sums of T Ck, the objective's
/// terms ⟨G', T⟩ and −T log T + T, ∇ = G' + ε·max(log T, log 1e-12), and A = log T − η∇.
struct FusedRowSweep {
    let n: Int, stride: Int, reach: Int
    let weight: Float, eps: Float, alpha: Float, keep: Float
    let floor12: Float8, floor10: Float8, move: Float8
    /// Lanes of a row's last block past K, and K.
    let padding: SIMDMask<SIMD8<Int32>>, clusters: Float
    let prefix: UnsafeMutablePointer<Double>, cost: UnsafeMutablePointer<Float>, terms: UnsafeMutablePointer<Float>
    let plan: UnsafeMutablePointer<Float>, logPlan: UnsafeMutablePointer<Float>
    /// Whether each row is a frame of the video (not padding).
    let live: UnsafeMutablePointer<Bool>
    /// Rows whose objective terms are summed in Float before they join the Double lanes.
    static let block = 8
    var fgwLanes = SIMD8<Double>(), entropyLanes = SIMD8<Double>()
    var fgwBlock = Float8(), entropyBlock = Float8()
    var largestLanes = Float8(repeating: -.infinity)

    init(item: FusedASOTItem, step: Float) {
        let s = item.settings
        n = item.n
        stride = item.stride
        reach = Int((Double(n) * s.radius).rounded(.towardZero))
        weight = reach > 0 ? 1 / Float(s.radius) : 0
        eps = Float(s.epsilon)
        alpha = Float(s.alpha)
        keep = 1 - alpha
        floor12 = Float8(repeating: logf(1e-12))
        floor10 = Float8(repeating: logf(1e-10))
        move = Float8(repeating: step)
        let real = item.k - (item.stride - 8)
        padding = Float8(0, 1, 2, 3, 4, 5, 6, 7) .>= Float8(repeating: Float(real))
        clusters = Float(item.k)
        prefix = item.prefix; cost = item.cost; terms = item.columnTerms
        plan = item.plan; logPlan = item.logPlan
        live = item.live
    }

    /// Adds the block's Float sums to the Double lanes (up to `block` rows of O(1) terms: a
    /// few Float ulps, 1e-7 relative, on an objective only reported).
    @inline(__always)
    mutating func flush() {
        fgwLanes += SIMD8<Double>(fgwBlock)
        entropyLanes += SIMD8<Double>(entropyBlock)
        fgwBlock = Float8()
        entropyBlock = Float8()
    }

    /// ∇ of row r's block v, its objective terms added to the block sums; with log T.
    @_transparent
    mutating func gradient(_ r: Int, _ v: Int) -> (gradient: Float8, logPlan: Float8) {
        let (hi, lo) = window(r)
        let at = r &* stride &+ v &* 8, column = v &* 8
        let window = load8(prefix + (hi &* stride &+ column)) - load8(prefix + (lo &* stride &+ column))
            - (load8(prefix + (at &+ stride)) - load8(prefix + at))
        return gradient(at: at, window: window, terms: load8(terms + column))
    }

    /// ∇ of the eight entries at flat index `at`, given their window sums of T Ck and their
    /// column KL terms, the objective terms added to the block sums; with log T.
    @_transparent
    mutating func gradient(at: Int, window: SIMD8<Double>, terms: Float8) -> (gradient: Float8, logPlan: Float8) {
        let gv = alpha * (weight * Float8(window)) + keep * load8(cost + at) + terms
        let tv = load8(plan + at), lv = load8(logPlan + at)
        fgwBlock += gv * tv
        entropyBlock += -tv * lanewiseMax(lv, floor10) + tv
        return (gv + eps * lanewiseMax(lv, floor12), lv)
    }

    /// The rows bounding row r's window of the temporal filter: min(N, r + R + 1), max(0, r − R).
    @_transparent
    func window(_ r: Int) -> (hi: Int, lo: Int) {
        let hi = r &+ reach &+ 1, lo = r &- reach
        return (hi < n ? hi : n, lo > 0 ? lo : 0)
    }

    /// A of row r's block v: log T − η∇.
    @_transparent
    mutating func exponent(_ r: Int, _ v: Int) -> Float8 {
        let (gradient, lv) = gradient(r, v)
        return lv - move * gradient
    }

    /// Row r's A written over its log T, shifted by the row's maximum (the rescaling divides it
    /// out, and the exponentials never overflow), or −∞ on a padding row and on a row with no
    /// finite entry. Up to `registerBlocks` blocks stay in registers until the maximum is
    /// known; longer rows are stored and read back.
    @_transparent
    mutating func shiftRow(_ r: Int, vectors: Int) {
        let base = r &* stride, none = Float8(repeating: -.infinity)
        if vectors <= Self.registerBlocks {
            let a0 = exponent(r, 0), a1 = vectors > 1 ? exponent(r, 1) : none, a2 = vectors > 2 ? exponent(r, 2) : none
            let a3 = vectors > 3 ? exponent(r, 3) : none, a4 = vectors > 4 ? exponent(r, 4) : none
            let a5 = vectors > 5 ? exponent(r, 5) : none
            let top = largestLane(lanewiseMax(lanewiseMax(lanewiseMax(lanewiseMax(lanewiseMax(a0, a1), a2), a3), a4), a5))
            let keep = live[r] && top.isFinite
            store8(keep ? a0 - top : none, logPlan + base)
            if vectors > 1 { store8(keep ? a1 - top : none, logPlan + (base &+ 8)) }
            if vectors > 2 { store8(keep ? a2 - top : none, logPlan + (base &+ 16)) }
            if vectors > 3 { store8(keep ? a3 - top : none, logPlan + (base &+ 24)) }
            if vectors > 4 { store8(keep ? a4 - top : none, logPlan + (base &+ 32)) }
            if vectors > 5 { store8(keep ? a5 - top : none, logPlan + (base &+ 40)) }
            return
        }
        var largest = none
        for v in 0..<vectors {
            let av = exponent(r, v)
            store8(av, logPlan + (base &+ v &* 8))
            largest = lanewiseMax(largest, av)
        }
        let top = largestLane(largest)
        let keep = live[r] && top.isFinite
        for v in 0..<vectors {
            let p = logPlan + (base &+ v &* 8)
            store8(keep ? load8(p) - top : none, p)
        }
    }

    /// The step sweep over a chunk's `rows`, `tile` rows at a time: their first pass, then
    /// their rescaling by `rescale`, while the tile's rows are still in the first-level cache.
    /// Rows go in pairs when `pairs` (then `width` is `whole`, and `rows` an even range), one at
    /// a time otherwise (`width` is `vectors`); callers pass literals, as `run` says.
    @_transparent
    mutating func step(_ rows: Range<Int>, rescale: FusedRowRescale, pairs: Bool, width: Int) {
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(start &+ Self.tile, rows.upperBound)
            run(start..<end, pairs ? .shiftPair : .shiftRow, width: width)
            if pairs {
                rescale.rescalePairs(start..<end, chunkStart: rows.lowerBound, whole: width)
            } else {
                rescale.rescaleRows(start..<end, chunkStart: rows.lowerBound, vectors: width)
            }
            start = end
        }
    }

    /// Rows of a tile of the step sweep (a multiple of `block`).
    static let tile = 32
    /// The longest row (in blocks) whose A is kept in registers.
    static let registerBlocks = 6

    /// `kernel` on `rows` (an even range for the pair kernels), the objective terms flushed
    /// every `block` rows; `width` is the kernel's `vectors` or `whole`. Mandatorily inlined,
    /// and every caller passes `kernel` as a literal, so the switch folds away and each call
    /// compiles to the loop written out for its kernel (one loop taking the row kernel as a
    /// closure made the K = 8 solve about 2× slower in alternating release benches).
    @_transparent
    mutating func run(_ rows: Range<Int>, _ kernel: FusedRowKernel, width: Int) {
        var r = rows.lowerBound
        while r < rows.upperBound {
            let end = min(r &+ Self.block, rows.upperBound)
            while r < end {
                switch kernel {
                case .shiftRow: shiftRow(r, vectors: width)
                case .measureRow: measureRow(r, vectors: width)
                case .shiftPair: shiftPair(r, whole: width)
                case .measurePair: measurePair(r, whole: width)
                }
                r &+= kernel.rows
            }
            flush()
        }
    }

    /// Row r's objective terms and its largest ∇ entries (the padding lanes left out), for
    /// the sweeps that take no step.
    @_transparent
    mutating func measureRow(_ r: Int, vectors: Int) {
        for v in 0..<vectors {
            var gradient = gradient(r, v).gradient
            if v == vectors &- 1 { gradient = gradient.replacing(with: -.infinity, where: padding) }
            largestLanes = lanewiseMax(largestLanes, gradient)
        }
    }
}

/// The second pass of a step sweep over one chunk of rows: T = exp(A) and its row sums, then
/// T_t ← dx·T_t / Σ and log T_t ← A_t − log Σ + log dx, and the next plan's prefix sums of
/// T Ck (Double, counted from zero at the chunk's first row) and column masses.
struct FusedRowRescale {
    let stride: Int
    let dx: Float, logDx: Float
    let plan: UnsafeMutablePointer<Float>, logPlan: UnsafeMutablePointer<Float>
    /// Row sums, then the scale dx / Σ of each row; the log offsets log dx − log Σ.
    let rowSums: UnsafeMutablePointer<Float>, logRowSums: UnsafeMutablePointer<Float>
    /// The chunk's column masses (zeroed by the caller) and its prefix sums (rows from the
    /// chunk's first + 1 on), after `zeros` (one row of zeros) as the row before the first.
    let mass: UnsafeMutablePointer<Float>, prefix: UnsafeMutablePointer<Double>, zeros: UnsafeMutablePointer<Double>
    /// Whether each row is a frame of the video (not padding).
    let live: UnsafeMutablePointer<Bool>

    /// exp(A) of row r (A ≤ 0 after the shift) into the plan, its sum into `rowSums`.
    @_transparent
    func exponentiate(_ r: Int, vectors: Int) {
        let base = r &* stride
        var total = Float8()
        for v in 0..<vectors {
            let e = vexpNonPositive(load8(logPlan + (base &+ v &* 8)))
            store8(e, plan + (base &+ v &* 8))
            total = v == 0 ? e : total + e
        }
        rowSums[r] = laneSum(total)
    }

    /// The rescaling pass on `rows` of the chunk starting at `chunkStart`: exponentials and
    /// row sums, factors, rescaled rows.
    @_transparent
    func rescaleRows(_ rows: Range<Int>, chunkStart: Int, vectors: Int) {
        for r in rows { exponentiate(r, vectors: vectors) }
        factors(rows)
        for r in rows { rescale(r, first: r == chunkStart, vectors: vectors) }
    }

    /// The scales and log offsets of `rows`, eight rows at a time (`vlog`).
    func factors(_ rows: Range<Int>) {
        var r = rows.lowerBound
        while r &+ 8 <= rows.upperBound {
            let sums = load8(rowSums + r)
            store8(Float8(repeating: dx) / sums, rowSums + r)
            store8(Float8(repeating: logDx) - vlog(sums), logRowSums + r)
            r &+= 8
        }
        while r < rows.upperBound {
            logRowSums[r] = logDx - logf(rowSums[r])
            rowSums[r] = dx / rowSums[r]
            r &+= 1
        }
    }

    /// Row r rescaled (zero, log −∞ on a padding row), then its step of the prefix sums,
    /// S[r + 1] = S[r] + (Σ_j T_rj − T_r·), and of the column masses.
    @_transparent
    func rescale(_ r: Int, first: Bool, vectors: Int) {
        let base = r &* stride, scale = rowSums[r], offset = logRowSums[r]
        var total = Float8()
        for v in 0..<vectors {
            let at = base &+ v &* 8
            var tv = Float8(), lv = Float8(repeating: -.infinity)
            if live[r] {
                tv = load8(plan + at) * scale
                lv = load8(logPlan + at) + offset
            }
            store8(tv, plan + at)
            store8(lv, logPlan + at)
            total = v == 0 ? tv : total + tv
        }
        let rowTotal = Float8(repeating: laneSum(total))
        let previous = first ? zeros : prefix + base
        for v in 0..<vectors {
            let tv = load8(plan + (base &+ v &* 8))
            store8(load8(previous + v &* 8) + SIMD8<Double>(rowTotal - tv), prefix + (base &+ stride &+ v &* 8))
            store8(load8(mass + v &* 8) + tv, mass + v &* 8)
        }
    }
}

/// One chunk's share of a step sweep (or a whole objective-only sweep): the objective lanes
/// and the largest ∇ lanes.
struct ChunkSums {
    var fgw = SIMD8<Double>(), entropy = SIMD8<Double>()
    var largest = Float8(repeating: -.infinity)
}
