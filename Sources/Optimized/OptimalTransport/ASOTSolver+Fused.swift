import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The default marginal mode (frames balanced, actions unbalanced) as fused sweeps over the
    /// rows, iterating on log T as well as T.
    ///
    /// Per row t, with G from the prefix-sum filter, A = log T − η∇ and the row rescaling done
    /// in the log domain (shifted by the row maximum, so the exponential never overflows):
    ///
    ///     T_t ← dx · exp(A_t − max A_t) / Σ exp(A_t − max A_t)
    ///     log T_t ← A_t − max A_t − log Σ exp(A_t − max A_t) + log dx
    ///
    /// which is the official `T ⊙ exp(−η∇)` followed by `T / T.sum(-1) · dx`. The one liberty:
    /// log(T + 1e-12) in ∇ is taken as max(log T, log 1e-12), and log(T + 1e-10) in the
    /// entropy as max(log T, log 1e-10). They differ by at most log 2 and only on entries
    /// below 1e-10, so each objective term moves by at most ~1e-10 per entry, and plans by far
    /// less than Float rounding (the golden tests hold this path to 1e-5 of the official
    /// float32 plans). It saves two logarithms per entry and iteration.
    ///
    /// Batch items only share the step size (η = 4 / max ∇ over the batch at the uniform plan),
    /// so after that calibration each item runs its iterations on its own. With K ≤ 8 and
    /// N ≥ `FusedASOTItem.chunkedFrames` the rows go in two chunks, the second on the
    /// `HelperThread` when `threads` > 1 and it is free; shorter videos in a batch of several
    /// run item by item on the two threads instead (odd items on the helper). Neither changes a result:
    /// the chunks depend on N only, and an item's arithmetic does not depend on its thread.
    static func solveActionsUnbalancedFused(_ batch: ASOTBatch<Float>, settings s: ASOTSettings,
                                            threads: Int = solverThreads) -> [ASOTSolution<Float>] {
        let items = (0..<batch.costs.count).map {
            FusedASOTItem(cost: batch.costs[$0], mask: batch.masks[$0], settings: s)
        }
        let chunked = items.contains { $0.chunks.count > 1 }
        let itemsInParallel = !chunked && items.count > 1 && batch.frames >= parallelItemFrames
        let worker = threads > 1 && (chunked || itemsInParallel) ? HelperThread.claim() : nil
        defer { worker?.release() }
        var step = s.stepSize.map { Float($0) }
        if step == nil {
            var largest = -Float.infinity
            for item in items { largest = max(largest, item.sweep(step: nil, worker: nil).largestGradient) }
            step = Float(4 / Double(largest))
        }
        func iterate(_ item: FusedASOTItem, worker: HelperThread?) -> ASOTSolution<Float> {
            var trace = [Float]()
            for iteration in 0...s.outerIterations {
                trace.append(item.sweep(step: iteration == s.outerIterations ? nil : step, worker: worker).objective)
            }
            return item.solution(objectiveTrace: trace)
        }
        guard itemsInParallel, let worker else { return items.map { iterate($0, worker: worker) } }
        let solutions = SolutionSlots(count: items.count)
        worker.start {
            for i in stride(from: 1, to: items.count, by: 2) { solutions.slots[i] = iterate(items[i], worker: nil) }
        }
        for i in stride(from: 0, to: items.count, by: 2) { solutions.slots[i] = iterate(items[i], worker: nil) }
        worker.wait()
        return solutions.all
    }

    /// Frames from which the items of a batch are solved on two threads (below, starting the
    /// thread costs more than it saves).
    static let parallelItemFrames = 128

    /// Threads the default-mode solver may use: 2 when the machine has two cores or more,
    /// unless the environment sets `CLOT_SOLVER_THREADS` (1 runs every chunk and item on the
    /// calling thread; the results are the same).
    public static let solverThreads: Int = {
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard let text = getenv("CLOT_SOLVER_THREADS"), let value = solverThreads(parsing: String(cString: text)) else {
            return min(2, cores)
        }
        return value
    }()

    /// A `CLOT_SOLVER_THREADS` value: a positive integer, of which at most 2 are used; nil for
    /// anything else (the `clot` tool refuses it before any work starts).
    public static func solverThreads(parsing text: String) -> Int? {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 1 else { return nil }
        return min(value, 2)
    }
}

