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

    /// A Double value of magnitude ≤ 1 rounded once to Float32 (a table computed in Double and
    /// stored as Float): within half an ulp of 1, ε_f/2 ≈ 6e-8; held to one ulp, ε_f ≈ 1.2e-7,
    /// the floor for any Float32 check (Documentation/Conventions.md rule 13).
    public static let floatRounding = Double(Float.ulpOfOne)
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

extension Tolerance {
    /// Tolerances of the released-code goldens, each with its reason.
    public enum Released {
        /// Reference (Double) against torch float64 on identical inputs: both compute the same
        /// expressions in IEEE double with differently ordered sums (a few hundred terms at most
        /// here), and exp/log/sqrt from different libraries, each ~1e-16 relative; conditioning
        /// factors of softmax at τ = 0.1 and LayerNorm stay below 1e3, so 1e-10 is rounding with a
        /// wide margin and any wrong term (O(1) of the tensor's scale) fails it.
        public static let double = Tolerance.double
        /// Optimized (Float) against torch float32 on identical float32 inputs: each side carries
        /// its own float32 rounding (2⁻²⁴ ≈ 6e-8 per operation) through chains of up to ~30 layers
        /// (encoder, dispatching, two decoder layers, refinement, three softmax CE stages at
        /// τ = 0.1) whose condition factors are of order 1–10, so errors of a few 1e-7 to a few
        /// 1e-6 are expected. Measured over every case: forward values ≤ 3e-7, losses ≤ 1.2e-7,
        /// gradients ≤ 1.4e-6 (a LayerNorm γ of the decoder's first layer). 1e-5 leaves a factor 7
        /// over the worst, and a wrong term still moves a tensor by O(1) of its scale.
        public static let float32 = 1e-5
    }
}

extension Tolerance {
    /// Margins and tolerances of the Optimized-against-Reference agreement of whole solves and
    /// of the whole model, where rounding compounds through many steps.
    public enum Agreement {
        /// Rows whose top two entries differ by more than this (relative to the row's mass) must get
        /// the same label: ten times the plan tolerance, so rounding cannot swap them.
        /// (`ReferenceOptimizedAgreementTests`, single ASOT problems.)
        public static let decisivePlanRow = 1e-3
        /// A gradient tensor is "structurally zero" when its Reference max is below this fraction of
        /// the largest gradient entry of the model: a tensor whose gradient vanishes in exact
        /// arithmetic (e.g. an attention whose values are all equal, so that ∂W_q = ∂W_k = 0; a
        /// decoder with v = t had that in its first self-attention, where t₀ = 0), where Reference
        /// holds ~1e-17 of rounding and Optimized ~1e-8 of the gradient scale. Scaling such a tensor
        /// by its own max would compare rounding noise with rounding noise; it is held instead to
        /// `Tolerance.float32` of the model's gradient scale (any real term would be O(1) of it).
        /// (`CLOTModelAgreementTests`.)
        public static let structuralZero = 1e-9
        /// Rows whose Reference plan has its top two entries closer than this (plans' rows sum
        /// to 1 in the frame-balanced train mode) may legitimately decode differently: the costs
        /// differ by the forward's Float rounding (~1e-6) and the SW term's sorted slices, and 25
        /// mirror steps amplify that by tens, to ~1e-4 per plan entry (the ASOT agreement tests'
        /// budget). 1e-2 is a hundred times that.
        /// (`CLOTModelAgreementTests`, pseudo-labels of the whole model.)
        public static let decisiveModelRow = 1e-2
        /// Loss before the update, each backend with its own pseudo-labels: they differ by ASOT's
        /// Float-vs-Double rounding (~1e-4 per plan entry at most, see `decisiveModelRow`), and the loss is a mean
        /// of Σ T log P over rows, so it moves by about that relative amount. 1e-3 leaves a margin.
        /// (Measured: ≤ 1.5e-7.)
        /// (`CLOTModelAgreementTests`, one training step.)
        public static let stepLoss = 1e-3
        /// Parameter changes, scaled by each tensor's largest change: Adam's first step is
        /// −lr·g/(|g| + ε) ≈ −lr·sign(g), so a determined gradient entry (below) off by the
        /// gradient budget moves its step by far less than 1e-3 of lr; the Float update itself
        /// rounds p − Δ at ulp(|p| ≤ 4)/2 = 2.4e-7, i.e. 2.4e-4 of lr = 1e-3. (Measured: ≤ 9.3e-5,
        /// on A, whose unit-length entries round at 6e-8 = 6e-5 of lr.)
        /// (`CLOTModelAgreementTests`, one training step.)
        public static let stepDelta = 1e-3
    }
}
