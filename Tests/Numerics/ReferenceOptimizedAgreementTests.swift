import CLOTCore
import Optimized
import Reference
import Testing
import TestSupport

/// `Optimized.solveASOT` (Float32, prefix-sum filter, official float32 Sinkhorn kernel, fused
/// log-domain sweep in the default mode) against `Reference.solveASOT` (Double, plain loops,
/// log-domain Sinkhorn) on the same problems, in every marginal mode.
///
/// ε stays at the default 0.07. The balanced mode's Optimized projection is the official
/// float32 kernel exp(−G/ε), which underflows (below Float's least normal 1.2e-38, i.e.
/// G/ε > ~87) where the Double log-domain Reference does not; with costs in [0, 2.2] at
/// ε = 0.07, G/ε ≤ 2.2/0.07 ≈ 31 and the kernel's smallest entry is ~e⁻³¹ ≈ 3e-14, far from
/// underflow, so the two must agree to Float rounding. (At ε = 0.01 they legitimately part:
/// see `Reference.balancedProjection`.)
@Suite struct ReferenceOptimizedAgreementTests {
    /// Plans after the ×n rescale have entries ≤ 1 in the frame-balanced modes (up to ~N/K when
    /// frames are unbalanced, ≤ 10 here). 25 mirror steps of exp(−η∇) with η∇ = O(4) amplify
    /// Float rounding (1.2e-7) by a few tens: 1e-4 max-abs. (Measured: ≤ 2e-6 in every mode.)
    static let planTolerance = Tolerance.float32
    /// Rows whose argmax may flip are those within the plan tolerance of a tie: a few per
    /// thousand. At least 90% of the rows must be decisive for the label check to mean anything.
    static let decisiveFraction = 0.9

    static func settings(_ marginals: ASOTSettings.Marginals) -> ASOTSettings {
        // Balanced: a few Sinkhorn iterations as well as the official one, so the
        // stabilisation (absorption) path of the float32 kernel runs too.
        OTProblems.settings(marginals, sinkhornIterations: marginals == .balanced ? 5 : 1)
    }

    /// Compares one Optimized solution with its Reference and returns nothing; failures name
    /// `context`.
    static func expectAgreement(reference: ASOTSolution<Double>, optimized: ASOTSolution<Float>, mask: [Bool],
                                _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let fast = optimized.plan.float64
        let difference = fast.maxAbsDifference(reference.plan)
        #expect(difference <= Self.planTolerance, "\(context): plans differ by \(difference)", sourceLocation: sourceLocation)
        // The margin is measured against the row's own mass. In the frame-balanced modes that is 1,
        // so this is the absolute 1e-3; with frames unbalanced real rows can carry as little as
        // 3e-4 (uniform costs, padded), and an absolute 1e-3 would call up to 30% of them
        // undecided although their argmax is clear (relative margins were all > 1e-3).
        let margins = OTProblems.rowMargins(reference.plan), masses = OTProblems.rowSums(reference.plan)
        let referenceLabels = reference.labels, optimizedLabels = optimized.labels
        var decisive = 0, disagreements: [Int] = []
        for i in mask.indices where mask[i] && margins[i] > Tolerance.Agreement.decisivePlanRow * masses[i] {
            decisive += 1
            if referenceLabels[i] != optimizedLabels[i] { disagreements.append(i) }
        }
        #expect(disagreements.isEmpty, "\(context): labels differ on decisive rows \(disagreements)", sourceLocation: sourceLocation)
        let real = mask.filter { $0 }.count
        #expect(Double(decisive) >= Self.decisiveFraction * Double(real), "\(context): only \(decisive) of \(real) rows decisive",
                sourceLocation: sourceLocation)
        // The traces follow each other too: objective values are O(1), Float-accumulated in Double.
        for (r, o) in zip(reference.objectiveTrace, optimized.objectiveTrace) {
            #expect(abs(Double(o) - r) <= Self.planTolerance * max(1, abs(r)), "\(context): trace \(o) vs \(r)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("single problems: plans within 1e-4, labels identical on decisive rows",
          arguments: ASOTSettings.Marginals.allCases, [20, 97, 256])
    func singleProblems(marginals: ASOTSettings.Marginals, frames n: Int) {
        for (index, k) in [2, 5, 8].enumerated() {
            let structured = index != 1
            // The cost is rounded to Float first, so both see the same numbers.
            let cost = OTProblems.cost(frames: n, clusters: k, seed: n + k, structured: structured).float32
            let settings = Self.settings(marginals)
            let reference = Reference.solveASOT(cost: cost.float64, settings: settings)
            let optimized = Optimized.solveASOT(cost: cost, settings: settings)
            Self.expectAgreement(reference: reference, optimized: optimized, mask: Array(repeating: true, count: n),
                                 "\(marginals) N \(n) K \(k) structured \(structured)")
        }
    }