/// One batch item of the fused default-mode solver: its plan T, log T, the shifted exponents
/// A (for K ≤ 8 written over log T, row by row, and turned back into log T by the rescaling),
/// and the prefix sums of T Ck with the column masses, which every step sweep leaves ready
/// for the next one. Buffers are allocated once; the sweeps allocate nothing.
///
/// Unchecked-Sendable: the two chunks of a K ≤ 8 step sweep run on two threads, and touch
/// disjoint rows of every buffer (the prefix sums they write go to `spare`, not to the
/// `prefix` both read).
final class FusedASOTItem: @unchecked Sendable {
    /// Frames from which a K ≤ 8 item's rows are split in two chunks (below, a thread hand-off
    /// per iteration costs more than half a sweep saves).
    static let chunkedFrames = 1024
    let n: Int, k: Int, count: Int
    /// Entries per row in the buffers: K ≤ 8 is laid out as eight lanes, the lanes past K a
    /// plan entry of 0 (log −∞) and a cost of 0 that no sum, maximum or label sees, so every
    /// K up to 8 runs the one-Float8-per-row kernels. Larger K keeps K and the flat passes.
    let stride: Int
    /// Whether rows are one Float8 (K ≤ 8).
    var rowKernel: Bool { stride == 8 }
    let settings: ASOTSettings
    let dx: Float, dy: Float
    let mask: [Bool]
    let cost: UnsafeMutablePointer<Float>
    let plan: UnsafeMutablePointer<Float>, logPlan: UnsafeMutablePointer<Float>
    let exponents: UnsafeMutablePointer<Float>, fused: UnsafeMutablePointer<Float>
    /// Prefix sums of T Ck for the current plan, and the buffer the K ≤ 8 sweep writes the
    /// next plan's into (then the two swap).
    private(set) var prefix: UnsafeMutablePointer<Double>, spare: UnsafeMutablePointer<Double>
    /// Row ranges of the K ≤ 8 step sweep (boundaries at multiples of 8, the `vlog` blocks).
    let chunks: [Range<Int>]
    private let partials: UnsafeMutablePointer<ChunkSums>
    let columnMass: UnsafeMutablePointer<Float>, columnTerms: UnsafeMutablePointer<Float>
    let rowSums: UnsafeMutablePointer<Float>, logRowSums: UnsafeMutablePointer<Float>

