import CLOTCore
import Optimized
import Reference

/// Sliced Wasserstein on either implementation, Double at the boundary (the optimized one
/// projects in Float32 and sorts and sums in Double).
extension Implementation {
    /// SW_p(μ, ν) = ((1/L) Σ_l W_p^p(θ_l#μ, θ_l#ν))^{1/p} (CLOT Eq. 8–9), uniform weights.
    public func slicedWasserstein(_ x: Matrix<Double>, _ y: Matrix<Double>, directions: Matrix<Double>, p: Double = 2) -> Double {
        switch self {
        case .reference: Reference.slicedWasserstein(x, y, directions: directions, p: p)
        case .optimized: Optimized.slicedWasserstein(x.float32, y.float32, directions: directions.float32, p: p)
        }
    }

    /// The frame-to-cluster sliced cost matrix of the released `gsw.py` (CLOT Eq. 10), N × M.
    public func slicedCostMatrix(frames x: Matrix<Double>, clusters y: Matrix<Double>, directions: Matrix<Double>,
                                 radius: Double = 2, sorted: Bool = true) -> Matrix<Double> {
        switch self {
        case .reference:
            Reference.slicedCostMatrix(frames: x, clusters: y, directions: directions, radius: radius, sorted: sorted)
        case .optimized:
            Optimized.slicedCostMatrix(frames: x.float32, clusters: y.float32, directions: directions.float32,
                                       radius: Float(radius), sorted: sorted).float64
        }
    }
}
