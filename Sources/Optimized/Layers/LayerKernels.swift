import CBLAS
#if canImport(Glibc)
import Glibc
#endif

// Kernels shared by the Optimized layers: a bounds-checked sgemm, column sums and a row
// softmax on the 8-lane exp. Every C call is preceded by a precondition on the extents it will
// touch (blas-recipe §8.3: a count past the buffer is a segfault inside libopenblas).

/// C ← α·op(A)·op(B) + β·C, row-major, op(A) m × k, op(B) k × n, C m × n with leading
/// dimensions lda, ldb, ldc (so a sub-block of a wider matrix — one attention head's columns —
/// is passed by offsetting the buffer and keeping the wide leading dimension, with no copy).
@inline(__always)
func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
          _ a: UnsafeBufferPointer<Float>, lda: Int, _ b: UnsafeBufferPointer<Float>, ldb: Int,
          beta: Float = 0, _ c: UnsafeMutableBufferPointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "negative gemm dimension")
    guard m > 0 && n > 0 else { return }
    precondition(ldc >= n && c.count >= (m - 1) * ldc + n, "gemm: C buffer too small")
    guard k > 0 else {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
    let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
    precondition(lda >= aColumns && a.count >= (aRows - 1) * lda + aColumns, "gemm: A buffer too small")
    precondition(ldb >= bColumns && b.count >= (bRows - 1) * ldb + bColumns, "gemm: B buffer too small")
    precondition(max(m, n, k, lda, ldb, ldc) <= Int(Int32.max), "gemm dimension exceeds 32 bits")
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a.baseAddress, Int32(lda), b.baseAddress, Int32(ldb),
                beta, c.baseAddress, Int32(ldc))
}

extension UnsafeBufferPointer where Element == Float {
    /// The buffer from `offset` to its end.
    @inline(__always)
    func from(_ offset: Int) -> UnsafeBufferPointer<Float> { UnsafeBufferPointer(rebasing: self[offset...]) }
}

extension UnsafeMutableBufferPointer where Element == Float {
    /// The buffer from `offset` to its end.
    @inline(__always)
    func from(_ offset: Int) -> UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(rebasing: self[offset...]) }
    @inline(__always)
    var readOnly: UnsafeBufferPointer<Float> { UnsafeBufferPointer(self) }
}

/// out[c] = Σ_r x[r·columns + c] (bias gradients).
@inline(__always)
func columnSums(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> [Float] {
    precondition(x.count >= rows * columns, "column sums: buffer too small")
    var out = [Float](repeating: 0, count: columns)
    out.withUnsafeMutableBufferPointer { o in
        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns { o[c] += x[base + c] }
        }
    }
    return out
}

/// Fills each of `rows` rows of `out` (width `columns`) with `bias` (the β = 1 start of y = x Wᵀ + b).
@inline(__always)
func fillRows(_ out: UnsafeMutableBufferPointer<Float>, with bias: UnsafeBufferPointer<Float>, rows: Int, columns: Int) {
    precondition(out.count >= rows * columns && bias.count >= columns, "fill rows: buffer too small")
    for r in 0..<rows {
        let base = r * columns
        for c in 0..<columns { out[base + c] = bias[c] }
    }
}

/// x ← softmax(x · scale) over one row of n entries, in place; −∞ entries (masked keys) get 0.
/// Returns false, leaving zeros, when every entry is −∞. exp runs 8 lanes at a time (`vexp`).
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count n: Int, scale: Float) -> Bool {
    var largest = -Float.infinity
    for j in 0..<n { largest = max(largest, row[j] * scale) }
    guard largest > -Float.infinity else {
        for j in 0..<n { row[j] = 0 }
        return false
    }
    var lanes = Float8(repeating: 0)
    var j = 0
    let raw = UnsafeMutableRawPointer(row)
    while j + 8 <= n {
        let x = raw.advanced(by: j * 4).loadUnaligned(as: Float8.self)
        let e = vexp(x * scale - largest)
        raw.advanced(by: j * 4).storeBytes(of: e, as: Float8.self)
        lanes += e
        j += 8
    }
    var total: Float = 0
    for lane in 0..<8 { total += lanes[lane] }
    while j < n {
        let e = expf(row[j] * scale - largest)
        row[j] = e
        total += e
        j += 1
    }
    let inverse = 1 / total
    for j in 0..<n { row[j] *= inverse }
    return true
}

/// dz ← p ⊙ (dz − ⟨p, dz⟩) · scale over one row (the softmax Jacobian, in place on ∂L/∂P).
@inline(__always)
func softmaxBackwardRow(_ p: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, count n: Int, scale: Float) {
    var dot: Float = 0
    for j in 0..<n { dot += p[j] * dz[j] }
    for j in 0..<n { dz[j] = p[j] * (dz[j] - dot) * scale }
}
