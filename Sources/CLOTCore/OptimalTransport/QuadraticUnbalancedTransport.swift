/// The default stopping tolerance of `solveQuadraticUnbalanced` in `Scalar`: 1e-12 in Double,
/// 2e-7 in Float32 (a Float plan's entries of about 1/(NK) cannot settle closer).
@inlinable
public func quadraticUnbalancedTolerance<Scalar: BinaryFloatingPoint>(_: Scalar.Type) -> Scalar {
    Scalar.ulpOfOne < 1e-9 ? 1e-12 : 2e-7
}

/// The L2-regularised, L2-unbalanced OT problem of the released `gsw.py`'s unused `get_opt`
/// (POT `ot.solve(M, a, b, reg=0.1, reg_type="l2", unbalanced=0.2, unbalanced_type="l2")`),
/// the stage-3 problem when the choice `stage3-ot` is `l2-unbalanced`:
///
///     min_{T ≥ 0}  ⟨M, T⟩ + (r/2)‖T − a bᵀ‖² + (λ/2)‖T1 − a‖² + (λ/2)‖Tᵀ1 − b‖²
///
/// with a = 1/N on every row (`get_opt` takes no mask), b = 1/K, r = 0.1, λ = 0.2 (POT's
/// reference measure for the L2 regulariser is a bᵀ). The objective is a quadratic whose
/// Hessian lies between r·I and L·I, L = r + λ(N + K), so it has one minimiser, which
/// accelerated projected gradient reaches at a linear rate (Nesterov, constant momentum for
/// a strongly convex function):
///
///     Y = T + β (T − T_prev),   T ← max(0, Y − ∇f(Y)/L),   β = (√κ − 1)/(√κ + 1), κ = L/r
///     ∇f(Y) = M + r (Y − a bᵀ) + λ (Y1 − a) 1ᵀ + λ 1 (Yᵀ1 − b)ᵀ
///
/// from T = a bᵀ, until no entry moves by more than `tolerance`·max(a, b) in an iteration.
/// POT reaches the same minimiser with L-BFGS-B.
/// Written once for both implementations: the same iterates in Double (Reference) and in
/// Float32 (Optimized); only the default stopping tolerance differs, 1e-12 in Double and
/// 2e-7 (the smallest a Float32 plan can meet) in Float32.
/// - Returns: the N × K plan, as `get_opt` returns it (not rescaled).
@inlinable
public func solveQuadraticUnbalanced<Scalar: BinaryFloatingPoint & Sendable>(
    cost m: Matrix<Scalar>, regularisation r: Scalar = 0.1, marginalPenalty lambda: Scalar = 0.2,
    tolerance: Scalar = quadraticUnbalancedTolerance(Scalar.self), maxIterations: Int = 100_000
) -> Matrix<Scalar> {
    let n = m.rows, k = m.columns
    let a = 1 / Scalar(n), b = 1 / Scalar(k), c = a * b
    let lipschitz = r + lambda * Scalar(n + k)
    let rootKappa = (lipschitz / r).squareRoot()
    let momentum = (rootKappa - 1) / (rootKappa + 1)
    var t = Matrix<Scalar>(rows: n, columns: k, repeating: c)
    var previous = t
    for _ in 0..<maxIterations {
        var y = t
        for e in y.elements.indices { y.elements[e] += momentum * (t.elements[e] - previous.elements[e]) }
        var rowExcess = [Scalar](repeating: -a, count: n), columnExcess = [Scalar](repeating: -b, count: k)
        for i in 0..<n { for j in 0..<k { rowExcess[i] += y[i, j]; columnExcess[j] += y[i, j] } }
        previous = t
        var largestMove: Scalar = 0
        for i in 0..<n {
            for j in 0..<k {
                let gradient = m[i, j] + r * (y[i, j] - c) + lambda * rowExcess[i] + lambda * columnExcess[j]
                t[i, j] = max(0, y[i, j] - gradient / lipschitz)
                largestMove = max(largestMove, abs(t[i, j] - previous[i, j]))
            }
        }
        if largestMove <= tolerance * max(a, b) { break }
    }
    return t
}
