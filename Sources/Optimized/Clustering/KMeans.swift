import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// The result of k-means (shared type), in Float.
    public typealias KMeansResult = CLOTCore.KMeansResult<Float>

    /// `Reference.kMeans` in Float32: the same greedy k-means++ seeding, drawing the same
    /// random numbers in the same order, and Lloyd iterations whose point-to-centre distances
    /// come from one sgemm per iteration (‖x‖² + ‖c‖² − 2 X Cᵀ).
    ///
    /// Postconditions and Edge Cases: those of `Reference.kMeans`, the distances to Float
    /// rounding (so a near-tie may pick the other centre).
    public static func kMeans(_ x: Matrix<Float>, clusters k: Int, maxIterations: Int = 300, tolerance: Double = 1e-4,
                              using generator: inout MersenneTwister) -> KMeansResult {
        precondition(k >= 1 && x.rows >= k, "k-means needs at least K points")
        let n = x.rows, d = x.columns
        let norms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + x[i, $1] * x[i, $1] } }
        var centers = kMeansPlusPlus(x, clusters: k, using: &generator)
        let threshold = tolerance * meanVariance(x)
        var assignments = [Int](repeating: 0, count: n)
        var distances = [Float](repeating: 0, count: n * k)
        var iterations = 0
        for iteration in 1...max(maxIterations, 1) {
            iterations = iteration
            assign(x, norms, centers, &distances, &assignments)
            let updated = means(x, assignments: assignments, previous: centers)
            var shift = 0.0
            for e in centers.elements.indices { shift += Double((updated.elements[e] - centers.elements[e]) * (updated.elements[e] - centers.elements[e])) }
            centers = updated
            if shift <= threshold { break }
        }
        let inertia = assign(x, norms, centers, &distances, &assignments)
        return KMeansResult(centers: centers, assignments: assignments, inertia: inertia, iterations: iterations)
    }

    /// Nearest centre of every point from one sgemm; returns the total squared distance.
    @discardableResult
    static func assign(_ x: Matrix<Float>, _ norms: [Float], _ centers: Matrix<Float>, _ distances: inout [Float], _ assignments: inout [Int]) -> Double {
        let n = x.rows, d = x.columns, k = centers.rows
        precondition(distances.count == n * k && centers.columns == d)
        gemm(transposeB: true, m: n, n: k, k: d, alpha: -2, x.elements, lda: d, centers.elements, ldb: d, &distances, ldc: k)
        let centerNorms = (0..<k).map { c in (0..<d).reduce(Float(0)) { $0 + centers[c, $1] * centers[c, $1] } }
        var inertia = 0.0
        for i in 0..<n {
            var best = 0, bestDistance = Float.infinity
            for c in 0..<k {
                let value = max(0, norms[i] + centerNorms[c] + distances[i * k + c])
                if value < bestDistance { (best, bestDistance) = (c, value) }
            }
            assignments[i] = best
            inertia += Double(bestDistance)
        }
        return inertia
    }

    static func kMeansPlusPlus(_ x: Matrix<Float>, clusters k: Int, using g: inout MersenneTwister) -> Matrix<Float> {
        let n = x.rows
        let trials = 2 + Int(log(Double(k)))
        var chosen = [g.integer(in: 0..<n)]
        var closest = (0..<n).map { squaredDistance(x, $0, chosen[0]) }
        for _ in 1..<k {
            let potential = closest.reduce(0, +)
            var best = -1, bestPotential = Double.infinity, bestDistances: [Double] = []
            for _ in 0..<trials {
                let candidate = sampleProportional(closest, total: potential, u: g.uniform())
                let distances = (0..<n).map { min(closest[$0], squaredDistance(x, $0, candidate)) }
                let total = distances.reduce(0, +)
                if total < bestPotential { (best, bestPotential, bestDistances) = (candidate, total, distances) }
            }
            chosen.append(best)
            closest = bestDistances
        }
        return x.selectingRows(chosen)
    }


    static func squaredDistance(_ x: Matrix<Float>, _ i: Int, _ j: Int) -> Double {
        var sum: Float = 0
        for d in 0..<x.columns { sum += (x[i, d] - x[j, d]) * (x[i, d] - x[j, d]) }
        return Double(sum)
    }

    static func means(_ x: Matrix<Float>, assignments: [Int], previous: Matrix<Float>) -> Matrix<Float> {
        var sums = Matrix<Double>.zeros(previous.rows, x.columns)
        var counts = [Int](repeating: 0, count: previous.rows)
        for i in 0..<x.rows {
            counts[assignments[i]] += 1
            for d in 0..<x.columns { sums[assignments[i], d] += Double(x[i, d]) }
        }
        var out = previous
        for c in 0..<previous.rows where counts[c] > 0 {
            for d in 0..<x.columns { out[c, d] = Float(sums[c, d] / Double(counts[c])) }
        }
        return out
    }

    static func meanVariance(_ x: Matrix<Float>) -> Double {
        var total = 0.0
        for d in 0..<x.columns {
            var mean = 0.0
            for i in 0..<x.rows { mean += Double(x[i, d]) }
            mean /= Double(x.rows)
            var variance = 0.0
            for i in 0..<x.rows { variance += (Double(x[i, d]) - mean) * (Double(x[i, d]) - mean) }
            total += variance / Double(x.rows)
        }
        return total / Double(x.columns)
    }
}
