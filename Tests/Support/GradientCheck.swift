import CLOTCore
import Testing

/// Central finite differences (f(θ + h e_i) − f(θ − h e_i)) / 2h, in Double, the oracle for
/// every hand-written backward pass.
///
/// Why h = 1e-5: the central difference's truncation error is h²·f'''/6 ≈ 2e-11·f''' and its
/// rounding error is about ε_d·|f|/h ≈ 2e-11·|f|; h ≈ ε_d^(1/3) ≈ 6e-6 balances the two, so
/// with inputs of order 1 both stay near 1e-10 (measured: at most 3e-10 over the layer,
/// dispatching and refinement cases), four orders below the 1e-6 budget. The error is
/// norm-wise, ‖analytic − numeric‖₂ / ‖numeric‖₂ over a whole gradient tensor, so entries that
/// vanish (masked keys, ReLU's dead inputs) are checked without dividing by 0.
///
/// The differences are always taken in Double on the Reference forward pass. A Float32
/// difference quotient is no oracle: its rounding error ε_f·|f|/h is 1e-2 at h = 1e-5, and at
/// the balancing h ≈ ε_f^(1/3) ≈ 5e-3 truncation and rounding are both ~1e-5 relative only for
/// smooth f, while a ReLU kink within h of an input makes it wrong by O(1). So the Optimized
/// backward pass is checked against the Double differences at inputs already rounded to Float32
/// (both implementations see the same numbers), within `budget(.optimized)`.
public enum GradientCheck {
    /// The finite-difference step h (see above).
    public static let step = 1e-5
    /// ‖analytic − numeric‖ / ‖numeric‖ for a Double backward pass: 1e-6, against a measured
    /// error of at most 3e-10; a wrong term in a backward pass gives O(1).
    public static let budget = 1e-6
    /// The same for a Float32 backward pass against the Double differences: the Float32
    /// pass's own rounding, a few hundred ε_f (`Tolerance.float32`); a wrong term still gives O(1).
    public static let floatBudget = Tolerance.float32

    /// The budget for `implementation`'s backward pass.
    public static func budget(_ implementation: Implementation) -> Double {
        Tolerance.of(implementation, reference: budget, optimized: floatBudget)
    }

    /// f = Σ (output ⊙ R) for a fixed random R: its gradient with respect to the output is R,
    /// the gradient handed to a backward pass.
    public static func objective(_ output: Matrix<Double>, _ r: Matrix<Double>) -> Double {
        precondition(output.rows == r.rows && output.columns == r.columns, "shapes differ")
        return zip(output.elements, r.elements).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Expects ‖analytic − numeric‖ / ‖numeric‖ < `budget`, the numeric gradient being the
    /// central differences of f around `point` with step `step`.
    public static func expect(_ analytic: Matrix<Double>, of point: Matrix<Double>, _ label: String,
                              step: Double = step, budget: Double = budget,
                              sourceLocation: SourceLocation = #_sourceLocation, _ f: (Matrix<Double>) -> Double) {
        precondition(analytic.rows == point.rows && analytic.columns == point.columns, "\(label): shapes differ")
        expect(analytic.elements, of: point.elements, label, step: step, budget: budget, sourceLocation: sourceLocation) {
            f(Matrix(rows: point.rows, columns: point.columns, elements: $0))
        }
    }

    /// The same for a gradient over a flat parameter array.
    public static func expect(_ analytic: [Double], of point: [Double], _ label: String,
                              step h: Double = step, budget: Double = budget,
                              sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Double]) -> Double) {
        precondition(analytic.count == point.count, "\(label): sizes differ")
        let error = relativeError(analytic, of: point, step: h, f)
        #expect(error.numericNorm > 0, "\(label): the numeric gradient vanishes, so the check is empty",
                sourceLocation: sourceLocation)
        #expect(error.relative < budget, "\(label): relative error \(error.relative) against finite differences (budget \(budget))",
                sourceLocation: sourceLocation)
    }

    /// ‖analytic − numeric‖₂ / ‖numeric‖₂ and ‖numeric‖₂.
    public static func relativeError(_ analytic: [Double], of point: [Double], step h: Double = step,
                                     _ f: ([Double]) -> Double) -> (relative: Double, numericNorm: Double) {
        var x = point
        var difference = 0.0, norm = 0.0
        for i in x.indices {
            x[i] = point[i] + h
            let up = f(x)
            x[i] = point[i] - h
            let down = f(x)
            x[i] = point[i]
            let numeric = (up - down) / (2 * h)
            difference += (analytic[i] - numeric) * (analytic[i] - numeric)
            norm += numeric * numeric
        }
        let relative = difference == 0 ? 0 : (difference / max(norm, .leastNormalMagnitude)).squareRoot()
        return (relative, norm.squareRoot())
    }
}
