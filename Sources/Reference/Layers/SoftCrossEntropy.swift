import CLOTCore

extension Reference {
    /// The pseudo-label loss of every CLOT stage (Documentation/Method.md §5; ASOT `train.py`, line 90):
    /// soft cross-entropy between the ASOT plan T (no gradient) and P = softmax(x/τ),
    ///
    ///     L = −(1/R) Σ_r m_r Σ_k T_rk log(P_rk + 1e-11)
    ///
    /// Batch convention: the B sequences are stacked into R = B·N rows, padding included;
    /// m_r is the frame mask (true on real frames, the ASOT convention: the opposite of the
    /// attention's key padding mask). Padded rows add 0 but count in R, as officially.
    public enum SoftCrossEntropy {
        /// The constant inside the log, as the official code adds it.
        public static let logOffset = 1e-11

        /// L for given probabilities (from `SoftmaxWithTemperature.forward`).
        /// - Parameters:
        ///   - probabilities: P, R × K.
        ///   - targets: T, R × K (rows of the ASOT plan, each summing to 1 on real frames).
        ///   - mask: R flags, true on real frames; nil means all real.
        /// - Returns: the scalar loss.
        public static func forward(probabilities p: Matrix<Double>, targets t: Matrix<Double>, mask: [Bool]? = nil) -> Double {
            checkShapes(p, t, mask)
            var total = 0.0
            for r in 0..<p.rows where mask?[r] ?? true {
                for k in 0..<p.columns { total -= t[r, k] * log(p[r, k] + logOffset) }
            }
            return p.rows == 0 ? 0 : total / Double(p.rows)
        }

        /// ∂L/∂P, exactly as L is computed (the offset stays in the denominator):
        ///
        ///     ∂L/∂P_rk = −g · m_r T_rk / (R (P_rk + 1e-11))
        ///
        /// - Parameter lossGradient: g = ∂(objective)/∂L (1 when L is the objective).
        public static func probabilityGradient(probabilities p: Matrix<Double>, targets t: Matrix<Double>,
                                               mask: [Bool]? = nil, lossGradient g: Double = 1) -> Matrix<Double> {
            checkShapes(p, t, mask)
            var dp = Matrix<Double>.zeros(p.rows, p.columns)
            let scale = -g / Double(max(p.rows, 1))
            for r in 0..<p.rows where mask?[r] ?? true {
                for k in 0..<p.columns { dp[r, k] = scale * t[r, k] / (p[r, k] + logOffset) }
            }
            return dp
        }

        /// ∂L/∂x for the logits x with P = softmax(x/τ): `probabilityGradient` pulled back
        /// through `SoftmaxWithTemperature.backward`,
        ///
        ///     ∂L/∂x_rk = P_rk (G_rk − Σ_j P_rj G_rj) / τ,   G = ∂L/∂P
        ///
        /// With the 1e-11 this is not exactly (P − T)/(Rτ) on real rows: G_rk P_rk =
        /// −m_r T_rk P_rk / (R (P_rk + 1e-11)), which differs from −m_r T_rk / R where P_rk is
        /// near 1e-11 or below.
        /// - Parameters:
        ///   - probabilities: the forward P, R × K.
        ///   - targets: T, R × K.
        ///   - mask: R flags, true on real frames; nil means all real.
        ///   - temperature: the τ that made P.
        ///   - lossGradient: g = ∂(objective)/∂L.
        /// - Returns: ∂L/∂x, R × K.
        public static func backward(probabilities p: Matrix<Double>, targets t: Matrix<Double>, mask: [Bool]? = nil,
                                    temperature tau: Double, lossGradient g: Double = 1) -> Matrix<Double> {
            let dp = probabilityGradient(probabilities: p, targets: t, mask: mask, lossGradient: g)
            return SoftmaxWithTemperature.backward(probabilities: p, outputGradient: dp, temperature: tau)
        }

        static func checkShapes(_ p: Matrix<Double>, _ t: Matrix<Double>, _ mask: [Bool]?) {
            precondition(p.rows == t.rows && p.columns == t.columns, "probabilities and targets differ in shape")
            precondition(mask == nil || mask!.count == p.rows, "mask needs one flag per row")
        }
    }
}
