#if canImport(Glibc)
import Glibc
#endif
import CLOTCore

extension Optimized {
    /// L = −(1/R) Σ_r m_r Σ_k T_rk log(P_rk + 1e-11) (Documentation/Method.md §5) in Float32; the same API as
    /// `Reference.SoftCrossEntropy` (R = B·N rows, padding included; mask true on real frames).
    /// The per-row sums are in Float, as the official float32 code; the total over rows is
    /// accumulated in Double so the mean does not drift for long batches.
    public enum SoftCrossEntropy {
        public static let logOffset: Float = 1e-11

        public static func forward(probabilities p: Matrix<Float>, targets t: Matrix<Float>, mask: [Bool]? = nil) -> Float {
            checkShapes(p, t, mask)
            let k = p.columns
            var total = 0.0
            p.elements.withUnsafeBufferPointer { pp in
                t.elements.withUnsafeBufferPointer { tp in
                    for r in 0..<p.rows where mask?[r] ?? true {
                        var row: Float = 0
                        var j = 0
                        let pr = UnsafeRawPointer(pp.baseAddress! + r * k), tr = UnsafeRawPointer(tp.baseAddress! + r * k)
                        var lanes = Float8(repeating: 0)
                        while j + 8 <= k {
                            let pv = pr.advanced(by: j * 4).loadUnaligned(as: Float8.self)
                            let tv = tr.advanced(by: j * 4).loadUnaligned(as: Float8.self)
                            lanes += tv * vlog(pv + logOffset)
                            j += 8
                        }
                        for lane in 0..<8 { row += lanes[lane] }
                        while j < k {
                            row += tp[r * k + j] * logf(pp[r * k + j] + logOffset)
                            j += 1
                        }
                        total -= Double(row)
                    }
                }
            }
            return p.rows == 0 ? 0 : Float(total / Double(p.rows))
        }

        /// ∂L/∂P_rk = −g m_r T_rk / (R (P_rk + 1e-11)).
        public static func probabilityGradient(probabilities p: Matrix<Float>, targets t: Matrix<Float>,
                                               mask: [Bool]? = nil, lossGradient g: Float = 1) -> Matrix<Float> {
            checkShapes(p, t, mask)
            var dp = Matrix<Float>.zeros(p.rows, p.columns)
            let scale = -g / Float(max(p.rows, 1)), k = p.columns
            p.elements.withUnsafeBufferPointer { pp in
                t.elements.withUnsafeBufferPointer { tp in
                    dp.elements.withUnsafeMutableBufferPointer { gp in
                        for r in 0..<p.rows where mask?[r] ?? true {
                            for j in (r * k)..<((r + 1) * k) { gp[j] = scale * tp[j] / (pp[j] + logOffset) }
                        }
                    }
                }
            }
            return dp
        }

        /// ∂L/∂x through P = softmax(x/τ): G = ∂L/∂P (`probabilityGradient`), then per row
        /// P ⊙ (G − ⟨P, G⟩)/τ in place. Masked rows get 0.
        public static func backward(probabilities p: Matrix<Float>, targets t: Matrix<Float>, mask: [Bool]? = nil,
                                    temperature tau: Float, lossGradient g: Float = 1) -> Matrix<Float> {
            var dx = probabilityGradient(probabilities: p, targets: t, mask: mask, lossGradient: g)
            let k = p.columns
            p.elements.withUnsafeBufferPointer { pp in
                dx.elements.withUnsafeMutableBufferPointer { gp in
                    for r in 0..<p.rows where mask?[r] ?? true {
                        softmaxBackwardRow(pp.baseAddress! + r * k, gp.baseAddress! + r * k, count: k, scale: 1 / tau)
                    }
                }
            }
            return dx
        }

        static func checkShapes(_ p: Matrix<Float>, _ t: Matrix<Float>, _ mask: [Bool]?) {
            precondition(p.rows == t.rows && p.columns == t.columns, "probabilities and targets differ in shape")
            precondition(mask == nil || mask!.count == p.rows, "mask needs one flag per row")
        }
    }
}
