import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// The L2-regularised, L2-unbalanced OT of the released `gsw.py`'s unused `get_opt` (choice
/// `stage3-ot` = `l2-unbalanced`) against POT's `ot.solve` with the same constants, from
/// `scripts/make_quadratic_ot_golden.py`.
struct QuadraticUnbalancedGoldenFile: Decodable {
    struct Case: Decodable {
        var name: String, n: Int, k: Int
        var cost: [Double], plan: [Double], value: Double
    }
    var cases: [Case]
}

private let golden: QuadraticUnbalancedGoldenFile? = try? loadFixture("golden/quadratic_unbalanced_ot.json")

@Suite("L2-unbalanced OT (gsw.py get_opt) against POT")
struct QuadraticUnbalancedGoldenTests {
    static let r = 0.1, lambda = 0.2

    /// The objective POT reports as `value`: ⟨M, T⟩ + (r/2)‖T − a bᵀ‖² + (λ/2)(‖T1 − a‖² + ‖Tᵀ1 − b‖²).
    static func objective(_ m: [Double], _ t: [Double], n: Int, k: Int) -> Double {
        let a = 1 / Double(n), b = 1 / Double(k)
        var value = 0.0, rows = [Double](repeating: -a, count: n), columns = [Double](repeating: -b, count: k)
        for i in 0..<n {
            for j in 0..<k {
                let e = i * k + j
                value += m[e] * t[e] + r / 2 * (t[e] - a * b) * (t[e] - a * b)
                rows[i] += t[e]
                columns[j] += t[e]
            }
        }
        return value + lambda / 2 * (rows.reduce(0) { $0 + $1 * $1 } + columns.reduce(0) { $0 + $1 * $1 })
    }

    /// The gradient of the objective at t (for the optimality conditions).
    static func gradient(_ m: [Double], _ t: [Double], n: Int, k: Int) -> [Double] {
        let a = 1 / Double(n), b = 1 / Double(k)
        var rows = [Double](repeating: -a, count: n), columns = [Double](repeating: -b, count: k)
        for i in 0..<n { for j in 0..<k { rows[i] += t[i * k + j]; columns[j] += t[i * k + j] } }
        return (0..<(n * k)).map { e in m[e] + r * (t[e] - a * b) + lambda * rows[e / k] + lambda * columns[e % k] }
    }

    /// Reference (Double): the optimality conditions of the convex QP hold to 1e-10 (∇f = 0 where
    /// T > 0, ∇f ≥ 0 where T = 0; the iteration stops when no entry moves by 1e-12 of the
    /// marginals, and the gradient is L ≈ 50 times that); its objective is no higher than POT's
    /// (POT's L-BFGS-B stops a little short: measured 0 to 9e-11 higher); the plans agree to
    /// 1e-4 of the largest entry (POT's own distance to the optimum, measured: up to 7.1e-5, on
    /// "small N256 K7").
    @Test("Reference reaches the optimum POT approaches", arguments: golden?.cases.map(\.name) ?? [])
    func reference(name: String) throws {
        let c = try #require(golden?.cases.first { $0.name == name })
        let plan = solveQuadraticUnbalanced(cost: Matrix(rows: c.n, columns: c.k, elements: c.cost)).elements
        #expect(plan.allSatisfy { $0 >= 0 })
        for (e, g) in Self.gradient(c.cost, plan, n: c.n, k: c.k).enumerated() {
            if plan[e] > 0 { #expect(abs(g) <= Tolerance.double, "\(name): ∇f = \(g) at a positive entry \(e)") }
            else { #expect(g >= -Tolerance.double, "\(name): ∇f = \(g) < 0 at a zero entry \(e)") }
        }
        let mine = Self.objective(c.cost, plan, n: c.n, k: c.k), pot = Self.objective(c.cost, c.plan, n: c.n, k: c.k)
        #expect(abs(pot - c.value) <= Tolerance.rounding * max(1, abs(c.value)), "\(name): the objective is not POT's value")
        #expect(mine <= pot + Tolerance.longChain * max(1, abs(pot)), "\(name): objective \(mine) above POT's \(pot)")
        let scale = max(c.plan.map(abs).max() ?? 0, 1e-12)
        let error = zip(plan, c.plan).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= Tolerance.float32 * scale, "\(name): plans differ by \(error) (largest entry \(scale))")
    }

    /// Optimized (Float32) against Reference's optimum on the same (Float-rounded) costs, to 5e-5
    /// of the largest entry: the Float iteration stops when no entry moves by 2e-7·max(a, b), and
    /// at the linear rate 1 − 1/√κ the remaining distance is about √κ times that, plus Float
    /// rounding of the row and column sums (measured: up to 1.8e-5). Against POT's plan to 1e-4
    /// of it, as Reference.
    @Test("Optimized agrees with Reference and POT", arguments: golden?.cases.map(\.name) ?? [])
    func optimized(name: String) throws {
        let c = try #require(golden?.cases.first { $0.name == name })
        let costs = c.cost.map { Double(Float($0)) }
        let exact = solveQuadraticUnbalanced(cost: Matrix(rows: c.n, columns: c.k, elements: costs)).elements
        let plan = solveQuadraticUnbalanced(cost: Matrix(rows: c.n, columns: c.k, elements: c.cost.map(Float.init))).elements
        let scale = max(c.plan.map(abs).max() ?? 0, 1e-12)
        let fromExact = zip(plan, exact).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(fromExact <= 5e-5 * scale, "\(name): Optimized is \(fromExact) from the optimum (largest entry \(scale))")
        let fromPOT = zip(plan, c.plan).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(fromPOT <= Tolerance.float32 * scale, "\(name): plans differ by \(fromPOT) (largest entry \(scale))")
    }

    @Test("the golden file holds cases with empty, sparse and dense plans")
    func coverage() throws {
        let cases = try #require(golden?.cases)
        let positives = cases.map { $0.plan.filter { $0 > 0 }.count }
        #expect(positives.contains(0) && positives.contains { $0 > 0 && $0 < 10 } && positives.contains { $0 > 100 })
    }
}