    init(cost c: Matrix<Float>, mask: [Bool], settings: ASOTSettings) {
        n = c.rows
        k = c.columns
        stride = k <= 8 ? 8 : k
        count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        self.settings = settings
        self.mask = mask
        dx = 1 / Float(count)
        dy = 1 / Float(k)
        // Every entry of the N × K buffers is written before it is read, so they are not
        // zeroed first (that would be one more pass over the memory, page faults included).
        func make<T: Numeric>(_ size: Int, _: T.Type, zeroed: Bool = false) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(size, 1))
            if zeroed { p.initialize(repeating: 0, count: max(size, 1)) }
            return p
        }
        let (n, k, stride) = (self.n, self.k, self.stride)
        let costCopy = make(n * stride, Float.self)
        c.elements.withUnsafeBufferPointer { source in
            if stride == k {
                costCopy.update(from: source.baseAddress!, count: n * k)
            } else {
                for i in 0..<n {
                    for j in 0..<stride { costCopy[i &* stride &+ j] = j < k ? source[i &* k &+ j] : 0 }
                }
            }
        }
        cost = costCopy
        plan = make(n * stride, Float.self)
        logPlan = make(n * stride, Float.self)
        exponents = make(stride == 8 ? 0 : n * k, Float.self)   // A of the flat passes (K ≤ 8 keeps A in logPlan)
        fused = make(stride == 8 ? 0 : n * k, Float.self)   // G' of the flat passes (K > 8 only)
        prefix = make((n + 1) * stride, Double.self)
        spare = make((n + 1) * stride, Double.self)
        if stride == 8 && n >= Self.chunkedFrames {
            let middle = n / 16 * 8
            chunks = [0..<middle, middle..<n]
        } else {
            chunks = [0..<n]
        }
        partials = .allocate(capacity: chunks.count)
        partials.initialize(repeating: ChunkSums(), count: chunks.count)
        columnMass = make(stride, Float.self, zeroed: true)
        columnTerms = make(stride, Float.self, zeroed: true)   // read as one Float8 when K ≤ 8
        rowSums = make(n, Float.self)
        logRowSums = make(n, Float.self)
        let start = dx * dy, logStart = logf(dx * dy)
        for i in 0..<n {
            for j in 0..<stride {
                plan[i * stride + j] = mask[i] && j < k ? start : 0
                logPlan[i * stride + j] = mask[i] && j < k ? logStart : -.infinity
            }
        }
        accumulate()
    }

    deinit {
        cost.deallocate(); plan.deallocate(); logPlan.deallocate(); exponents.deallocate(); fused.deallocate()
        prefix.deallocate(); spare.deallocate(); partials.deallocate(); columnMass.deallocate(); columnTerms.deallocate()
        rowSums.deallocate(); logRowSums.deallocate()
    }

    /// The final plan rescaled to rows summing to one, with the objective trace.
    func solution(objectiveTrace: [Float]) -> ASOTSolution<Float> {
        let scale = Float(count)
        var elements = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            for j in 0..<k { elements[i * k + j] = plan[i * stride + j] * scale }
        }
        return ASOTSolution(plan: Matrix(rows: n, columns: k, elements: elements), objectiveTrace: objectiveTrace)
    }

    // MARK: Prefix sums

    /// Prefix sums of Y = T Ck (Double) and the column masses, from the plan as it stands.
    private func accumulate() {
        // Eight as a constant, so LLVM unrolls the per-row loops (same arithmetic).
        if rowKernel { accumulate(k: 8) } else { accumulate(k: k) }
    }

    @inline(__always)
    private func accumulate(k: Int) {
        for j in 0..<k { prefix[j] = 0; columnMass[j] = 0 }
        for r in 0..<n { accumulateRow(r, k: k) }
    }

    /// Row r's step of the prefix sums: S[r + 1] = S[r] + (Σ_j T_rj − T_r·), masses += T_r·.
    @inline(__always)
    private func accumulateRow(_ r: Int, k: Int) {
        let row = plan + r &* k, here = prefix + r &* k, next = here + k
        var rowSum: Float = 0
        for j in 0..<k { rowSum += row[j] }
        for j in 0..<k {
            next[j] = here[j] + Double(rowSum - row[j])
            columnMass[j] += row[j]
        }
    }

    // MARK: The sweep

    /// One sweep: the objective at the current plan, ∇, and (when `step` is given) the mirror
    /// step with the row rescaling, which also leaves the prefix sums of the new plan ready.
    /// Returns the objective and the largest ∇ entry.
    func sweep(step: Float?, worker: HelperThread?) -> (objective: Float, largestGradient: Float) {
        let s = settings, lambda = Float(s.lambdaActions)
        // Column KL term of ∇ and its objective value, from the column masses.
        var kl: Float = 0
        for j in 0..<k {
            let mass = columnMass[j]
            kl += mass * logf(mass / dy + 1e-10)
            columnTerms[j] = lambda * (logf(mass / dy + 1e-12) + 1)
        }
        let lanes: (fgw: Double, entropy: Double, largest: Float)
        var nextMass: Float8?
        if rowKernel, let move = step {
            let sums = stepChunks8(step: move, worker: worker)
            lanes = (sums.fgw.sum(), sums.entropy.sum(), largestRealLane(sums.largest))
            nextMass = sums.mass
        } else if rowKernel {
            lanes = objectiveRows8()
        } else {
            lanes = flatPasses(step: step)
        }
        var fgw = lanes.fgw
        // ⟨G', T⟩ counted the column term once per unit of column mass: take it back out.
        for j in 0..<k { fgw -= Double(columnTerms[j] * columnMass[j]) }
        if let nextMass {
            for j in 0..<8 { columnMass[j] = nextMass[j] }
        } else if step != nil {
            finishRows()
        }
        let objective = 0.5 * fgw + Double(kl * lambda) - s.epsilon * lanes.entropy
        return (Float(objective), lanes.largest)
    }

    private var reach: Int { Int((Double(n) * settings.radius).rounded(.towardZero)) }
    private var filterWeight: Float { reach > 0 ? 1 / Float(settings.radius) : 0 }

    /// K > 8 (step and objective-only sweeps): G' = G + column term into `fused`, then one flat
    /// pass for the objective sums, ∇ and A (eight entries at a time), then (with a step) the
    /// row shift by the maximum and the exponentials with their row sums.
    private func flatPasses(step: Float?) -> (fgw: Double, entropy: Double, largest: Float) {
        let eps = Float(settings.epsilon), alpha = Float(settings.alpha), keep = 1 - alpha
        let reach = self.reach, weight = filterWeight
        let floor12: Float = logf(1e-12), floor10: Float = logf(1e-10)
        // 1. G' = G + (column KL term), row by row (no reductions, so LLVM vectorises it).
        for r in 0..<n {
            let hi = min(n, r &+ reach &+ 1), lo = max(0, r &- reach)
            let base = r &* k
            let upper = prefix + hi &* k, lower = prefix + lo &* k, next = prefix + (r &+ 1) &* k, here = prefix + base
            for j in 0..<k {
                let window = upper[j] - lower[j] - (next[j] - here[j])
                fused[base &+ j] = alpha * (weight * Float(window)) + keep * cost[base &+ j] + columnTerms[j]
            }
        }
        // 2. Objective sums, ∇ = G' + ε max(log T, log 1e-12) and A = log T − η∇.
        var fgwLanes = SIMD8<Double>(), entropyLanes = SIMD8<Double>()
        var largestLanes = Float8(repeating: -.infinity)
        let move = Float8(repeating: step ?? 0)
        let size = n &* k
        var i = 0
        while i &+ 8 <= size {
            let tv = load8(plan + i), lv = load8(logPlan + i), gv = load8(fused + i)
            fgwLanes += SIMD8<Double>(gv * tv)
            entropyLanes += SIMD8<Double>(-tv * lanewiseMax(lv, Float8(repeating: floor10)) + tv)
            let gradient = gv + eps * lanewiseMax(lv, Float8(repeating: floor12))
            largestLanes = lanewiseMax(largestLanes, gradient)
            store8(lv - move * gradient, exponents + i)
            i &+= 8
        }
        var fgw = fgwLanes.sum(), entropy = entropyLanes.sum()
        var largest = largestLane(largestLanes)
        while i < size {
            let tv = plan[i], lv = logPlan[i], g = fused[i]
            fgw += Double(g * tv)
            entropy += Double(-tv * max(lv, floor10) + tv)
            let gradient = g + eps * max(lv, floor12)
            largest = max(largest, gradient)
            exponents[i] = lv - (step ?? 0) * gradient
            i &+= 1
        }
        if step != nil { shiftAndExponentiate() }
        return (fgw, entropy, largest)
    }

    /// 3. Each row of A shifted by its maximum (the rescaling divides it out), T = exp(A) and
    /// the row sums, for K > 8.
    private func shiftAndExponentiate() {
        for r in 0..<n {
            let base = r &* k
            var rowMax = -Float.infinity
            for j in 0..<k { rowMax = max(rowMax, exponents[base &+ j]) }
            if !mask[r] || !rowMax.isFinite {
                for j in 0..<k { exponents[base &+ j] = -.infinity }
                continue
            }
            for j in 0..<k { exponents[base &+ j] -= rowMax }
        }
        let size = n &* k
        var i = 0
        while i &+ 8 <= size {
            store8(vexp(load8(exponents + i)), plan + i)
            i &+= 8
        }
        while i < size { plan[i] = expf(exponents[i]); i &+= 1 }
        for r in 0..<n {
            let row = plan + r &* k
            var sum: Float = 0
            for j in 0..<k { sum += row[j] }
            rowSums[r] = sum
        }
    }

    /// The K ≤ 8 step sweep over the chunks (the second on `worker` when there is one), their
    /// sums combined in chunk order, and the prefix sums of the second chunk, which it starts
    /// from zero, moved up by the first chunk's total; then `spare` becomes `prefix`.
    private func stepChunks8(step: Float, worker: HelperThread?) -> ChunkSums {
        if chunks.count == 2, let worker {
            worker.start { self.partials[1] = self.stepChunk8(1, step: step) }
            partials[0] = stepChunk8(0, step: step)
            worker.wait()
        } else {
            for c in chunks.indices { partials[c] = stepChunk8(c, step: step) }
        }
        var total = ChunkSums()
        for c in chunks.indices {
            total.fgw += partials[c].fgw
            total.entropy += partials[c].entropy
            total.largest = lanewiseMax(total.largest, partials[c].largest)
            total.mass += partials[c].mass
        }
        for c in chunks.indices.dropFirst() {
            let offset = load8(spare + chunks[c].lowerBound &* 8)
            for x in (chunks[c].lowerBound &+ 1)...chunks[c].upperBound {
                store8(load8(spare + x &* 8) + offset, spare + x &* 8)
            }
        }
        swap(&prefix, &spare)
        return total
    }

    /// The largest of the first K lanes (the padding lanes' ∇ is finite but not an entry's).
    private func largestRealLane(_ lanes: Float8) -> Float {
        let index = Float8(0, 1, 2, 3, 4, 5, 6, 7)
        return largestLane(lanes.replacing(with: Float8(repeating: -.infinity), where: index .>= Float8(repeating: Float(k))))
    }

    /// The K ≤ 8 objective-only sweep (the step calibration and the final objective): the
    /// step sweep's row arithmetic with nothing stored.
    private func objectiveRows8() -> (fgw: Double, entropy: Double, largest: Float) {
        var kernel = StepRow8(item: self, step: 0)
        var r = 0
        while r < n {
            let end = min(r &+ StepRow8.block, n)
            while r < end { _ = kernel.shifted(r); r &+= 1 }
            kernel.flush()
        }
        return (kernel.fgwLanes.sum(), kernel.entropyLanes.sum(), largestRealLane(kernel.largestLanes))
    }

    /// One chunk of the K ≤ 8 step sweep, `flatPasses` and the row shift of
    /// `shiftAndExponentiate` row by row: a row is one Float8, so lane j of every accumulator
    /// sees the same entries in the same order as the flat passes, and every entry gets the
    /// same arithmetic. Writes the shifted A, then `finishRows8` on the same rows. (The
    /// exponentials are left to that second pass: behind this pass's long dependency chain
    /// they would not overlap from one row to the next.)
    private func stepChunk8(_ c: Int, step: Float) -> ChunkSums {
        var kernel = StepRow8(item: self, step: step)
        let rows = chunks[c]
        var r = rows.lowerBound
        while r < rows.upperBound {
            let end = min(r &+ StepRow8.block, rows.upperBound)
            while r < end { store8(kernel.shifted(r), logPlan + r &* 8); r &+= 1 }   // A over its own log T row
            kernel.flush()
        }
        let mass = finishRows8(chunks[c])
        return ChunkSums(fgw: kernel.fgwLanes, entropy: kernel.entropyLanes, largest: kernel.largestLanes, mass: mass)
    }

    // MARK: Rescaling

    /// log of the row sums, then T_t = dx · T_t / Σ and log T_t = A_t − log Σ + log dx, each
    /// row followed by its step of the next prefix sums (the same arithmetic as `accumulate`).
    private func finishRows() {
        var r = 0
        while r &+ 8 <= n {
            store8(vlog(load8(rowSums + r)), logRowSums + r)
            r &+= 8
        }
        while r < n { logRowSums[r] = logf(rowSums[r]); r &+= 1 }
        rescale(k: k)
    }

    /// K ≤ 8, on one chunk of rows: the exponentials of the shifted A and their row sums, and
    /// `finishRows`, with a row as one Float8 and the column masses and prefix row in registers
    /// (short, independent chains from row to row). The prefix sums go to `spare`, counted from
    /// zero at the chunk's first row; returns the chunk's column masses.
    private func finishRows8(_ rows: Range<Int>) -> Float8 {
        let logDx = logf(dx), dx = self.dx
        let plan = self.plan, logPlan = self.logPlan, prefix = self.spare
        var mass = Float8(), here = SIMD8<Double>()
        if rows.lowerBound == 0 { store8(here, prefix) }
        @inline(__always) func exponentiate(_ r: Int) {
            let e = vexpNonPositive(load8(logPlan + r &* 8))   // A ≤ 0 after the shift
            store8(e, plan + r &* 8)
            rowSums[r] = laneSum(e)
        }
        @inline(__always) func rescale(_ r: Int, scale: Float, offset: Float) {
            let base = r &* 8
            var tv = Float8(), lv = Float8(repeating: -.infinity)
            if mask[r] {
                tv = load8(plan + base) * scale
                lv = load8(logPlan + base) + offset
            }
            store8(tv, plan + base)
            store8(lv, logPlan + base)
            here += SIMD8<Double>(Float8(repeating: laneSum(tv)) - tv)
            store8(here, prefix + (base &+ 8))
            mass += tv
        }
        for r in rows { exponentiate(r) }
        var r = rows.lowerBound
        while r &+ 8 <= rows.upperBound {
            let sums = load8(rowSums + r)
            let scales = Float8(repeating: dx) / sums, offsets = Float8(repeating: logDx) - vlog(sums)
            store8(scales, rowSums + r)
            store8(offsets, logRowSums + r)
            r &+= 8
        }
        while r < rows.upperBound {
            logRowSums[r] = logDx - logf(rowSums[r])
            rowSums[r] = dx / rowSums[r]
            r &+= 1
        }
        for r in rows { rescale(r, scale: rowSums[r], offset: logRowSums[r]) }
        return mass
    }

    @inline(__always)
    private func rescale(k: Int) {
        let logDx = logf(dx)
        for j in 0..<k { prefix[j] = 0; columnMass[j] = 0 }
        for r in 0..<n {
            let base = r &* k
            if mask[r] {
                let scale = dx / rowSums[r], offset = logDx - logRowSums[r]
                for j in 0..<k {
                    plan[base &+ j] *= scale
                    logPlan[base &+ j] = exponents[base &+ j] + offset
                }
            } else {
                for j in 0..<k { plan[base &+ j] = 0; logPlan[base &+ j] = -.infinity }
            }
            accumulateRow(r, k: k)
        }
    }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> Float8 { UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }
