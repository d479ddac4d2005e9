import CLOTCore

extension Optimized {
    /// The fused cost G(T) = α · Cv(T Ck) + (1 − α) · C of ASOT Eq. 5–6 in O(N·K), written into
    /// `out` (N × K, row-major), with `prefix` ((N + 1) × K Doubles) as scratch.
    ///
    /// The box filter is a difference of prefix sums instead of the O(N·K·R) convolution:
    ///
    ///     Y = T Ck,  Y_tk = Σ_j T_tj − T_tk
    ///     S_k[i] = Σ_{s < i} Y_sk                       (accumulated in Double)
    ///     (Cv Y)_tk = (S_k[min(N, t+R+1)] − S_k[max(0, t−R)] − Y_tk) / r,   R = ⌊N r⌋
    ///
    /// Accumulating in Double keeps the difference of two sums near 1 accurate to ~1e-16 rather
    /// than Float's 6e-8, so the result agrees with the windowed sum to Float rounding.
    static func fusedCost(plan t: UnsafeBufferPointer<Float>, cost c: UnsafeBufferPointer<Float>,
                          frames n: Int, clusters k: Int, alpha: Float, radius: Double,
                          prefix: UnsafeMutableBufferPointer<Double>, out: UnsafeMutableBufferPointer<Float>) {
        let reach = Int((Double(n) * radius).rounded(.towardZero))
        let oneMinusAlpha = 1 - alpha
        guard reach > 0, alpha != 0 else {
            for i in 0..<(n * k) { out[i] = oneMinusAlpha * c[i] }   // Cv is the single weight 0
            return
        }
        let weight = 1 / Float(radius)
        for j in 0..<k { prefix[j] = 0 }
        for s in 0..<n {
            var rowSum: Float = 0
            for j in 0..<k { rowSum += t[s * k + j] }
            for j in 0..<k {
                prefix[(s + 1) * k + j] = prefix[s * k + j] + Double(rowSum - t[s * k + j])
            }
        }
        for s in 0..<n {
            let hi = min(n, s + reach + 1), lo = max(0, s - reach)
            for j in 0..<k {
                let own = prefix[(s + 1) * k + j] - prefix[s * k + j]
                let window = prefix[hi * k + j] - prefix[lo * k + j] - own
                out[s * k + j] = alpha * (weight * Float(window)) + oneMinusAlpha * c[s * k + j]
            }
        }
    }

    /// Cv(T Ck) alone, for tests and for readers: the prefix-sum filter on one plan.
    ///
    /// Postconditions: `Reference.applyTemporalFilter(Reference.multiplyByActionStructure(t))`
    /// to Float rounding. Edge Cases: ⌊N·r⌋ = 0 or K = 1: zeros.
    public static func applyTemporalFilter(actionStructureOf t: Matrix<Float>, radius: Double) -> Matrix<Float> {
        var out = Matrix<Float>.zeros(t.rows, t.columns)
        let zeros = [Float](repeating: 0, count: t.elements.count)
        var prefix = [Double](repeating: 0, count: (t.rows + 1) * t.columns)
        t.elements.withUnsafeBufferPointer { tp in
            zeros.withUnsafeBufferPointer { cp in
                prefix.withUnsafeMutableBufferPointer { pp in
                    out.elements.withUnsafeMutableBufferPointer { op in
                        fusedCost(plan: tp, cost: cp, frames: t.rows, clusters: t.columns, alpha: 1,
                                  radius: radius, prefix: pp, out: op)
                    }
                }
            }
        }
        return out
    }
}