    /// The benchmarks' larger K (50 Salads 12 and 19, Desktop Assembly 22, and 48): rows in
    /// pairs of width 12 and 20 (N = 97 is odd, so the last pair has a padding row), rows of
    /// three and six eight-lane blocks in the default mode's fused sweep, the last block part
    /// padding except at 48.
    @Test("K = 12, 19, 22, 48: plans within 1e-4, labels identical on decisive rows",
          arguments: ASOTSettings.Marginals.allCases, [12, 19, 22, 48])
    func manyClusters(marginals: ASOTSettings.Marginals, clusters k: Int) {
        for (index, n) in [97, 160].enumerated() {
            let structured = index == 0
            let cost = OTProblems.cost(frames: n, clusters: k, seed: n + k, structured: structured).float32
            let settings = Self.settings(marginals)
            let reference = Reference.solveASOT(cost: cost.float64, settings: settings)
            let optimized = Optimized.solveASOT(cost: cost, settings: settings)
            Self.expectAgreement(reference: reference, optimized: optimized, mask: Array(repeating: true, count: n),
                                 "\(marginals) N \(n) K \(k) structured \(structured)")
        }
    }

    /// From 1024 frames a problem's rows go in two chunks (the second on a worker thread),
    /// with the prefix sums of the second chunk shifted by the first one's total.
    @Test("long videos (two row chunks, two threads): agree with Reference, and equal bit for bit on one thread",
          arguments: [(1024, 8), (1500, 8), (2053, 8), (1025, 12), (1031, 19), (1100, 22)])
    func chunkedRows(frames n: Int, clusters k: Int) {
        let cost = OTProblems.cost(frames: n, clusters: k, seed: n, structured: true).float32
        var batch = ASOTBatch(cost: cost)
        // A padded tail: its rows must stay zero and the chunks must still split the real ones.
        batch.masks[0] = OTProblems.mask(frames: n, real: n - 37)
        let settings = Self.settings(.actionsUnbalanced)
        let two = Optimized.solveASOT(batch, settings: settings, threads: 2)[0]
        let one = Optimized.solveASOT(batch, settings: settings, threads: 1)[0]
        #expect(two.plan.elements == one.plan.elements, "N \(n) K \(k): plans differ between one and two threads")
        #expect(two.objectiveTrace == one.objectiveTrace)
        let reference = Reference.solveASOT(ASOTBatch(costs: [cost.float64], masks: batch.masks), settings: settings)[0]
        Self.expectAgreement(reference: reference, optimized: two, mask: batch.masks[0], "chunked N \(n) K \(k)")
    }

