/// Random directions for sliced Wasserstein: `count` rows drawn uniformly on the unit sphere
/// S^{d−1} (Gaussian vectors, normalised), from the project's seeded generator, so a slice
/// set is reproducible from its seed and both implementations see the same directions.
public func randomSphereDirections(count: Int, dimension: Int, using generator: inout MersenneTwister) -> Matrix<Double> {
    precondition(count >= 1 && dimension >= 1)
    var directions = Matrix<Double>.zeros(count, dimension)
    for l in 0..<count {
        var norm = 0.0
        repeat {
            norm = 0
            for j in 0..<dimension {
                let g = generator.gaussian()
                directions[l, j] = g
                norm += g * g
            }
        } while norm == 0
        norm = norm.squareRoot()
        for j in 0..<dimension { directions[l, j] /= norm }
    }
    return directions
}
