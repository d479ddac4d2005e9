import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The ASOT mirror-descent solver (ASOT §3.3, Documentation/Method.md §3) in Float32, step for step the
    /// arithmetic of the official `segment_asot` on float32 tensors, so that its plans match the
    /// official float32 ones (and `Reference.solveASOT` to Float rounding where the problem is
    /// well conditioned). See `Reference.solveASOT` for the equations.
    ///
    /// Departures from the official code that change no result beyond rounding: the temporal
    /// filter uses prefix sums (O(N·K) rather than a convolution of width 2⌊N r⌋ + 1), sums are
    /// accumulated in Double, and the fused cost G(T) is computed once per iteration for both
    /// the objective and the gradient (the plan is zero on padding, so G(T ⊙ mask) = G(T)).
    /// - Complexity: O(outer · N · K) time, O(B · N · K) memory allocated once.
    ///
    /// Postconditions: those of `Reference.solveASOT`, the marginals met to Float rounding
    /// (relative 1e-5): one solution per problem, plans non-negative and zero on padded rows,
    /// `outerIterations` + 1 objectives per trace. The same input gives the same bits on
    /// every CPU, whatever the thread count.
    ///
    /// Edge Cases: those of `Reference.solveASOT`. Balanced: where the official float32 kernel
    /// underflows everywhere (its result is NaN), the kernel is shifted by its largest exponent
    /// and the plan stays finite.
    public static func solveASOT(_ batch: ASOTBatch<Float>, settings s: ASOTSettings) -> [ASOTSolution<Float>] {
        if s.marginals == .actionsUnbalanced { return solveActionsUnbalancedFused(batch, settings: s) }
        let n = batch.frames, k = batch.clusters, items = batch.costs.count
        let w = ASOTWorkspace(batch: items, frames: n, clusters: k, balanced: s.marginals == .balanced)
        let counts = batch.masks.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } }
        let dx = counts.map { 1 / Float($0) }, dy = 1 / Float(k)
        for item in 0..<items {
            let t = w.item(w.plans, item)
            for i in 0..<n where batch.masks[item][i] { for j in 0..<k { t[i * k + j] = dx[item] * dy } }
        }
        var traces = Array(repeating: [Float](), count: items)
        var step: Float? = s.stepSize.map { Float($0) }
        for iteration in 0...s.outerIterations {
            var largest = -Float.infinity
            for item in 0..<items {
                batch.costs[item].elements.withUnsafeBufferPointer { c in
                    fusedCost(plan: UnsafeBufferPointer(w.item(w.plans, item)), cost: c, frames: n, clusters: k,
                              alpha: Float(s.alpha), radius: s.radius, prefix: w.prefix, out: w.item(w.fused, item))
                }
                let (value, top) = objectiveAndGradient(w, item: item, dx: dx[item], dy: dy, settings: s)
                traces[item].append(value)
                largest = max(largest, top)
            }
            if iteration == s.outerIterations { break }
            if step == nil { step = Float(4 / Double(largest)) }
            for item in 0..<items { mirrorStep(w, item: item, step: step!) }
            project(w, masks: batch.masks, dx: dx, dy: dy, settings: s)
        }
        return (0..<items).map { item in
            let scale = Float(counts[item])
            let plan = w.item(w.plans, item).map { $0 * scale }
            return ASOTSolution(plan: Matrix(rows: n, columns: k, elements: plan), objectiveTrace: traces[item])
        }
    }

    /// `solveASOT(_:settings:)` with the default marginal mode's two row chunks on up to
    /// `threads` threads (1 or 2), for tests and benchmarks that compare thread counts.
    ///
    /// Postconditions: the same bits as `solveASOT(_:settings:)` for every `threads`.
    /// Edge Cases: the other marginal modes have no second thread and run on one.
    public static func solveASOT(_ batch: ASOTBatch<Float>, settings: ASOTSettings, threads: Int) -> [ASOTSolution<Float>] {
        guard settings.marginals == .actionsUnbalanced else { return solveASOT(batch, settings: settings) }
        return solveActionsUnbalancedFused(batch, settings: settings, threads: threads)
    }

    /// One problem without padding.
    public static func solveASOT(cost: Matrix<Float>, settings: ASOTSettings) -> ASOTSolution<Float> {
        solveASOT(ASOTBatch(cost: cost), settings: settings)[0]
    }

    /// T ← T ⊙ exp(−η ∇).
    static func mirrorStep(_ w: ASOTWorkspace, item: Int, step: Float) {
        let t = w.item(w.plans, item), grad = w.item(w.gradients, item)
        let negative = -step
        var i = 0
        while i + 8 <= t.count {
            storeFloat8(loadFloat8(t, i) * vexp(negative * loadFloat8(grad, i)), t, i)
            i += 8
        }
        while i < t.count {
            t[i] = t[i] * expf(negative * grad[i])
            i += 1
        }
    }

    /// Restores the balanced marginal(s) of every item, per marginal mode (the default mode,
    /// actions unbalanced, never comes here: `solveASOT` hands it to the fused sweep).
    static func project(_ w: ASOTWorkspace, masks: [[Bool]], dx: [Float], dy: Float, settings s: ASOTSettings) {
        let n = w.frames, k = w.clusters
        switch s.marginals {
        case .bothUnbalanced:
            return
        case .actionsUnbalanced:
            preconditionFailure("the default mode is solved by the fused sweep (solveActionsUnbalancedFused)")
        case .framesUnbalanced:
            for item in 0..<w.batch {
                let t = w.item(w.plans, item)
                massOfColumns(t, n, k, into: w.columnMass)
                for i in 0..<n { for j in 0..<k { t[i * k + j] = zeroIfNotFinite(t[i * k + j] / w.columnMass[j]) * dy } }
            }
        case .balanced:
            officialSinkhorn(w, masks: masks, epsilon: Float(s.epsilon), dx: dx, dy: dy,
                             iterations: s.sinkhornIterations, threshold: Float(s.stabilisationThreshold))
        }
    }

    @inline(__always) static func zeroIfNotFinite(_ x: Float) -> Float { x.isFinite ? x : 0 }
}