    /// Batches of shorter videos run item by item on two threads (odd items on the worker).
    @Test("batches of three 200-frame videos: the same bits on one thread or two, and agree with Reference",
          arguments: [7, 10, 19])
    func itemsOnTwoThreads(clusters k: Int) {
        let costs = (0..<3).map { OTProblems.cost(frames: 200, clusters: k, seed: 40 + $0, structured: $0 != 1).float32 }
        let masks = [OTProblems.mask(frames: 200, real: 200), OTProblems.mask(frames: 200, real: 151),
                     OTProblems.mask(frames: 200, real: 188)]
        let batch = ASOTBatch(costs: costs, masks: masks)
        let settings = Self.settings(.actionsUnbalanced)
        let two = Optimized.solveASOT(batch, settings: settings, threads: 2)
        let one = Optimized.solveASOT(batch, settings: settings, threads: 1)
        let reference = Reference.solveASOT(ASOTBatch(costs: costs.map(\.float64), masks: masks), settings: settings)
        for i in 0..<3 {
            #expect(two[i].plan.elements == one[i].plan.elements, "K \(k) item \(i): plans differ between one and two threads")
            #expect(two[i].objectiveTrace == one[i].objectiveTrace)
            Self.expectAgreement(reference: reference[i], optimized: two[i], mask: masks[i], "K \(k) batch item \(i)")
        }
    }

    /// Fewer frames than clusters (N < K): `clot segment` accepts any N ≥ 1 with K ≥ 2. The
    /// default mode's fused sweep once kept its K column terms in an N-entry buffer and wrote
    /// past its end here (a trap in debug, heap corruption in release); this pins the fix.
    @Test("fewer frames than clusters: both solvers agree, every mode",
          arguments: ASOTSettings.Marginals.allCases, [(1, 4), (3, 8), (5, 40), (7, 12)])
    func fewerFramesThanClusters(marginals: ASOTSettings.Marginals, shape: (frames: Int, clusters: Int)) {
        let (n, k) = shape
        let cost = OTProblems.uniformCost(frames: n, clusters: k, seed: n * k).float32
        let settings = Self.settings(marginals)
        let reference = Reference.solveASOT(cost: cost.float64, settings: settings)
        let optimized = Optimized.solveASOT(cost: cost, settings: settings)
        #expect(optimized.plan.rows == n && optimized.plan.columns == k && optimized.plan.isFinite)
        let difference = optimized.plan.float64.maxAbsDifference(reference.plan)
        #expect(difference <= Self.planTolerance, "\(marginals) N \(n) K \(k): plans differ by \(difference)")
        if marginals == .actionsUnbalanced {
            // Float32 row sums of ≤ 40 rescaled entries (see ASOTSolverTests.optimizedMarginal).
            #expect(OTProblems.worstDeviation(OTProblems.rowSums(optimized.plan), from: 1) <= Tolerance.floatSum)
        }
    }

    @Test("padded batches of two agree item by item", arguments: ASOTSettings.Marginals.allCases, [(64, 5), (97, 3), (128, 8)])
    func paddedBatches(marginals: ASOTSettings.Marginals, shape: (frames: Int, clusters: Int)) {
        let (n, k) = shape
        let real = [n, n - n / 3]
        let costs = [OTProblems.structuredCost(frames: n, clusters: k, seed: n).float32,
                     OTProblems.uniformCost(frames: n, clusters: k, seed: n).float32]
        let masks = real.map { OTProblems.mask(frames: n, real: $0) }
        let settings = Self.settings(marginals)
        let reference = Reference.solveASOT(ASOTBatch(costs: costs.map(\.float64), masks: masks), settings: settings)
        let optimized = Optimized.solveASOT(ASOTBatch(costs: costs, masks: masks), settings: settings)
        #expect(reference.count == 2 && optimized.count == 2)
        for b in 0..<2 {
            Self.expectAgreement(reference: reference[b], optimized: optimized[b], mask: masks[b],
                                 "\(marginals) N \(n) K \(k) item \(b) (\(real[b]) real)")
            for i in real[b]..<n { #expect(optimized[b].plan.row(i).allSatisfy { $0 == 0 }) }
        }
    }
}
