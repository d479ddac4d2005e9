import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// The official `segment_asot` (mingu6/action_seg_ot@0c4c86b) run on fixed inputs by
/// `scripts/make_asot_golden.py`: every marginal mode, padding, batch-wide step calibration,
/// Sinkhorn stabilisation and the float32 underflow case.
struct ASOTGoldenFile: Decodable {
    struct Case: Decodable {
        struct Params: Decodable {
            var eps: Double, alpha: Double, radius: Double
            var ub_frames: Bool, ub_actions: Bool
            var lambda_frames: Double, lambda_actions: Double
            var n_iters: [Int]
            var step_size: Double?
        }
        var name: String, dtype: String
        var B: Int, N: Int, K: Int
        var cost: [[[Double]]], mask: [[Bool]]
        var params: Params
        var plan: [[[Double]]], labels: [[Int]], obj_trace: [[Double]]

        var settings: ASOTSettings {
            var s = ASOTSettings()
            s.epsilon = params.eps
            s.alpha = params.alpha
            s.radius = params.radius
            s.framesUnbalanced = params.ub_frames
            s.actionsUnbalanced = params.ub_actions
            s.lambdaFrames = params.lambda_frames
            s.lambdaActions = params.lambda_actions
            s.outerIterations = params.n_iters[0]
            s.sinkhornIterations = params.n_iters[1]
            s.stepSize = params.step_size
            return s
        }
    }
    struct Prior: Decodable { var n: Int, k: Int, rho: Double, prior: [[Double]] }
    var cases: [Case]
    var temporal_prior: [Prior]
    var temporal_prior_float32: [Prior]
}

private let golden: ASOTGoldenFile? = try? loadFixture("golden/asot_official.json")
/// The benchmarks' larger K (50 Salads 12 and 19, Desktop Assembly 22) in the default mode, from
/// `scripts/make_asot_golden_wide.py`: rows in pairs (K = 12, an odd N), rows of three
/// eight-lane blocks, and two row chunks.
private let wide: ASOTGoldenFile? = try? loadFixture("golden/asot_official_wide.json")
private let allCases = (golden?.cases ?? []) + (wide?.cases ?? [])

private func mask(_ m: [Bool], _ labels: [Int]) -> [Int] {
    zip(m, labels).map { $0 ? $1 : -1 }
}

@Suite("ASOT against the official code")
struct ASOTGoldenTests {
    @Test("fixture loads and covers every marginal mode in both precisions")
    func coverage() throws {
        let file = try #require(golden)
        let modes = Set(file.cases.map { $0.settings.marginals })
        #expect(modes == Set(ASOTSettings.Marginals.allCases))
        #expect(Set(file.cases.map(\.dtype)) == ["float64", "float32"])
    }

    @Test("the wide fixture covers K = 12, 19 and 22, an odd N, and a video long enough for two row chunks")
    func wideCoverage() throws {
        let file = try #require(wide)
        #expect(Set(file.cases.map(\.K)) == [12, 19, 22])
        #expect(file.cases.contains { $0.K == 12 && $0.N % 2 == 1 })
        #expect(file.cases.contains { $0.N >= 1024 })
        #expect(Set(file.cases.map(\.dtype)) == ["float64", "float32"])
    }

    /// Reference (Double) against the official float64 run: plans within 1e-5 (the issue's
    /// bound; the two differ only in summation order and the filter's algebra, ~1e-15 per
    /// step, amplified by 25 multiplicative steps), labels identical on real frames, objective
    /// trace within 1e-8 relative.
    @Test("Reference matches official float64", arguments: allCases.filter { $0.dtype == "float64" }.map(\.name))
    func referenceMatchesFloat64(name: String) throws {
        let c = try #require(allCases.first { $0.name == name })
        let batch = ASOTBatch(costs: c.cost.map { Matrix($0) }, masks: c.mask)
        let solutions = Reference.solveASOT(batch, settings: c.settings)
        for b in 0..<c.B {
            let expected = Matrix(c.plan[b])
            #expect(solutions[b].plan.maxAbsDifference(expected) < 1e-5, "\(name)[\(b)]")
            #expect(mask(c.mask[b], solutions[b].labels) == mask(c.mask[b], c.labels[b]), "\(name)[\(b)] labels")
            for (mine, theirs) in zip(solutions[b].objectiveTrace, c.obj_trace[b]) {
                #expect(abs(mine - theirs) <= 1e-8 * max(1, abs(theirs)), "\(name)[\(b)] trace \(mine) vs \(theirs)")
            }
        }
    }

    /// Optimized (Float32) against the official float32 run, underflow included: plans within
    /// 1e-5 absolute (Float32 rounding, ε = 1.2e-7, over 25 steps of entries ≤ 2), labels
    /// identical on real frames, trace within 1e-4 relative (sums of N·K Float terms).
    /// Where the official code's own float32 and float64 plans already differ by more than
    /// that (its precision sensitivity on this input, measured from the fixture) while
    /// agreeing on labels, the bound is twice that spread instead.
    @Test("Optimized matches official float32", arguments: allCases.filter { $0.dtype == "float32" }.map(\.name))
    func optimizedMatchesFloat32(name: String) throws {
        let c = try #require(allCases.first { $0.name == name })
        let batch = ASOTBatch(costs: c.cost.map { Matrix($0).float32 }, masks: c.mask)
        let solutions = Optimized.solveASOT(batch, settings: c.settings)
        let twin = allCases.first { $0.name == name.replacingOccurrences(of: "_float32", with: "_float64") }
        for b in 0..<c.B {
            let expected = Matrix(c.plan[b])
            var tolerance = Tolerance.floatSum
            if let twin, twin.labels[b] == c.labels[b] {
                tolerance = max(tolerance, 2 * Matrix(twin.plan[b]).maxAbsDifference(expected))
            }
            #expect(solutions[b].plan.float64.maxAbsDifference(expected) < tolerance, "\(name)[\(b)]")
            #expect(mask(c.mask[b], solutions[b].labels) == mask(c.mask[b], c.labels[b]), "\(name)[\(b)] labels")
            for (mine, theirs) in zip(solutions[b].objectiveTrace, c.obj_trace[b]) {
                #expect(abs(Double(mine) - theirs) <= Tolerance.float32 * max(1, abs(theirs)), "\(name)[\(b)] trace \(mine) vs \(theirs)")
            }
        }
    }

    @Test("temporal prior matches official")
    func temporalPrior() throws {
        let file = try #require(golden)
        for p in file.temporal_prior {
            let mine = Reference.temporalPrior(frames: p.n, clusters: p.k, rho: p.rho)
            #expect(mine.maxAbsDifference(Matrix(p.prior)) < Tolerance.fewUlps)
        }
        for p in file.temporal_prior_float32 {
            let mine = Optimized.temporalPrior(frames: p.n, clusters: p.k, rho: Float(p.rho))
            #expect(mine.float64.maxAbsDifference(Matrix(p.prior)) <= 1e-7)
        }
    }
}