@inline(__always)
private func load8(_ p: UnsafeMutablePointer<Float>) -> Float8 { UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }
@inline(__always)
private func load8(_ p: UnsafeMutablePointer<Double>) -> SIMD8<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self) }
@inline(__always)
private func store8(_ v: Float8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self) }
@inline(__always)
private func store8(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self) }

/// The per-row arithmetic of `FusedASOTItem.stepRows8`, with the item's pointers and constants
/// in registers and the objective lanes as its own state.
private struct StepRow8 {
    let n: Int, reach: Int, weight: Float, eps: Float, alpha: Float, keep: Float
    let terms: Float8, floor12: Float8, floor10: Float8, move: Float8
    let prefix: UnsafeMutablePointer<Double>, cost: UnsafeMutablePointer<Float>
    let plan: UnsafeMutablePointer<Float>, logPlan: UnsafeMutablePointer<Float>
    let mask: [Bool]
    /// Rows whose objective terms are summed in Float before they join the Double lanes.
    static let block = 8
    var fgwLanes = SIMD8<Double>(), entropyLanes = SIMD8<Double>()
    var fgwBlock = Float8(), entropyBlock = Float8()
    var largestLanes = Float8(repeating: -.infinity)

    init(item: FusedASOTItem, step: Float) {
        let s = item.settings
        n = item.n
        reach = Int((Double(n) * s.radius).rounded(.towardZero))
        weight = reach > 0 ? 1 / Float(s.radius) : 0
        eps = Float(s.epsilon)
        alpha = Float(s.alpha)
        keep = 1 - alpha
        terms = load8(item.columnTerms)
        floor12 = Float8(repeating: logf(1e-12))
        floor10 = Float8(repeating: logf(1e-10))
        move = Float8(repeating: step)
        prefix = item.prefix; cost = item.cost; plan = item.plan; logPlan = item.logPlan
        mask = item.mask
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

    /// ∇ and A for row r, its objective terms added to the block sums; A shifted by its maximum,
    /// or −∞ on a padding row (and on a row with no finite entry).
    @_transparent
    mutating func shifted(_ r: Int) -> Float8 {
        let hi = min(n, r &+ reach &+ 1), lo = max(0, r &- reach)
        let base = r &* 8
        let window = load8(prefix + hi &* 8) - load8(prefix + lo &* 8) - (load8(prefix + (r &+ 1) &* 8) - load8(prefix + base))
        let gv = alpha * (weight * Float8(window)) + keep * load8(cost + base) + terms
        let tv = load8(plan + base), lv = load8(logPlan + base)
        fgwBlock += gv * tv
        entropyBlock += -tv * lanewiseMax(lv, floor10) + tv
        let gradient = gv + eps * lanewiseMax(lv, floor12)
        largestLanes = lanewiseMax(largestLanes, gradient)
        let av = lv - move * gradient
        let rowMax = largestLane(av)
        let live = mask[r] && rowMax.isFinite
        return live ? av - rowMax : Float8(repeating: -.infinity)
    }
}

/// One chunk's share of a K ≤ 8 step sweep: the objective lanes, the largest ∇ lanes and the
/// next plan's column masses.
struct ChunkSums {
    var fgw = SIMD8<Double>(), entropy = SIMD8<Double>()
    var largest = Float8(repeating: -.infinity)
    var mass = Float8()
}

/// One result slot per batch item, filled by the two threads (each slot by one of them only;
/// raw storage, so neither thread's write touches an array the other is writing).
private final class SolutionSlots: @unchecked Sendable {
    let slots: UnsafeMutablePointer<ASOTSolution<Float>?>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    var all: [ASOTSolution<Float>] { (0..<count).map { slots[$0]! } }
}
