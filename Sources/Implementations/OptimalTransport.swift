import CLOTCore
import Optimized
import Reference

/// The transport solvers on either implementation, with Double at the boundary: the optimized
/// one is handed the costs rounded to Float32 and its results are widened back (exactly), so
/// callers and tests write one body for both.
extension Implementation {
    /// ASOT on a padded batch (ASOT §3.3, Eq. 7–8 with the unbalanced relaxations of §3.4).
    public func solveASOT(_ batch: ASOTBatch<Double>, settings: ASOTSettings) -> [ASOTSolution<Double>] {
        switch self {
        case .reference:
            return Reference.solveASOT(batch, settings: settings)
        case .optimized:
            let narrowed = ASOTBatch(costs: batch.costs.map(\.float32), masks: batch.masks)
            return Optimized.solveASOT(narrowed, settings: settings).map(\.float64)
        }
    }

    /// ASOT on one N × K cost matrix, every frame real.
    public func solveASOT(cost: Matrix<Double>, settings: ASOTSettings) -> ASOTSolution<Double> {
        switch self {
        case .reference: Reference.solveASOT(cost: cost, settings: settings)
        case .optimized: Optimized.solveASOT(cost: cost.float32, settings: settings).float64
        }
    }

    /// The temporal prior ρ·|t/N − k/K| (ASOT Eq. 9), N × K.
    public func temporalPrior(frames n: Int, clusters k: Int, rho: Double) -> Matrix<Double> {
        switch self {
        case .reference: Reference.temporalPrior(frames: n, clusters: k, rho: rho)
        case .optimized: Optimized.temporalPrior(frames: n, clusters: k, rho: Float(rho)).float64
        }
    }

    /// Cv(T Ck), the Gromov–Wasserstein term's filter of the action structure (ASOT Eq. 5–6):
    /// (T Ck)_tk = Σ_j T_tj − T_tk, then the temporal box filter over the frames within ⌊N r⌋.
    public func filteredActionStructure(_ t: Matrix<Double>, radius r: Double) -> Matrix<Double> {
        switch self {
        case .reference: Reference.applyTemporalFilter(Reference.multiplyByActionStructure(t), radius: r)
        case .optimized: Optimized.applyTemporalFilter(actionStructureOf: t.float32, radius: r).float64
        }
    }

    /// ASOT on one cost matrix, the plan kept in the implementation's own number type as a
    /// NumPy array (what `clot segment` writes: float32 from the optimized solver, float64 from
    /// the reference one), with its row argmax and the objective trace; no pass widens the plan.
    public func solveASOTKeepingPrecision(cost: Matrix<Double>, settings: ASOTSettings)
        -> (plan: NPYArray, labels: [Int], objectiveTrace: [Double]) {
        switch self {
        case .reference:
            let s = Reference.solveASOT(cost: cost, settings: settings)
            return (NPYArray(s.plan), s.plan.rowArgmax(), s.objectiveTrace)
        case .optimized:
            let s = Optimized.solveASOT(cost: cost.float32, settings: settings)
            return (NPYArray(s.plan), s.plan.rowArgmax(), s.objectiveTrace.map(Double.init))
        }
    }
}

extension ASOTSolution where Scalar == Float {
    /// The solution widened to Double (exact).
    public var float64: ASOTSolution<Double> {
        ASOTSolution<Double>(plan: plan.float64, objectiveTrace: objectiveTrace.map(Double.init))
    }
}
