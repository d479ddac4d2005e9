import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

/// One batch item of the fused default-mode solver (`Optimized.solveActionsUnbalancedFused`):
/// its plan T and log T, and the prefix sums of T Ck with the column masses, which every step
/// sweep leaves ready for the next one. Buffers are allocated once; the sweeps allocate nothing.
///
/// A row is `stride` = K rounded up to a multiple of eight entries, the lanes past K a plan
/// entry of 0 (log −∞) and a cost of 0 that no sum, maximum or label sees, so every K runs the
/// same eight-lane row kernels (`FusedRowSweep`, `FusedRowRescale`); for 9 ≤ K ≤ 12 and
/// 17 ≤ K ≤ 20 a row is 12 or 20 entries and rows go in pairs, three or five vectors per pair
/// (`FusedPairLayout`).
///
/// Unchecked-Sendable: the two chunks of a step sweep run on two threads, and touch disjoint
/// rows of every buffer (the prefix sums they write go to `spare`, not to the `prefix` both
/// read) and their own column masses.
final class FusedASOTItem: @unchecked Sendable {
    /// Frames from which an item's rows are split in two chunks (below, a thread hand-off per
    /// iteration costs more than half a sweep saves).
    static let chunkedFrames = 1024
    let n: Int, k: Int, count: Int
    /// Entries per row in the buffers (K rounded up to a multiple of eight, or 12 or 20), and
    /// eight-lane blocks per row (rows not in pairs).
    let stride: Int, vectors: Int
    /// Whether rows go in pairs (9 ≤ K ≤ 12, 17 ≤ K ≤ 20), and the rows of the buffers (N, made
    /// even for pairs).
    let paired: Bool, bufferRows: Int
    let settings: ASOTSettings
    let dx: Float, dy: Float
    let mask: [Bool]
    /// The mask for the kernels, one per buffer row (the padding row of an odd N in pairs false).
    let live: UnsafeMutablePointer<Bool>
    let cost: UnsafeMutablePointer<Float>
    let plan: UnsafeMutablePointer<Float>, logPlan: UnsafeMutablePointer<Float>
    /// Prefix sums of T Ck for the current plan, and the buffer the step sweep writes the next
    /// plan's into (then the two swap).
    private(set) var prefix: UnsafeMutablePointer<Double>, spare: UnsafeMutablePointer<Double>
    /// One row of zeros: the prefix row before each chunk's first.
    private let zeros: UnsafeMutablePointer<Double>
    /// Row ranges of the step sweep (boundaries at multiples of 8, the `vlog` blocks).
    let chunks: [Range<Int>]
    private let partials: UnsafeMutablePointer<ChunkSums>
    /// Each chunk's column masses of the next plan (`stride` entries per chunk).
    private let chunkMass: UnsafeMutablePointer<Float>
    let columnMass: UnsafeMutablePointer<Float>, columnTerms: UnsafeMutablePointer<Float>
    let rowSums: UnsafeMutablePointer<Float>, logRowSums: UnsafeMutablePointer<Float>

    init(cost c: Matrix<Float>, mask: [Bool], settings: ASOTSettings) {
        n = c.rows
        k = c.columns
        let pairWidth = FusedPairLayout.stride(clusters: k)
        paired = pairWidth != nil
        stride = pairWidth ?? (k + 7) / 8 * 8
        vectors = stride / 8
        bufferRows = paired ? FusedPairLayout.rows(n) : n
        count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        self.settings = settings
        self.mask = mask
        dx = 1 / Float(count)
        dy = 1 / Float(k)
        chunks = n >= Self.chunkedFrames ? [0..<(n / 16 * 8), (n / 16 * 8)..<n] : [0..<n]
        // Every entry of the N × K buffers is written before it is read, so they are not
        // zeroed first (that would be one more pass over the memory, page faults included).
        let (rows, stride) = (bufferRows, self.stride)
        cost = Self.make(rows * stride)
        plan = Self.make(rows * stride)
        logPlan = Self.make(rows * stride)
        prefix = Self.make((rows + 1) * stride)
        spare = Self.make((rows + 1) * stride)
        zeros = Self.make(stride, zeroed: true)
        partials = .allocate(capacity: chunks.count)
        partials.initialize(repeating: ChunkSums(), count: chunks.count)
        chunkMass = Self.make(chunks.count * stride, zeroed: true)
        columnMass = Self.make(stride, zeroed: true)
        columnTerms = Self.make(stride, zeroed: true)   // read in blocks of eight
        rowSums = Self.make(rows)
        logRowSums = Self.make(rows)
        live = .allocate(capacity: max(rows, 1))
        for r in 0..<rows { live[r] = r < n && mask[r] }
        copyCost(c)
        start()
    }

