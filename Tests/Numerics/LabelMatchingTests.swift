import CLOTCore
import Testing
import TestSupport

/// `LabelMatching`: the Hungarian matching of predicted ids to GT ids.
@Suite struct LabelMatchingTests {
    @Test("pairs are sorted by predicted id and one-to-one", arguments: 0..<20)
    func oneToOne(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        let n = 40
        let gt = (0..<n).map { _ in generator.integer(in: 0..<5) }
        let pred = (0..<n).map { _ in 10 * generator.integer(in: 0..<7) - 20 }
        let matching = LabelMatching(predicted: pred, groundTruth: gt)
        let p = matching.pairs.map(\.predicted), g = matching.pairs.map(\.groundTruth)
        #expect(p == p.sorted() && Set(p).count == p.count)
        #expect(Set(g).count == g.count)
        #expect(matching.pairs.count == min(Set(pred).count, Set(gt).count))
        #expect(Set(p).isSubset(of: Set(pred)) && Set(g).isSubset(of: Set(gt)))
    }

    @Test("the matching maximises overlap (MoF equals the brute-force best)", arguments: 0..<20)
    func maximisesOverlap(seed: Int) {
        var generator = MersenneTwister(seed: seed)
        let n = 30
        let gt = (0..<n).map { _ in generator.integer(in: 0..<4) }
        let pred = (0..<n).map { _ in generator.integer(in: 0..<4) }
        let matching = LabelMatching(predicted: pred, groundTruth: gt)
        let correct = zip(pred, gt).filter { matching.groundTruth(forPredicted: $0.0) == $0.1 }.count
        // Brute force over every injective map of the (≤ 4) predicted ids into the GT ids.
        let predIds = Array(Set(pred)).sorted(), gtIds = Array(Set(gt)).sorted()
        var best = 0
        func extend(_ i: Int, _ assigned: [Int: Int]) {
            if i == predIds.count {
                best = max(best, zip(pred, gt).filter { assigned[$0.0] == $0.1 }.count)
                return
            }
            extend(i + 1, assigned)   // leave predIds[i] unmatched
            for g in gtIds where !assigned.values.contains(g) {
                var next = assigned
                next[predIds[i]] = g
                extend(i + 1, next)
            }
        }
        extend(0, [:])
        #expect(correct == best)
    }
}
