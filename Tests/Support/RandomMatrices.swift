import CLOTCore

/// Seeded random matrices for tests (never `SystemRandomNumberGenerator`: a failure must replay).
public enum RandomMatrix {
    /// Independent N(0, scale²) entries, row-major, from `generator`.
    public static func gaussian(_ rows: Int, _ columns: Int, scale: Double = 1,
                                using generator: inout MersenneTwister) -> Matrix<Double> {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in scale * generator.gaussian() })
    }

    /// Independent uniform entries in [low, high), row-major, from `generator`.
    public static func uniform(_ rows: Int, _ columns: Int, in range: Range<Double> = 0..<1,
                               using generator: inout MersenneTwister) -> Matrix<Double> {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in
            range.lowerBound + (range.upperBound - range.lowerBound) * generator.uniform()
        })
    }

    /// `rows` random rows of a probability table (positive entries, each row summing to 1).
    public static func stochastic(_ rows: Int, _ columns: Int, using generator: inout MersenneTwister) -> Matrix<Double> {
        var m = uniform(rows, columns, in: 0.05..<1, using: &generator)
        for r in 0..<rows {
            let total = m.row(r).reduce(0, +)
            for c in 0..<columns { m[r, c] /= total }
        }
        return m
    }
}

extension Matrix where Scalar == Double {
    /// Rounded to Float and widened back: the exact input an Optimized (Float32) call sees, so a
    /// Reference run on it measures arithmetic differences only.
    public var roundedToFloat: Matrix<Double> { map { Double(Float($0)) } }
}

/// max |test − reference| / max |reference| (0 when both vanish): a norm-wise relative error
/// of a Float32 result against a Double reference. Unlike an entry-wise relative error it
/// does not blow up on entries that are near zero by cancellation, whose absolute error is
/// set by the scale of the whole result.
public func scaledMaxError(_ test: [Float], _ reference: [Double]) -> Double {
    scaledMaxError(test.map { Double($0) }, reference, floor: Double(Float.leastNormalMagnitude))
}

/// `scaledMaxError` of a Double result against a Double reference.
public func scaledMaxError(_ test: [Double], _ reference: [Double]) -> Double {
    scaledMaxError(test, reference, floor: Double.leastNormalMagnitude)
}

private func scaledMaxError(_ test: [Double], _ reference: [Double], floor: Double) -> Double {
    precondition(test.count == reference.count, "lengths differ: \(test.count) vs \(reference.count)")
    var worst = 0.0, scale = 0.0
    for (t, r) in zip(test, reference) {
        worst = max(worst, abs(t - r))
        scale = max(scale, abs(r))
    }
    if worst == 0 { return 0 }
    return worst / max(scale, floor)
}

/// `scaledMaxError` of two matrices of the same shape.
public func scaledMaxError(_ test: Matrix<Float>, _ reference: Matrix<Double>) -> Double {
    precondition(test.rows == reference.rows && test.columns == reference.columns,
                 "shapes differ: \(test.rows)×\(test.columns) vs \(reference.rows)×\(reference.columns)")
    return scaledMaxError(test.elements, reference.elements)
}
