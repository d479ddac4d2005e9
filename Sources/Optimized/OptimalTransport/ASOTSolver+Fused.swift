import CLOTCore

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
    /// so after that calibration each item runs its iterations on its own
    /// (`FusedASOTItem.sweep`, whose row kernels are in `Kernels/FusedRowKernels.swift`).
    static func solveActionsUnbalancedFused(_ batch: ASOTBatch<Float>, settings s: ASOTSettings) -> [ASOTSolution<Float>] {
        let items = (0..<batch.costs.count).map {
            FusedASOTItem(cost: batch.costs[$0], mask: batch.masks[$0], settings: s)
        }
        var step = s.stepSize.map { Float($0) }
        if step == nil {
            var largest = -Float.infinity
            for item in items { largest = max(largest, item.sweep(step: nil).largestGradient) }
            step = Float(4 / Double(largest))
        }
        return items.map { item in
            var trace = [Float]()
            for iteration in 0...s.outerIterations {
                trace.append(item.sweep(step: iteration == s.outerIterations ? nil : step).objective)
            }
            return item.solution(objectiveTrace: trace)
        }
    }
}
