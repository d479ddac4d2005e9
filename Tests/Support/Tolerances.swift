import CLOTCore

/// Every tolerance the tests use, named once with its reason. The unit roundoffs are
/// ε_d = 2⁻⁵² ≈ 2.2e-16 (Double) and ε_f = 2⁻²³ ≈ 1.2e-7 (Float32); a sum of n terms of size
/// s is off by at most about n·ε·s when summed in order, and usually by √n·ε·s. Unless a test
/// says otherwise, values are O(1) and the tolerance is absolute (a test on a value of another
/// size multiplies by that size).
public enum Tolerance {
    // MARK: Double

    /// A closed form of a handful of operations on O(1) values: a few ulps (1e-15 ≈ 4.5 ε_d).
    public static let fewUlps = 1e-15
    /// A chain of some tens of operations on O(1) values (a short dot product, a row of a
    /// small matrix product): about 45 ε_d.
    public static let shortChain = 1e-14
    /// Some hundreds of operations, or a few repeated scalings that each round once
    /// (Sinkhorn's iterates on a constant cost): about 450 ε_d.
    public static let longChain = 1e-13
    /// An identity that holds exactly in real arithmetic, computed two ways through sums of up
    /// to a few thousand O(1) terms (marginals, moments, a distance and its mirror image):
    /// 1e-12 leaves two orders above the worst in-order sum.
    public static let rounding = 1e-12
    /// Double computations that should agree to rounding after many steps (an iterative
    /// solver's objective, a metric over a dataset): ~1e-10 leaves room for differently
    /// ordered sums of thousands of terms compounded over iterations.
    public static let double = 1e-10

    // MARK: Float32

    /// A Double value of magnitude ≤ 1 rounded once to Float32: within half an ulp of 1,
    /// ε_f/2 ≈ 6e-8 (a table computed in Double and stored as Float).
    public static let floatRounding = Double(Float.ulpOfOne) / 2
    /// A Float32 result of a few operations on O(1) values (a normalised row's norm, a
    /// softmax row's sum): about 8 ε_f.
    public static let floatFewUlps = 1e-6
    /// Float32 sums of up to a few thousand terms (a plan's marginals, a cost entry built from
    /// 150 slices): about 80 ε_f, the √n growth of an in-order sum.
    public static let floatSum = 1e-5
    /// Float32 against Double through a whole computation (a solver, a layer, a loss): a few
    /// hundred Float ulps (ε_f = 1.2e-7) of accumulated rounding.
    public static let float32 = 1e-4

    // MARK: Iterations

    /// An iteration run to convergence, checked against its fixed point or the marginal it
    /// converges to (Sinkhorn after thousands of iterations): a convergence check, not a
    /// rounding one; 1e-6 is far above Double rounding and far below an unconverged miss.
    public static let converged = 1e-6

    // MARK: Decisive differences

    /// A change the test requires to be visible (padding that leaks, a mode that unbalances a
    /// marginal, a mask that moves the output): 1e-3, an order above `float32`, so rounding
    /// cannot pass for a real effect nor hide one.
    public static let visible = 1e-3

    /// The tolerance for `implementation`'s arithmetic: `reference` for the Double one,
    /// `optimized` for the Float32 one.
    public static func of(_ implementation: Implementation, reference: Double, optimized: Double) -> Double {
        implementation == .reference ? reference : optimized
    }
}
