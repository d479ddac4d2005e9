import CLOTCore

extension Reference {
    /// The result of k-means (shared type), in Double.
    public typealias KMeansResult = CLOTCore.KMeansResult<Double>

    /// k-means as scikit-learn's `KMeans(n_clusters=K)` runs it by default (Documentation/Method.md §5, the
    /// official initialisation of the action embeddings): greedy k-means++ seeding
    /// [Arthur & Vassilvitskii 2007] with 2 + ⌊ln K⌋ candidates per centre, then Lloyd
    /// iterations until the squared centre shift is at most `tolerance` × the mean per-feature
    /// variance of the data (sklearn's relative tol), at most `maxIterations` times; one run.
    /// An emptied cluster keeps its previous centre. Draws come from `generator`.
    ///
    /// [Arthur & Vassilvitskii 2007]: https://dl.acm.org/doi/10.5555/1283383.1283494
    /// - Complexity: O(iterations · N · K · D).
    public static func kMeans(_ x: Matrix<Double>, clusters k: Int, maxIterations: Int = 300, tolerance: Double = 1e-4,
                              using generator: inout MersenneTwister) -> KMeansResult {
        precondition(k >= 1 && x.rows >= k, "k-means needs at least K points")
        var centers = kMeansPlusPlus(x, clusters: k, using: &generator)
        let threshold = tolerance * meanVariance(x)
        var assignments = [Int](repeating: 0, count: x.rows)
        var iterations = 0
        for iteration in 1...max(maxIterations, 1) {
            iterations = iteration
            for i in 0..<x.rows { assignments[i] = nearest(x, i, centers).index }
            let updated = means(x, assignments: assignments, previous: centers)
            var shift = 0.0
            for e in centers.elements.indices { shift += (updated.elements[e] - centers.elements[e]) * (updated.elements[e] - centers.elements[e]) }
            centers = updated
            if shift <= threshold { break }
        }
        var inertia = 0.0
        for i in 0..<x.rows {
            let (index, distance) = nearest(x, i, centers)
            assignments[i] = index
            inertia += distance
        }
        return KMeansResult(centers: centers, assignments: assignments, inertia: inertia, iterations: iterations)
    }

    /// Greedy k-means++: the first centre uniformly, each next one the best (lowest total
    /// potential) of 2 + ⌊ln K⌋ candidates drawn with probability ∝ squared distance.
    static func kMeansPlusPlus(_ x: Matrix<Double>, clusters k: Int, using g: inout MersenneTwister) -> Matrix<Double> {
        let n = x.rows
        let trials = 2 + Int(log(Double(k)))
        var chosen = [g.integer(in: 0..<n)]
        var closest = (0..<n).map { squaredDistance(x, $0, x, chosen[0]) }
        for _ in 1..<k {
            let potential = closest.reduce(0, +)
            var best = -1, bestPotential = Double.infinity, bestDistances: [Double] = []
            for _ in 0..<trials {
                let candidate = sampleProportional(closest, total: potential, u: g.uniform())
                let distances = (0..<n).map { min(closest[$0], squaredDistance(x, $0, x, candidate)) }
                let total = distances.reduce(0, +)
                if total < bestPotential {
                    (best, bestPotential, bestDistances) = (candidate, total, distances)
                }
            }
            chosen.append(best)
            closest = bestDistances
        }
        return x.selectingRows(chosen)
    }


    static func squaredDistance(_ a: Matrix<Double>, _ i: Int, _ b: Matrix<Double>, _ j: Int) -> Double {
        var sum = 0.0
        for d in 0..<a.columns { sum += (a[i, d] - b[j, d]) * (a[i, d] - b[j, d]) }
        return sum
    }

    static func nearest(_ x: Matrix<Double>, _ i: Int, _ centers: Matrix<Double>) -> (index: Int, distance: Double) {
        var best = 0, bestDistance = Double.infinity
        for c in 0..<centers.rows {
            let d = squaredDistance(x, i, centers, c)
            if d < bestDistance { (best, bestDistance) = (c, d) }
        }
        return (best, bestDistance)
    }

    static func means(_ x: Matrix<Double>, assignments: [Int], previous: Matrix<Double>) -> Matrix<Double> {
        var sums = Matrix<Double>.zeros(previous.rows, x.columns)
        var counts = [Int](repeating: 0, count: previous.rows)
        for i in 0..<x.rows {
            counts[assignments[i]] += 1
            for d in 0..<x.columns { sums[assignments[i], d] += x[i, d] }
        }
        for c in 0..<previous.rows {
            for d in 0..<x.columns {
                sums[c, d] = counts[c] > 0 ? sums[c, d] / Double(counts[c]) : previous[c, d]
            }
        }
        return sums
    }

    static func meanVariance(_ x: Matrix<Double>) -> Double {
        var total = 0.0
        for d in 0..<x.columns {
            var mean = 0.0
            for i in 0..<x.rows { mean += x[i, d] }
            mean /= Double(x.rows)
            var variance = 0.0
            for i in 0..<x.rows { variance += (x[i, d] - mean) * (x[i, d] - mean) }
            total += variance / Double(x.rows)
        }
        return total / Double(x.columns)
    }
}
