import CLOTCore

extension Reference {
    /// The temporal box filter Cv of the Gromov–Wasserstein term (ASOT Eq. 6):
    ///
    ///     (Cv Y)_t = (1/r) · Σ_{0 < |s − t| ≤ R} Y_s,   R = ⌊N·r⌋,  Y_s = 0 outside [0, N)
    ///
    /// applied to each column of Y (N × K). Written as the plain windowed sum, O(N·K·R);
    /// `Optimized` computes the same with prefix sums in O(N·K). With R = 0 the filter is the
    /// single weight 0 and the result is zero (the official `construct_Cv_filter`).
    ///
    /// Postconditions: N × K; linear in Y and symmetric (⟨Cv Y, Z⟩ = ⟨Y, Cv Z⟩); a frame never
    /// sees its own value.
    ///
    /// Edge Cases: R = ⌊N·r⌋ = 0 (N = 1, or N·r < 1): the zero matrix. R ≥ N − 1: every frame
    /// sums all the others.
    public static func applyTemporalFilter(_ y: Matrix<Double>, radius r: Double) -> Matrix<Double> {
        let n = y.rows, k = y.columns
        let reach = Int((Double(n) * r).rounded(.towardZero))
        var out = Matrix<Double>.zeros(n, k)
        guard reach > 0 else { return out }
        for t in 0..<n {
            for j in 0..<k {
                var sum = 0.0
                for s in max(0, t - reach)...min(n - 1, t + reach) where s != t {
                    sum += y[s, j]
                }
                out[t, j] = sum / r
            }
        }
        return out
    }

    /// T·Ck with Ck = 11ᵀ − I (K × K): each entry becomes its row's sum minus itself,
    /// (T Ck)_tk = Σ_j T_tj − T_tk.
    ///
    /// Edge Cases: K = 1 gives zeros (a row's sum minus its only entry).
    public static func multiplyByActionStructure(_ t: Matrix<Double>) -> Matrix<Double> {
        var out = t
        for i in 0..<t.rows {
            var rowSum = 0.0
            for j in 0..<t.columns { rowSum += t[i, j] }
            for j in 0..<t.columns { out[i, j] = rowSum - t[i, j] }
        }
        return out
    }

    /// The linearised fused-GW cost G(T) = α · Cv (T Ck) + (1 − α) · C (the gradient of the
    /// FGW term, ASOT Eq. 5–6; `grad_fgw` officially).
    ///
    /// Edge Cases: α = 0 gives C; α = 1 gives the filtered structure alone; K = 1 or
    /// ⌊N·r⌋ = 0 gives (1 − α)·C.
    public static func fusedCost(plan t: Matrix<Double>, cost c: Matrix<Double>, alpha: Double, radius: Double) -> Matrix<Double> {
        let structure = applyTemporalFilter(multiplyByActionStructure(t), radius: radius)
        var g = c
        for i in 0..<g.elements.count {
            g.elements[i] = alpha * structure.elements[i] + (1 - alpha) * c.elements[i]
        }
        return g
    }
}
