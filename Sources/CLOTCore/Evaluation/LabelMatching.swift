/// The one-to-one map from predicted cluster ids to ground-truth classes that the
/// evaluation scores against (Documentation/Method.md §6).
public struct LabelMatching: Equatable, Sendable, Codable {
    /// Matched (predicted id, ground-truth id) pairs, sorted by predicted id as SciPy returns them.
    public var pairs: [Pair]

    public struct Pair: Equatable, Sendable, Codable {
        public var predicted: Int
        public var groundTruth: Int
        public init(predicted: Int, groundTruth: Int) {
            self.predicted = predicted
            self.groundTruth = groundTruth
        }
    }

    public init(pairs: [Pair]) { self.pairs = pairs }

    /// Hungarian matching that maximises the frame overlap between predicted ids and GT ids,
    /// over the ids present (rectangular: unmatched ids on the larger side are left out).
    ///
    /// Rows are the sorted distinct predicted ids and columns the sorted distinct GT ids, as
    /// the official `pred_to_gt_match` builds them, so ties resolve the same way.
    public init(predicted: [Int], groundTruth: [Int]) {
        precondition(predicted.count == groundTruth.count, "label sequences differ in length")
        let predIds = Array(Set(predicted)).sorted()
        let gtIds = Array(Set(groundTruth)).sorted()
        let predIndex = Dictionary(uniqueKeysWithValues: predIds.enumerated().map { ($1, $0) })
        let gtIndex = Dictionary(uniqueKeysWithValues: gtIds.enumerated().map { ($1, $0) })
        var overlap = Matrix<Double>.zeros(predIds.count, gtIds.count)
        for (p, g) in zip(predicted, groundTruth) {
            overlap[predIndex[p]!, gtIndex[g]!] += 1
        }
        let (rows, columns) = LinearAssignment.solve(overlap, maximize: true)
        pairs = zip(rows, columns).map { Pair(predicted: predIds[$0], groundTruth: gtIds[$1]) }
    }

    /// The predicted id matched to a GT class, if any.
    public func predicted(forGroundTruth gt: Int) -> Int? {
        pairs.first { $0.groundTruth == gt }?.predicted
    }

    /// The GT class a predicted id is matched to, if any.
    public func groundTruth(forPredicted p: Int) -> Int? {
        pairs.first { $0.predicted == p }?.groundTruth
    }
}
