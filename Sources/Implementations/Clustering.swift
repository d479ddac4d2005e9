import CLOTCore
import Optimized
import Reference

/// k-means on either implementation, Double at the boundary.
extension Implementation {
    /// k-means++ seeding then Lloyd iterations (the actions' initialisation), from `generator`.
    public func kMeans(_ x: Matrix<Double>, clusters k: Int, maxIterations: Int = 300, tolerance: Double = 1e-4,
                       using generator: inout MersenneTwister) -> KMeansResult<Double> {
        switch self {
        case .reference:
            return Reference.kMeans(x, clusters: k, maxIterations: maxIterations, tolerance: tolerance, using: &generator)
        case .optimized:
            let r = Optimized.kMeans(x.float32, clusters: k, maxIterations: maxIterations, tolerance: tolerance, using: &generator)
            return KMeansResult(centers: r.centers.float64, assignments: r.assignments, inertia: r.inertia, iterations: r.iterations)
        }
    }
}
