import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The default marginal mode (frames balanced, actions unbalanced) as one fused sweep per
    /// mirror-descent iteration, iterating on log T as well as T.
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
    static func solveActionsUnbalancedFused(_ batch: ASOTBatch<Float>, settings s: ASOTSettings) -> [ASOTSolution<Float>] {
        let n = batch.frames, k = batch.clusters, items = batch.costs.count
        let w = ASOTWorkspace(batch: items, frames: n, clusters: k, balanced: false)
        let logs = ASOTWorkspace(batch: items, frames: n, clusters: k, balanced: false)   // .plans holds log T
        let counts = batch.masks.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } }
        let dx = counts.map { 1 / Float($0) }, dy = 1 / Float(k)
        for item in 0..<items {
            let t = w.item(w.plans, item), l = logs.item(logs.plans, item)
            for i in 0..<n {
                for j in 0..<k {
                    t[i * k + j] = batch.masks[item][i] ? dx[item] * dy : 0
                    l[i * k + j] = batch.masks[item][i] ? logf(dx[item] * dy) : -.infinity
                }
            }
        }
        var traces = Array(repeating: [Float](), count: items)
        var step = s.stepSize.map { Float($0) }
        if step == nil {
            var largest = -Float.infinity
            for item in 0..<items {
                prepareFilter(w, item: item, settings: s)
                batch.costs[item].elements.withUnsafeBufferPointer { c in
                    largest = max(largest, sweep(w, logs, item: item, cost: c, mask: batch.masks[item], dx: dx[item], dy: dy,
                                                 step: nil, settings: s).largestGradient)
                }
            }
            step = Float(4 / Double(largest))
        }
        for iteration in 0...s.outerIterations {
            for item in 0..<items {
                prepareFilter(w, item: item, settings: s)
                let result = batch.costs[item].elements.withUnsafeBufferPointer { c in
                    sweep(w, logs, item: item, cost: c, mask: batch.masks[item], dx: dx[item], dy: dy,
                          step: iteration == s.outerIterations ? nil : step, settings: s)
                }
                traces[item].append(result.objective)
            }
        }
        return (0..<items).map { item in
            let scale = Float(counts[item])
            let plan = w.item(w.plans, item).map { $0 * scale }
            return ASOTSolution(plan: Matrix(rows: n, columns: k, elements: plan), objectiveTrace: traces[item])
        }
    }

    /// Prefix sums of Y = T Ck (Double) into `w.prefix`, and the column masses into `w.columnMass`.
    private static func prepareFilter(_ w: ASOTWorkspace, item: Int, settings s: ASOTSettings) {
        // The common K as constants, so LLVM unrolls the per-row loops over K (same arithmetic).
        switch w.clusters {
        case 7: prepareFilter(w, item: item, k: 7)
        case 8: prepareFilter(w, item: item, k: 8)
        default: prepareFilter(w, item: item, k: w.clusters)
        }
    }

    @inline(__always)
    private static func prepareFilter(_ w: ASOTWorkspace, item: Int, k: Int) {
        let n = w.frames
        let t = w.item(w.plans, item).baseAddress!, prefix = w.prefix.baseAddress!, mass = w.columnMass.baseAddress!
        for j in 0..<k { prefix[j] = 0; mass[j] = 0 }
        for r in 0..<n {
            let row = t + r &* k, here = prefix + r &* k, next = here + k
            var rowSum: Float = 0
            for j in 0..<k { rowSum += row[j] }
            for j in 0..<k {
                next[j] = here[j] + Double(rowSum - row[j])
                mass[j] += row[j]
            }
        }
    }

    /// One sweep over the rows: the objective at the current plan, ∇, and (when `step` is given)
    /// the mirror step with the row rescaling. Returns the objective and the largest ∇ entry.
    private static func sweep(_ w: ASOTWorkspace, _ logs: ASOTWorkspace, item: Int, cost c: UnsafeBufferPointer<Float>,
                              mask: [Bool], dx: Float, dy: Float, step: Float?,
                              settings s: ASOTSettings) -> (objective: Float, largestGradient: Float) {
        switch w.clusters {
        case 7: return sweep(w, logs, item: item, cost: c, mask: mask, dx: dx, dy: dy, step: step, settings: s, k: 7)
        case 8: return sweep(w, logs, item: item, cost: c, mask: mask, dx: dx, dy: dy, step: step, settings: s, k: 8)
        default: return sweep(w, logs, item: item, cost: c, mask: mask, dx: dx, dy: dy, step: step, settings: s, k: w.clusters)
        }
    }

    @inline(__always)
    private static func sweep(_ w: ASOTWorkspace, _ logs: ASOTWorkspace, item: Int, cost c: UnsafeBufferPointer<Float>,
                              mask: [Bool], dx: Float, dy: Float, step: Float?,
                              settings s: ASOTSettings, k: Int) -> (objective: Float, largestGradient: Float) {
        let n = w.frames
        let t = w.item(w.plans, item), l = logs.item(logs.plans, item), a = w.item(w.gradients, item)
        let eps = Float(s.epsilon), alpha = Float(s.alpha), keep = 1 - alpha
        let reach = Int((Double(n) * s.radius).rounded(.towardZero))
        let weight = reach > 0 ? 1 / Float(s.radius) : 0
        let floor12: Float = logf(1e-12), floor10: Float = logf(1e-10)
        // Column KL term of ∇ and its objective value, from the column masses.
        let lambda = Float(s.lambdaActions)
        var kl: Float = 0
        let columnTerm = w.rowMass   // reuse: the workspace gives it max(N, K) entries
        for j in 0..<k {
            let mass = w.columnMass[j]
            kl += mass * logf(mass / dy + 1e-10)
            columnTerm[j] = lambda * (logf(mass / dy + 1e-12) + 1)
        }
        let logDx = logf(dx)
        let prefix = w.prefix.baseAddress!, tp = t.baseAddress!, lp = l.baseAddress!, ap = a.baseAddress!
        let cp = c.baseAddress!, terms = columnTerm.baseAddress!
        let shiftedCost = w.item(w.fused, item), gp = shiftedCost.baseAddress!
        if k == 8, let move = step {
            // K = 8: one row is one Float8, so passes 1–3 and the exponential fuse into one pass
            // over the rows with each entry's arithmetic (and every lane's summation order)
            // exactly as below.
            let lanes = fusedRows8(w, logs, item: item, cost: cp, mask: mask, terms: terms, step: move,
                                   eps: eps, alpha: alpha, keep: keep, weight: weight, reach: reach)
            var fgw = lanes.fgw
            for j in 0..<k { fgw -= Double(terms[j] * w.columnMass[j]) }
            normaliseRows(w, logs, item: item, logDx: logDx, dx: dx, mask: mask, k: k)
            let objective = 0.5 * fgw + Double(kl * lambda) - s.epsilon * lanes.entropy
            return (Float(objective), lanes.largest)
        }
        // 1. G' = G + (column KL term), row by row (no reductions, so LLVM vectorises it).
        for r in 0..<n {
            let hi = min(n, r &+ reach &+ 1), lo = max(0, r &- reach)
            let base = r &* k
            let upper = prefix + hi &* k, lower = prefix + lo &* k, next = prefix + (r &+ 1) &* k, here = prefix + base
            for j in 0..<k {
                let window = upper[j] - lower[j] - (next[j] - here[j])
                gp[base &+ j] = alpha * (weight * Float(window)) + keep * cp[base &+ j] + terms[j]
            }
        }
        // 2. Objective sums, ∇ = G' + ε max(log T, log 1e-12) and A = log T − η∇, eight entries at a time.
        var fgwLanes = SIMD8<Double>(), entropyLanes = SIMD8<Double>()
        var largestLanes = Float8(repeating: -.infinity)
        let move = Float8(repeating: step ?? 0)
        let size = n &* k
        var i = 0
        while i &+ 8 <= size {
            let tv = loadFloat8(t, i), lv = loadFloat8(l, i), gv = loadFloat8(shiftedCost, i)
            fgwLanes += SIMD8<Double>(gv * tv)
            entropyLanes += SIMD8<Double>(-tv * lanewiseMax(lv, Float8(repeating: floor10)) + tv)
            let gradient = gv + eps * lanewiseMax(lv, Float8(repeating: floor12))
            largestLanes = lanewiseMax(largestLanes, gradient)
            storeFloat8(lv - move * gradient, a, i)
            i &+= 8
        }
        var fgw = fgwLanes.sum(), entropy = entropyLanes.sum()
        var largest = largestLane(largestLanes)
        while i < size {
            let tv = tp[i], lv = lp[i], g = gp[i]
            fgw += Double(g * tv)
            entropy += Double(-tv * max(lv, floor10) + tv)
            let gradient = g + eps * max(lv, floor12)
            largest = max(largest, gradient)
            ap[i] = lv - (step ?? 0) * gradient
            i &+= 1
        }
        // ⟨G', T⟩ counted the column term once per unit of column mass: take it back out.
        for j in 0..<k { fgw -= Double(terms[j] * w.columnMass[j]) }
        // 3. Shift each row by its maximum (the rescaling divides it out).
        if step != nil {
            for r in 0..<n {
                let base = r &* k
                var rowMax = -Float.infinity
                for j in 0..<k { rowMax = max(rowMax, ap[base &+ j]) }
                if !mask[r] || !rowMax.isFinite {
                    for j in 0..<k { ap[base &+ j] = -.infinity }
                    continue
                }
                for j in 0..<k { ap[base &+ j] -= rowMax }
            }
        }
        if step != nil { normaliseRows(w, logs, item: item, logDx: logDx, dx: dx, mask: mask, k: k) }
        let objective = 0.5 * fgw + Double(kl * lambda) - s.epsilon * entropy
        return (Float(objective), largest)
    }

    /// T_t = dx · exp(A_t) / Σ exp(A_t) and log T_t = A_t − log Σ exp(A_t) + log dx for the
    /// shifted exponents A in the gradient buffer (eight lanes at a time).
    @inline(__always)
    private static func normaliseRows(_ w: ASOTWorkspace, _ logs: ASOTWorkspace, item: Int, logDx: Float, dx: Float, mask: [Bool], k: Int) {
        let n = w.frames, size = n * k
        let t = w.item(w.plans, item), l = logs.item(logs.plans, item), a = w.item(w.gradients, item)
        var i = 0
        while i + 8 <= size {
            storeFloat8(vexp(loadFloat8(a, i)), t, i)
            i += 8
        }
        while i < size { t[i] = expf(a[i]); i += 1 }
        let sums = w.rowMass, tp = t.baseAddress!
        for r in 0..<n {
            let row = tp + r &* k
            var sum: Float = 0
            for j in 0..<k { sum += row[j] }
            sums[r] = sum
        }
        finishRows(w, logs, item: item, logDx: logDx, dx: dx, mask: mask, k: k)
    }

    /// The K = 8 step sweep, passes 1–3 of `sweep` and the exponential and row sums of
    /// `normaliseRows`, row by row: a row is one Float8, so lane j of every accumulator sees the
    /// same entries in the same order as the flat passes. Writes T = exp(A) (unnormalised), A
    /// and the row sums; returns the lane sums of ⟨G', T⟩ and the entropy, and the largest ∇.
    private static func fusedRows8(_ w: ASOTWorkspace, _ logs: ASOTWorkspace, item: Int, cost cp: UnsafePointer<Float>,
                                   mask: [Bool], terms: UnsafeMutablePointer<Float>, step: Float,
                                   eps: Float, alpha: Float, keep: Float, weight: Float, reach: Int)
        -> (fgw: Double, entropy: Double, largest: Float) {
        let n = w.frames
        let tp = w.item(w.plans, item).baseAddress!, lp = logs.item(logs.plans, item).baseAddress!
        let ap = w.item(w.gradients, item).baseAddress!, prefix = w.prefix.baseAddress!
        let termsV = UnsafeRawPointer(terms).loadUnaligned(as: Float8.self)
        let floor12 = Float8(repeating: logf(1e-12)), floor10 = Float8(repeating: logf(1e-10))
        let move = Float8(repeating: step)
        var fgwLanes = SIMD8<Double>(), entropyLanes = SIMD8<Double>()
        var largestLanes = Float8(repeating: -.infinity)
        @inline(__always) func loadD(_ p: UnsafeMutablePointer<Double>) -> SIMD8<Double> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
        }
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> Float8 { UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }
        for r in 0..<n {
            let hi = min(n, r &+ reach &+ 1), lo = max(0, r &- reach)
            let base = r &* 8
            let window = loadD(prefix + hi &* 8) - loadD(prefix + lo &* 8) - (loadD(prefix + (r &+ 1) &* 8) - loadD(prefix + base))
            let gv = alpha * (weight * Float8(window)) + keep * load(cp + base) + termsV
            let tv = load(tp + base), lv = load(lp + base)
            fgwLanes += SIMD8<Double>(gv * tv)
            entropyLanes += SIMD8<Double>(-tv * lanewiseMax(lv, floor10) + tv)
            let gradient = gv + eps * lanewiseMax(lv, floor12)
            largestLanes = lanewiseMax(largestLanes, gradient)
            var av = lv - move * gradient
            var rowMax = -Float.infinity
            for j in 0..<8 { rowMax = max(rowMax, av[j]) }
            if !mask[r] || !rowMax.isFinite {
                av = Float8(repeating: -.infinity)
            } else {
                av -= rowMax
            }
            UnsafeMutableRawPointer(ap + base).storeBytes(of: av, as: Float8.self)
        }
        return (fgwLanes.sum(), entropyLanes.sum(), largestLane(largestLanes))
    }

    /// log of the row sums, then T_t = dx · T_t / Σ and log T_t = A_t − log Σ + log dx.
    @inline(__always)
    private static func finishRows(_ w: ASOTWorkspace, _ logs: ASOTWorkspace, item: Int, logDx: Float, dx: Float,
                                   mask: [Bool], k: Int) {
        let n = w.frames
        let t = w.item(w.plans, item), l = logs.item(logs.plans, item), a = w.item(w.gradients, item)
        let sums = w.rowMass, tp = t.baseAddress!, lp = l.baseAddress!, ap = a.baseAddress!
        var r = 0
        let logSums = logs.rowMass
        while r &+ 8 <= n {
            storeFloat8(vlog(loadFloat8(sums, r)), logSums, r)
            r &+= 8
        }
        while r < n { logSums[r] = logf(sums[r]); r &+= 1 }
        for r in 0..<n {
            let base = r &* k
            guard mask[r] else {
                for j in 0..<k { tp[base &+ j] = 0; lp[base &+ j] = -.infinity }
                continue
            }
            let scale = dx / sums[r], offset = logDx - logSums[r]
            for j in 0..<k {
                tp[base &+ j] *= scale
                lp[base &+ j] = ap[base &+ j] + offset
            }
        }
    }
}
