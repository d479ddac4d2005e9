/// Random directions for sliced Wasserstein: `count` rows drawn uniformly on the unit sphere
/// S^{d−1} (Gaussian vectors, normalised), from the project's seeded generator, so a slice
/// set is reproducible from its seed and both implementations see the same directions.
///
/// Row by row: `dimension` Gaussians, redrawn while their squared norm is 0, then divided by
/// the norm. All `count · dimension` Gaussians are drawn in one `fillGaussians` (the same values
/// as one `gaussian()` at a time) and the row norms accumulated eight rows at a time (each
/// row's sum in column order, as one row at a time); a zero-norm row, which needs a redraw
/// right after it, sends the generator back to its start and the row-by-row draw.
public func randomSphereDirections(count: Int, dimension: Int, using generator: inout MersenneTwister) -> Matrix<Double> {
    precondition(count >= 1 && dimension >= 1)
    let start = generator
    var elements = [Double](repeating: 0, count: count * dimension)
    let bulk = elements.withUnsafeMutableBufferPointer { e -> Bool in
        generator.fillGaussians(e)
        let base = e.baseAddress!
        var norms = [Double](repeating: 0, count: count)
        norms.withUnsafeMutableBufferPointer { normsPointer in
            var l = 0
            while l + 8 <= count {
                var sums = SIMD8<Double>(repeating: 0)
                for j in 0..<dimension {
                    var g = SIMD8<Double>()
                    for lane in 0..<8 { g[lane] = base[(l + lane) * dimension + j] }
                    sums += g * g
                }
                for lane in 0..<8 { normsPointer[l + lane] = sums[lane] }
                l += 8
            }
            while l < count {
                var sum = 0.0
                for j in 0..<dimension { sum += base[l * dimension + j] * base[l * dimension + j] }
                normsPointer[l] = sum
                l += 1
            }
        }
        for l in 0..<count where norms[l] == 0 { return false }
        for l in 0..<count {
            let norm = norms[l].squareRoot()
            for j in 0..<dimension { base[l * dimension + j] /= norm }
        }
        return true
    }
    if bulk { return Matrix(rows: count, columns: dimension, elements: elements) }
    generator = start
    return rowByRowSphereDirections(count: count, dimension: dimension, using: &generator)
}

/// The row-by-row draw `randomSphereDirections` stands for (and falls back to).
func rowByRowSphereDirections(count: Int, dimension: Int, using generator: inout MersenneTwister) -> Matrix<Double> {
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
