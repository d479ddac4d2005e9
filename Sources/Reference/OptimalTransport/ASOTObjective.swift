import CLOTCore

extension Reference {
    /// The ASOT objective (Eq. 4–7) of one plan T (N × K), as the official `asot_objective`
    /// evaluates it for the trace:
    ///
    ///     obj(T) = ½ ⟨G(T), T⟩ + λ_f·KL(T1 ‖ dx) [frames unbalanced] + λ_a·KL(Tᵀ1 ‖ dy) [actions unbalanced]
    ///              − ε·H(T),   H(T) = Σ (−T log(T + 1e-10) + T),   KL(a ‖ b) = Σ a log(a/b + 1e-10)
    ///
    /// with dx = 1/n on every row (n unmasked frames), dy = 1/K, T masked to the real frames for
    /// the FGW and KL terms. The official code halves the linear part of G too; that changes
    /// only the trace, never the iterates (Documentation/Audit.md item 9), and is kept.
    public static func asotObjective(plan t: Matrix<Double>, cost c: Matrix<Double>, mask: [Bool],
                                     settings s: ASOTSettings) -> Double {
        let n = t.rows, k = t.columns
        let active = Double(mask.filter { $0 }.count)
        var masked = t
        for i in 0..<n where !mask[i] { for j in 0..<k { masked[i, j] = 0 } }
        let g = fusedCost(plan: masked, cost: c, alpha: s.alpha, radius: s.radius)
        var fgw = 0.0
        for i in 0..<masked.elements.count { fgw += g.elements[i] * masked.elements[i] }
        var penalty = 0.0
        if s.framesUnbalanced {
            let rows = (0..<n).map { i in (0..<k).reduce(0.0) { $0 + masked[i, $1] } }
            penalty += s.lambdaFrames * klDivergence(rows, target: 1 / active)
        }
        if s.actionsUnbalanced {
            let columns = (0..<k).map { j in (0..<n).reduce(0.0) { $0 + masked[$1, j] } }
            penalty += s.lambdaActions * klDivergence(columns, target: 1 / Double(k))
        }
        var entropy = 0.0
        for x in t.elements { entropy += -x * log(x + 1e-10) + x }
        return 0.5 * fgw + penalty - s.epsilon * entropy
    }

    /// Σ_i a_i log(a_i / b + 1e-10) against a constant target b.
    static func klDivergence(_ a: [Double], target b: Double) -> Double {
        var total = 0.0
        for x in a { total += x * log(x / b + 1e-10) }
        return total
    }
}
