/// The settings of one ASOT solve (ASOT Eq. 4–7 and §3.3), with the official
/// `segment_asot` defaults.
public struct ASOTSettings: Sendable, Equatable, Codable {
    /// Entropy weight ε (> 0).
    public var epsilon: Double = 0.07
    /// Weight α ∈ [0, 1] of the Gromov–Wasserstein temporal term against the linear cost.
    public var alpha: Double = 0.3
    /// Radius r of the temporal box filter Cv, as a fraction of the (padded) length N.
    public var radius: Double = 0.04
    /// KL penalties on the frame marginal (active when `framesUnbalanced`) and on the action
    /// marginal (active when `actionsUnbalanced`).
    public var lambdaFrames: Double = 0.1, lambdaActions: Double = 0.05
    /// Relax the frame marginal (`-uf`) and the action marginal (`-ua`, which every official run
    /// passes) to a KL penalty.
    public var framesUnbalanced: Bool = false, actionsUnbalanced: Bool = true
    /// Mirror-descent iterations (`n_iters[0]`) and Sinkhorn iterations of the balanced
    /// projection (`n_iters[1]`).
    public var outerIterations: Int = 25, sinkhornIterations: Int = 1
    /// Mirror-descent step; nil calibrates it as 4 / max(∇) at the first iteration, batch-wide.
    public var stepSize: Double? = nil
    /// |log a| or |log b| above which the balanced projection absorbs its scalings.
    public var stabilisationThreshold: Double = 7

    public init() {}

    /// The four marginal modes.
    public enum Marginals: String, Sendable, CaseIterable, Codable {
        /// Frames balanced, actions KL-relaxed: rows rescaled to 1/n after each step (default).
        case actionsUnbalanced
        /// Actions balanced, frames KL-relaxed: columns rescaled to 1/K.
        case framesUnbalanced
        /// Both relaxed: no projection.
        case bothUnbalanced
        /// Both balanced: a Sinkhorn (KL) projection on the linearised cost.
        case balanced
    }

    public var marginals: Marginals {
        get {
            switch (framesUnbalanced, actionsUnbalanced) {
            case (false, true): .actionsUnbalanced
            case (true, false): .framesUnbalanced
            case (true, true): .bothUnbalanced
            case (false, false): .balanced
            }
        }
        set {
            framesUnbalanced = newValue == .framesUnbalanced || newValue == .bothUnbalanced
            actionsUnbalanced = newValue == .actionsUnbalanced || newValue == .bothUnbalanced
        }
    }

    /// The settings `validate()` checks, by the names it gives them in its errors.
    public enum Setting: String, Sendable, CaseIterable {
        case epsilon, alpha, radius, lambdaFrames, lambdaActions, outerIterations, sinkhornIterations, stepSize
    }

    /// Checks the values a user can get wrong.
    ///
    /// - Parameter name: how the error names a setting; by default its own name ("epsilon").
    ///   A front end passes its own spelling (the command line passes the flag that sets it).
    /// - Throws: `InputError` whose source is `name(setting)` for the first setting out of range.
    public func validate(naming name: (Setting) -> String = { $0.rawValue }) throws {
        func check(_ ok: Bool, _ setting: Setting, _ message: String) throws {
            if !ok { throw InputError(name(setting), message) }
        }
        try check(epsilon.isFinite && epsilon > 0, .epsilon, "must be positive, got \(epsilon)")
        try check(alpha.isFinite && (0...1).contains(alpha), .alpha, "must lie in [0, 1], got \(alpha)")
        // The filter's reach N·r must stay an integer: r beyond 1e6 could not be converted.
        try check(radius.isFinite && radius > 0 && radius <= 1e6, .radius, "must be positive and at most 1e6 (a fraction of N), got \(radius)")
        try check(lambdaFrames.isFinite && lambdaFrames >= 0, .lambdaFrames, "must be non-negative, got \(lambdaFrames)")
        try check(lambdaActions.isFinite && lambdaActions >= 0, .lambdaActions, "must be non-negative, got \(lambdaActions)")
        // Zero iterations would return the uniform initial plan, whose argmax labels every frame 0.
        try check((1...100_000).contains(outerIterations), .outerIterations, "must lie in 1...100000, got \(outerIterations)")
        try check((1...100_000).contains(sinkhornIterations), .sinkhornIterations, "must lie in 1...100000, got \(sinkhornIterations)")
        if let stepSize { try check(stepSize.isFinite && stepSize > 0, .stepSize, "must be positive, got \(stepSize)") }
    }
}

/// One batch of ASOT problems sharing a padded length N and a cluster count K.
public struct ASOTBatch<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// N × K cost matrices.
    public var costs: [Matrix<Scalar>]
    /// Per item, true on real frames and false on padding (all true when nil was given).
    public var masks: [[Bool]]

    public init(costs: [Matrix<Scalar>], masks: [[Bool]]? = nil) {
        precondition(!costs.isEmpty, "a batch needs at least one problem")
        let n = costs[0].rows, k = costs[0].columns
        precondition(costs.allSatisfy { $0.rows == n && $0.columns == k }, "batch items differ in shape")
        self.costs = costs
        self.masks = masks ?? Array(repeating: Array(repeating: true, count: n), count: costs.count)
        precondition(self.masks.count == costs.count && self.masks.allSatisfy { $0.count == n }, "one mask entry per frame")
    }

    public init(cost: Matrix<Scalar>) { self.init(costs: [cost]) }

    public var frames: Int { costs[0].rows }
    public var clusters: Int { costs[0].columns }
}

/// A solved ASOT problem.
public struct ASOTSolution<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// The plan rescaled by n (unmasked frames), so each unmasked row sums to 1 in the
    /// frame-balanced modes; N × K.
    public var plan: Matrix<Scalar>
    /// Objective value before each mirror step and after the last (outerIterations + 1 values).
    public var objectiveTrace: [Scalar]

    public init(plan: Matrix<Scalar>, objectiveTrace: [Scalar]) {
        self.plan = plan
        self.objectiveTrace = objectiveTrace
    }

    /// argmax of each row: the decoded segmentation.
    public var labels: [Int] { plan.rowArgmax() }
}
