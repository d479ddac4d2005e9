/// CLOT's pseudo-labels, the transport plans each stage's features are trained towards (paper
/// §3: T for F, T_S for S, T_R for F_R; they carry no gradient), written once for both backends:
///
///     T   = ASOT(1 − F Aᵀ + P + λ_SW·C_SW)      (padding masked; C_SW with fresh directions)
///     T_S = ASOT(1 − S Aᵀ [+ P_seg])             (choice `segment-prior`)
///     T_R = ASOT(1 − F_R Aᵀ + P)                 (or the L2-unbalanced plan: choice `stage3-ot`)
///
/// with the train settings and the temporal prior P of ρ. The costs, the solvers and whether
/// stages 2 and 3 solve beside stage 1 are the backend's (`ModelStages`).
extension ModelStages {
    /// T, T_S and T_R of a batch (T_S and T_R nil when the configuration has no such stage).
    /// Stage 1's directions are drawn from `generator`, one set for the batch or one per video
    /// (choice `sw-directions`); stages 2 and 3 draw nothing and need nothing from stage 1, so
    /// their solves (one thread each) may run while stage 1's costs are built; stage 1's solve
    /// then has every thread.
    /// - Postconditions: each solve is the one a serial order would run (each batch keeps its own
    ///   step size), so the targets are the same bits however the solves are scheduled.
    @inlinable
    public static func pseudoLabels(_ f: Forward, batch: Batch, parameters p: ModelParameters<Arithmetic.Scalar>,
                                    configuration c: ModelConfiguration, settings: ASOTSettings,
                                    generator: inout MersenneTwister) -> Targets {
        let t = batch.frames, b = batch.videos
        let prior = temporalPrior(frames: t, clusters: c.clusters, rho: c.rho)
        let masks = (0..<b).map { Array(batch.mask[($0 * t)..<(($0 + 1) * t)]) }
        let later = LaterStageTargets<Arithmetic.Scalar>()
        let laterStages = {
            later.segments = f.segments.map { segmentTargets($0, actions: p.actions, videos: b, configuration: c, settings: settings) }
            later.refined = f.refined.map {
                refinedTargets($0, actions: p.actions, prior: prior, masks: masks, configuration: c, settings: settings)
            }
        }
        var frameCosts: [Matrix<Arithmetic.Scalar>] = []
        func firstStageCosts() {
            frameCosts = stageCosts(f.frames, actions: p.actions, prior: prior, videos: b)
            guard c.useSlicedWasserstein else { return }
            func directions() -> Matrix<Double> {
                randomSphereDirections(count: c.slicedWassersteinProjections, dimension: p.actions.columns, using: &generator)
            }
            let batchDirections = c.choices.swDirections == .perBatch ? directions() : nil
            for v in 0..<b {
                addSlicedCost(&frameCosts[v], frames: f.frames.rowBlock(v * t, t), actions: p.actions,
                              directions: batchDirections ?? directions(), configuration: c)
            }
        }
        if f.segments != nil || f.refined != nil {
            concurrently(firstStageCosts, laterStages)
        } else {
            firstStageCosts()
        }
        let frames = solve(ASOTBatch(costs: frameCosts, masks: masks), settings: settings, threads: nil)
        return Targets(frames: .stacked(frames.map(\.plan)), segments: later.segments, refined: later.refined)
    }

    /// T_S: per video, ASOT on 1 − S Aᵀ (+ the prior over the n_seg segments with `segment-prior`).
    @inlinable
    static func segmentTargets(_ segments: Matrix<Arithmetic.Scalar>, actions: Matrix<Arithmetic.Scalar>, videos: Int,
                               configuration c: ModelConfiguration, settings: ASOTSettings) -> Matrix<Arithmetic.Scalar> {
        let s = c.segments
        let prior = c.choices.segmentPrior ? temporalPrior(frames: s, clusters: c.clusters, rho: c.rho)
                                           : Arithmetic.zeros(s, c.clusters)
        let costs = stageCosts(segments, actions: actions, prior: prior, videos: videos)
        return .stacked(solve(ASOTBatch(costs: costs), settings: settings, threads: 1).map(\.plan))
    }

    /// T_R: per video, the stage-3 plan of 1 − F_R Aᵀ + P, padding masked.
    @inlinable
    static func refinedTargets(_ refined: Matrix<Arithmetic.Scalar>, actions: Matrix<Arithmetic.Scalar>,
                               prior: Matrix<Arithmetic.Scalar>, masks: [[Bool]], configuration c: ModelConfiguration,
                               settings: ASOTSettings) -> Matrix<Arithmetic.Scalar> {
        let costs = stageCosts(refined, actions: actions, prior: prior, videos: masks.count)
        switch c.choices.stage3OT {
        case .asot:
            return .stacked(solve(ASOTBatch(costs: costs, masks: masks), settings: settings, threads: 1).map(\.plan))
        case .l2Unbalanced:
            return .stacked(costs.map { solveQuadraticUnbalanced(cost: $0) })
        }
    }
}

/// Where the stages 2 and 3 of `pseudoLabels` leave their targets when they run on a second
/// thread (read only after it has been joined).
@usableFromInline
final class LaterStageTargets<Scalar: BinaryFloatingPoint & Sendable>: @unchecked Sendable {
    @usableFromInline var segments: Matrix<Scalar>?
    @usableFromInline var refined: Matrix<Scalar>?
    @usableFromInline init() {}
}
