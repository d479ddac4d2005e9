/// The index drawn by inverse-CDF sampling from non-negative `weights` for a uniform `u` in
/// [0, 1): the first index whose cumulative weight reaches u·total (NumPy's
/// `searchsorted(cumsum(w), u·total)`, as scikit-learn's k-means++ draws its candidates).
/// Zero-weight entries are never returned while any weight is positive.
public func sampleProportional(_ weights: [Double], total: Double, u: Double) -> Int {
    let target = u * total
    var cumulative = 0.0
    for (i, w) in weights.enumerated() {
        cumulative += w
        if cumulative >= target && w > 0 { return i }
    }
    return weights.lastIndex { $0 > 0 } ?? 0
}
