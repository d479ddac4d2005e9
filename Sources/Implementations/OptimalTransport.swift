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

    /// The quadratically regularised unbalanced plan (CLOT's segment-level OT), at each
    /// implementation's default tolerance.
    public func solveQuadraticUnbalanced(cost: Matrix<Double>, regularisation r: Double = 0.1,
                                         marginalPenalty lambda: Double = 0.2) -> Matrix<Double> {
        switch self {
        case .reference:
            Reference.solveQuadraticUnbalanced(cost: cost, regularisation: r, marginalPenalty: lambda)
        case .optimized:
            Optimized.solveQuadraticUnbalanced(cost: cost.float32, regularisation: Float(r), marginalPenalty: Float(lambda)).float64
        }
    }

    /// A matrix this implementation computed, stored in its own number type: a plan the
    /// optimized solver made (widened to Double by `solveASOT`) goes back to Float32 exactly,
    /// so a written `.npy` file is the solver's own.
    public func storedArray(_ matrix: Matrix<Double>) -> NPYArray {
        switch self {
        case .reference: NPYArray(matrix)
        case .optimized: NPYArray(matrix.float32)
        }
    }
}

extension ASOTSolution where Scalar == Float {
    /// The solution widened to Double (exact).
    public var float64: ASOTSolution<Double> {
        ASOTSolution<Double>(plan: plan.float64, objectiveTrace: objectiveTrace.map(Double.init))
    }
}
