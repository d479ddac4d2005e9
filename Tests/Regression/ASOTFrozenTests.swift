import CLOTCore
import Foundation
import Implementations
import Testing
import TestSupport

/// Frozen results of this project's own solver on fixed-seed problems
/// (`fixtures/frozen/asot_frozen.json`): labels, a weighted checksum of the plan and the final
/// objective, for both backends and every marginal mode, so that any change to the solver's
/// numbers shows up here even where no official golden exists.
///
/// Regenerate deliberately, after a change that is meant to move the numbers, with
/// `CLOT_UPDATE_FROZEN=1 swift test --filter ASOTFrozen`, and say why in the commit.
struct FrozenCase: Codable, Equatable {
    var name: String, seed: UInt32, frames: Int, clusters: Int
    var marginals: ASOTSettings.Marginals, epsilon: Double, backend: Implementation
    var labels: [Int]
    /// Σ_ij T_ij (i + 1)(j + 1) / N: moves with any entry of the plan.
    var checksum: Double
    var finalObjective: Double
}

private let frozenPath = fixturesDirectory + "/frozen/asot_frozen.json"

private func frozenCases() -> [FrozenCase] {
    var cases: [FrozenCase] = []
    let sizes = [(97, 5), (160, 8)]
    for (index, marginals) in ASOTSettings.Marginals.allCases.enumerated() {
        for (sizeIndex, (n, k)) in sizes.enumerated() {
            let seed = UInt32(100 + 10 * index + sizeIndex)
            let problem = StructuredProblem(frames: n, clusters: k, seed: seed)
            var settings = ASOTSettings()
            settings.marginals = marginals
            settings.epsilon = 0.05
            for backend in [Implementation.reference, .optimized] {   // the fixture's order
                let s = backend.solveASOT(cost: problem.cost, settings: settings)
                let (plan, objective) = (s.plan, s.objectiveTrace.last!)
                var checksum = 0.0
                for i in 0..<n { for j in 0..<k { checksum += plan[i, j] * Double((i + 1) * (j + 1)) } }
                cases.append(FrozenCase(name: "\(marginals.rawValue)-\(n)x\(k)-\(backend)", seed: seed, frames: n, clusters: k,
                                        marginals: marginals, epsilon: settings.epsilon, backend: backend,
                                        labels: plan.rowArgmax(), checksum: checksum / Double(n), finalObjective: objective))
            }
        }
    }
    return cases
}

@Suite("ASOT frozen fixture results")
struct ASOTFrozenTests {
    /// Reference (Double, no BLAS, fixed summation order) must repeat to `Tolerance.double`
    /// (1e-10) relative; Optimized (Float32) to `Tolerance.floatSum` (1e-5) relative, which
    /// allows a different but IEEE-conforming libm on another machine while still catching any
    /// change to the algorithm. (On this machine both repeat bit for bit.)
    @Test("solver output equals the frozen results")
    func matchesFrozen() throws {
        let current = frozenCases()
        if ProcessInfo.processInfo.environment["CLOT_UPDATE_FROZEN"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileSystem.writeAtomically(Array(try encoder.encode(current)), to: frozenPath)
        }
        let frozen = try JSONDecoder().decode([FrozenCase].self, from: Data(contentsOf: URL(fileURLWithPath: frozenPath)))
        #expect(frozen.count == current.count)
        for (mine, stored) in zip(current, frozen) {
            #expect(mine.name == stored.name)
            #expect(mine.labels == stored.labels, "\(mine.name) labels changed")
            let tolerance = Tolerance.of(mine.backend, reference: Tolerance.double, optimized: Tolerance.floatSum)
            #expect(abs(mine.checksum - stored.checksum) <= tolerance * abs(stored.checksum), "\(mine.name) checksum \(mine.checksum) vs \(stored.checksum)")
            #expect(abs(mine.finalObjective - stored.finalObjective) <= tolerance * max(1, abs(stored.finalObjective)),
                    "\(mine.name) objective \(mine.finalObjective) vs \(stored.finalObjective)")
        }
    }
}