    deinit {
        cost.deallocate(); plan.deallocate(); logPlan.deallocate(); prefix.deallocate(); spare.deallocate()
        zeros.deallocate(); partials.deallocate(); chunkMass.deallocate(); columnMass.deallocate()
        columnTerms.deallocate(); rowSums.deallocate(); logRowSums.deallocate(); live.deallocate()
    }

    private static func make<T: Numeric>(_ size: Int, zeroed: Bool = false) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(size, 1))
        if zeroed { p.initialize(repeating: 0, count: max(size, 1)) }
        return p
    }

    /// The cost, its rows padded with zeros to `stride` (and a row of zeros after an odd N
    /// in pairs).
    private func copyCost(_ c: Matrix<Float>) {
        c.elements.withUnsafeBufferPointer { source in
            for i in 0..<bufferRows {
                for j in 0..<stride { cost[i &* stride &+ j] = i < n && j < k ? source[i &* k &+ j] : 0 }
            }
        }
    }

    /// The uniform plan dx·dy on real rows (zero on padding rows and lanes), its log, and the
    /// prefix sums of Y = T Ck (Double): S[r + 1] = S[r] + (Σ_j T_rj − T_r·), with the masses.
    private func start() {
        let value = dx * dy, logValue = logf(dx * dy)
        for j in 0..<stride { prefix[j] = 0 }
        for r in 0..<bufferRows {
            let row = plan + r &* stride, logRow = logPlan + r &* stride
            for j in 0..<stride {
                row[j] = live[r] && j < k ? value : 0
                logRow[j] = live[r] && j < k ? logValue : -.infinity
            }
            var rowSum: Float = 0
            for j in 0..<stride { rowSum += row[j] }
            for j in 0..<stride {
                prefix[(r &+ 1) &* stride &+ j] = prefix[r &* stride &+ j] + Double(rowSum - row[j])
                columnMass[j] += row[j]
            }
        }
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

    // MARK: The sweep

    /// One sweep: the objective at the current plan, ∇, and (when `step` is given) the mirror
    /// step with the row rescaling, which also leaves the prefix sums of the new plan ready.
    /// Returns the objective and the largest ∇ entry (only the sweeps without a step find it).
    func sweep(step: Float?, worker: HelperThread?) -> (objective: Float, largestGradient: Float) {
        let lambda = Float(settings.lambdaActions)
        let kl = columnKL(lambda: lambda)
        let sums = step.map { stepChunks(step: $0, worker: worker) } ?? measureRows()
        var fgw = sums.fgw.sum()
        // ⟨G', T⟩ counted the column term once per unit of column mass: take it back out.
        for j in 0..<k { fgw -= Double(columnTerms[j] * columnMass[j]) }
        if step != nil { gatherColumnMass() }
        let objective = 0.5 * fgw + Double(kl * lambda) - settings.epsilon * sums.entropy.sum()
        return (Float(objective), largestLane(sums.largest))
    }

    /// The column KL term of ∇ into `columnTerms` (the padding lanes stay 0), and the KL
    /// divergence of the column masses from dy.
    private func columnKL(lambda: Float) -> Float {
        var kl: Float = 0
        for j in 0..<k {
            let mass = columnMass[j]
            kl += mass * logf(mass / dy + 1e-10)
            columnTerms[j] = lambda * (logf(mass / dy + 1e-12) + 1)
        }
        return kl
    }

    /// The next plan's column masses: the chunks' in chunk order.
    private func gatherColumnMass() {
        for j in 0..<stride { columnMass[j] = chunkMass[j] }
        for c in chunks.indices.dropFirst() {
            for j in 0..<stride { columnMass[j] += chunkMass[c &* stride &+ j] }
        }
    }

    /// The step sweep over the chunks (the second on `worker` when there is one), their sums
    /// combined in chunk order, and the prefix sums of the second chunk, which it counts from
    /// zero, moved up by the first chunk's total; then `spare` becomes `prefix`.
    private func stepChunks(step: Float, worker: HelperThread?) -> ChunkSums {
        if chunks.count == 2, let worker {
            worker.start { self.partials[1] = self.stepChunk(1, step: step) }
            partials[0] = stepChunk(0, step: step)
            worker.wait()
        } else {
            for c in chunks.indices { partials[c] = stepChunk(c, step: step) }
        }
        var total = ChunkSums()
        for c in chunks.indices {
            total.fgw += partials[c].fgw
            total.entropy += partials[c].entropy
        }
        for c in chunks.indices.dropFirst() {
            let first = chunks[c].lowerBound, offset = spare + first &* stride
            for x in (first &+ 1)...end(c) {
                let row = spare + x &* stride
                var j = 0
                while j < stride { store4(load4(row + j) + load4(offset + j), row + j); j &+= 4 }
            }
        }
        swap(&prefix, &spare)
        return total
    }

    /// The last row (exclusive) chunk c computes: its end, or for pairs the end of its last pair.
    private func end(_ c: Int) -> Int {
        paired ? FusedPairLayout.rows(chunks[c].upperBound) : chunks[c].upperBound
    }

    /// One chunk of the step sweep, a tile of rows at a time: the shifted A of the tile's rows
    /// written over their log T, then the rescaling pass on the same rows (the exponentials are
    /// left to that second pass: behind the first pass's long dependency chain they would not
    /// overlap from one row to the next). The blocks per row are a constant in the common cases,
    /// so that the kernels' loops over them unroll.
    private func stepChunk(_ c: Int, step: Float) -> ChunkSums {
        var sweep = FusedRowSweep(item: self, step: step)
        let rescale = rescaleKernel(c), rows = chunks[c]
        switch (paired, vectors) {
        case (true, _) where stride == 12: sweep.step(rows.lowerBound..<end(c), rescale: rescale, pairs: true, width: 1)
        case (true, _): sweep.step(rows.lowerBound..<end(c), rescale: rescale, pairs: true, width: 2)
        case (false, 1): sweep.step(rows, rescale: rescale, pairs: false, width: 1)
        case (false, 2): sweep.step(rows, rescale: rescale, pairs: false, width: 2)
        case (false, 3): sweep.step(rows, rescale: rescale, pairs: false, width: 3)
        case (false, 4): sweep.step(rows, rescale: rescale, pairs: false, width: 4)
        case (false, 5): sweep.step(rows, rescale: rescale, pairs: false, width: 5)
        case (false, 6): sweep.step(rows, rescale: rescale, pairs: false, width: 6)
        default: sweep.step(rows, rescale: rescale, pairs: false, width: vectors)
        }
        return ChunkSums(fgw: sweep.fgwLanes, entropy: sweep.entropyLanes)
    }

    /// The rescaling kernel of chunk c, its column masses zeroed (and the first prefix row).
    private func rescaleKernel(_ c: Int) -> FusedRowRescale {
        let mass = chunkMass + c &* stride
        for j in 0..<stride { mass[j] = 0 }
        if chunks[c].lowerBound == 0 { for j in 0..<stride { spare[j] = 0 } }
        return FusedRowRescale(stride: stride, dx: dx, logDx: logf(dx), plan: plan, logPlan: logPlan,
                               rowSums: rowSums, logRowSums: logRowSums, mass: mass, prefix: spare,
                               zeros: zeros, live: live)
    }

    /// The sweep without a step (the step calibration and the final objective): the step
    /// sweep's first pass with nothing stored, and the largest ∇ entry.
    private func measureRows() -> ChunkSums {
        var sweep = FusedRowSweep(item: self, step: 0)
        switch (paired, vectors) {
        case (true, _): sweep.run(0..<bufferRows, .measurePair, width: FusedPairLayout.whole(stride: stride))
        case (false, 1): sweep.run(0..<n, .measureRow, width: 1)
        case (false, 2): sweep.run(0..<n, .measureRow, width: 2)
        case (false, 3): sweep.run(0..<n, .measureRow, width: 3)
        default: sweep.run(0..<n, .measureRow, width: vectors)
        }
        return ChunkSums(fgw: sweep.fgwLanes, entropy: sweep.entropyLanes, largest: sweep.largestLanes)
    }
}
