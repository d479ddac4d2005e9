import CLOTCore

extension Reference {
    /// Solves a batch of ASOT problems by mirror descent (ASOT §3.3; the official
    /// `segment_asot`; Documentation/Method.md §3):
    ///
    ///     T₀ = dx·dyᵀ on unmasked rows
    ///     repeat outerIterations times:
    ///         ∇ = G(T) + ε log(T + 1e-12) + λ_a (log(Tᵀ1/dy + 1e-12) + 1) [+ λ_f (log(T1/dx + 1e-12) + 1)]
    ///         η = 4 / max ∇ (first iteration, max over the whole batch) unless given
    ///         T ← T ⊙ exp(−η ∇), then
    ///             actions unbalanced: rows rescaled to sum dx
    ///             frames unbalanced:  columns rescaled to sum dy
    ///             both unbalanced:    nothing
    ///             balanced:           T ← Sinkhorn projection of G(T) (the step is discarded)
    ///     return n · T
    ///
    /// N in the filter and dx = 1/n with n the unmasked count; rescaling divides 0 by 0 on
    /// masked rows, which the official `nan_to_num` turns into 0, as here.
    ///
    /// - Parameter batch: B problems of N × K costs and padding masks.
    /// - Returns: one solution per problem, the plan rescaled by n and the objective trace.
    /// - Complexity: O(outer · N · K · N·r) (the plain windowed filter).
    public static func solveASOT(_ batch: ASOTBatch<Double>, settings s: ASOTSettings) -> [ASOTSolution<Double>] {
        let n = batch.frames, k = batch.clusters
        let counts = batch.masks.map { Double($0.filter { $0 }.count) }
        var plans = (0..<batch.costs.count).map { b in initialPlan(frames: n, clusters: k, mask: batch.masks[b], active: counts[b]) }
        var traces = Array(repeating: [Double](), count: plans.count)
        var step = s.stepSize
        for iteration in 0...s.outerIterations {
            for b in plans.indices {
                traces[b].append(asotObjective(plan: plans[b], cost: batch.costs[b], mask: batch.masks[b], settings: s))
            }
            if iteration == s.outerIterations { break }
            let fused = plans.indices.map { fusedCost(plan: plans[$0], cost: batch.costs[$0], alpha: s.alpha, radius: s.radius) }
            let gradients = plans.indices.map { asotGradient(plan: plans[$0], fused: fused[$0], active: counts[$0], settings: s) }
            if step == nil {
                step = 4 / gradients.map { $0.elements.max()! }.max()!
            }
            for b in plans.indices {
                plans[b] = mirrorStep(plans[b], gradient: gradients[b], step: step!)
                plans[b] = project(plans[b], fused: fused[b], mask: batch.masks[b], active: counts[b], settings: s)
            }
        }
        return plans.indices.map { b in
            var plan = plans[b]
            for i in plan.elements.indices { plan.elements[i] *= counts[b] }
            return ASOTSolution(plan: plan, objectiveTrace: traces[b])
        }
    }

    /// One problem without padding.
    public static func solveASOT(cost: Matrix<Double>, settings: ASOTSettings) -> ASOTSolution<Double> {
        solveASOT(ASOTBatch(cost: cost), settings: settings)[0]
    }

    /// T₀ = dx·dyᵀ on unmasked rows, 0 on padding.
    static func initialPlan(frames n: Int, clusters k: Int, mask: [Bool], active: Double) -> Matrix<Double> {
        var t = Matrix<Double>.zeros(n, k)
        for i in 0..<n where mask[i] {
            for j in 0..<k { t[i, j] = (1 / active) * (1 / Double(k)) }
        }
        return t
    }

    /// The mirror-descent gradient of the ASOT objective (official `grad_fgw`, `grad_entropy`,
    /// `grad_kld`): ∇ = G(T) + ε log(T + 1e-12) + KL terms of the relaxed marginals.
    static func asotGradient(plan t: Matrix<Double>, fused g: Matrix<Double>, active: Double,
                             settings s: ASOTSettings) -> Matrix<Double> {
        let n = t.rows, k = t.columns
        var grad = g
        for i in grad.elements.indices { grad.elements[i] += s.epsilon * log(t.elements[i] + 1e-12) }
        if s.framesUnbalanced {
            for i in 0..<n {
                let mass = (0..<k).reduce(0.0) { $0 + t[i, $1] }
                let term = s.lambdaFrames * (log(mass / (1 / active) + 1e-12) + 1)
                for j in 0..<k { grad[i, j] += term }
            }
        }
        if s.actionsUnbalanced {
            for j in 0..<k {
                let mass = (0..<n).reduce(0.0) { $0 + t[$1, j] }
                let term = s.lambdaActions * (log(mass / (1 / Double(k)) + 1e-12) + 1)
                for i in 0..<n { grad[i, j] += term }
            }
        }
        return grad
    }

    /// T ⊙ exp(−η ∇).
    static func mirrorStep(_ t: Matrix<Double>, gradient: Matrix<Double>, step: Double) -> Matrix<Double> {
        var out = t
        for i in out.elements.indices { out.elements[i] = t.elements[i] * exp(-step * gradient.elements[i]) }
        return out
    }

    /// Restores the balanced marginal(s) after a mirror step, per marginal mode.
    static func project(_ t: Matrix<Double>, fused g: Matrix<Double>, mask: [Bool], active: Double,
                        settings s: ASOTSettings) -> Matrix<Double> {
        let n = t.rows, k = t.columns
        var out = t
        switch s.marginals {
        case .bothUnbalanced:
            break
        case .actionsUnbalanced:
            for i in 0..<n {
                let mass = (0..<k).reduce(0.0) { $0 + t[i, $1] }
                for j in 0..<k { out[i, j] = nanToZero(t[i, j] / mass) * (1 / active) }
            }
        case .framesUnbalanced:
            for j in 0..<k {
                let mass = (0..<n).reduce(0.0) { $0 + t[$1, j] }
                for i in 0..<n { out[i, j] = nanToZero(t[i, j] / mass) * (1 / Double(k)) }
            }
        case .balanced:
            out = balancedProjection(cost: g, mask: mask, epsilon: s.epsilon, rowMass: 1 / active,
                                     columnMass: 1 / Double(k), iterations: s.sinkhornIterations)
        }
        return out
    }

    /// NaN and ±∞ become 0, as `torch.nan_to_num(x, posinf=0, neginf=0)`.
    @inline(__always) static func nanToZero(_ x: Double) -> Double { x.isFinite ? x : 0 }
}
