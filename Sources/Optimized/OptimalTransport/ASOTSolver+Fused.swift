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
    /// so after that calibration each item runs its iterations on its own. With
    /// N ≥ `FusedASOTItem.chunkedFrames` the rows go in two chunks, the second on the
    /// `HelperThread` when `threads` > 1 and it is free; shorter videos in a batch of several
    /// run item by item on the two threads instead (odd items on the helper). Neither changes a result:
    /// the chunks depend on N only, and an item's arithmetic does not depend on its thread.
    ///
    /// `threads` nil: `solverThreads`, the second only when a core is free for it
    /// (`CoreAvailability`); a number: that many, busy machine or not (tests, comparisons).
    static func solveActionsUnbalancedFused(_ batch: ASOTBatch<Float>, settings s: ASOTSettings,
                                            threads: Int? = nil) -> [ASOTSolution<Float>] {
        let items = (0..<batch.costs.count).map {
            FusedASOTItem(cost: batch.costs[$0], mask: batch.masks[$0], settings: s)
        }
        let chunked = items.contains { $0.chunks.count > 1 }
        let itemsInParallel = !chunked && items.count > 1 && batch.frames >= parallelItemFrames
        let worker = (threads ?? solverThreads) > 1 && (chunked || itemsInParallel)
            ? HelperThread.claim(evenIfBusy: threads != nil) : nil
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

    /// Starts the solver's second thread now rather than at the first solve, so that its start
    /// overlaps what the caller does before (reading the input), for a process that decodes once.
    public static func prepareSolverThreads() {
        HelperThread.prepare()
    }

    /// Threads the default-mode solver may use: 2 when the machine has two cores or more,
    /// unless the environment sets `CLOT_SOLVER_THREADS` (1 runs every chunk and item on the
    /// calling thread; the results are the same). The second is used only while a core is free
    /// for it (`CoreAvailability`).
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
