import CLOTCore
import Implementations
import Optimized
import Reference
import Testing
import TestSupport

@Suite("k-means")
struct KMeansTests {
    /// K well-separated Gaussian blobs (centres 10 apart, unit noise).
    func blobs(k: Int, perCluster: Int, d: Int, seed: UInt32) -> (Matrix<Double>, [Int]) {
        var g = MersenneTwister(seed: seed)
        let centres = (0..<k).map { _ in (0..<d).map { _ in 10 * g.gaussian() } }
        var rows: [[Double]] = [], labels: [Int] = []
        for c in 0..<k {
            for _ in 0..<perCluster {
                rows.append(centres[c].map { $0 + 0.3 * g.gaussian() })
                labels.append(c)
            }
        }
        return (Matrix(rows), labels)
    }

    /// Same partition up to renaming: every found cluster holds exactly one true cluster.
    func samePartition(_ a: [Int], _ b: [Int]) -> Bool {
        var map: [Int: Int] = [:]
        for (x, y) in zip(a, b) {
            if let m = map[x], m != y { return false }
            map[x] = y
        }
        return Set(map.values).count == map.count
    }

    @Test("recovers separated blobs (Reference and Optimized)", arguments: 0..<5)
    func recoversBlobs(seed: UInt32) {
        let (x, labels) = blobs(k: 5, perCluster: 40, d: 6, seed: seed)
        var g1 = MersenneTwister(seed: seed), g2 = MersenneTwister(seed: seed)
        let reference = Reference.kMeans(x, clusters: 5, using: &g1)
        let optimized = Optimized.kMeans(x.float32, clusters: 5, using: &g2)
        #expect(samePartition(reference.assignments, labels))
        #expect(samePartition(optimized.assignments, labels))
        #expect(reference.assignments == optimized.assignments, "same draws, same seeding")
        #expect(reference.centers.maxAbsDifference(optimized.centers.float64) < Tolerance.float32)
    }

    /// Centres are means of ~30 points of size ~10: Double rounding well inside
    /// `Tolerance.rounding`, Float32 sums inside `Tolerance.floatSum`, relative to the size.
    /// The inertia: Double sums of 120 squares well inside `Tolerance.double` relative; the
    /// Optimized distances come from the expanded square ‖x‖² + ‖c‖² − 2x·c in Float32, whose
    /// terms (~400) cancel to distances of ~0.4, so each carries ~400·ε_f ≈ 5e-5 absolute
    /// error, 1e-4 of itself: `Tolerance.visible` relative bounds the sum.
    @Test("at convergence every centre is the mean of its points, and inertia is their squared distance",
          arguments: Implementation.allCases)
    func fixedPoint(_ implementation: Implementation) {
        let (x, _) = blobs(k: 3, perCluster: 30, d: 4, seed: 11)
        var g = MersenneTwister(seed: 1)
        let result = implementation.kMeans(x, clusters: 3, tolerance: 0, using: &g)
        let meanTolerance = Tolerance.of(implementation, reference: Tolerance.rounding, optimized: Tolerance.floatSum)
        let inertiaTolerance = Tolerance.of(implementation, reference: Tolerance.double, optimized: Tolerance.visible)
        var inertia = 0.0
        for c in 0..<3 {
            let members = (0..<x.rows).filter { result.assignments[$0] == c }
            #expect(!members.isEmpty)
            for d in 0..<4 {
                let mean = members.reduce(0.0) { $0 + x[$1, d] } / Double(members.count)
                expectClose(result.centers[c, d], mean, tolerance: meanTolerance * max(1, abs(mean)), "\(implementation)")
            }
            for i in members { for d in 0..<4 { inertia += (x[i, d] - result.centers[c, d]) * (x[i, d] - result.centers[c, d]) } }
        }
        expectClose(result.inertia, inertia, tolerance: inertiaTolerance * inertia, "\(implementation)")
    }

    @Test("same seed, same result; k-means++ never picks a duplicate point as a second centre",
          arguments: Implementation.allCases)
    func deterministic(_ implementation: Implementation) {
        let (x, _) = blobs(k: 4, perCluster: 25, d: 3, seed: 2)
        var a = MersenneTwister(seed: 5), b = MersenneTwister(seed: 5)
        let r1 = implementation.kMeans(x, clusters: 4, using: &a), r2 = implementation.kMeans(x, clusters: 4, using: &b)
        #expect(r1.centers == r2.centers && r1.assignments == r2.assignments)
        var duplicated = Matrix<Double>(Array(repeating: [1.0, 1.0], count: 10) + [[5.0, 5.0]])
        duplicated[0, 0] = 1
        var g = MersenneTwister(seed: 0)
        let two = implementation.kMeans(duplicated, clusters: 2, using: &g)
        #expect(Set(two.centers.nestedRows).count == 2)
    }
}
