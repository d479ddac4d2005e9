import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

// Kernels shared by the Optimized layers: column sums, row dot products and a row softmax on
// the 8-lane exp (the matrix product is `gemm`, in Kernels/GEMM.swift).

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

/// out[c] = Σ_r x[r·columns + c] (bias gradients): each column summed from 0 in row order, eight
/// columns side by side in one register.
@inline(__always)
func columnSums(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> [Float] {
    precondition(x.count >= rows * columns, "column sums: buffer too small")
    var out = [Float](repeating: 0, count: columns)
    guard rows > 0 else { return out }
    out.withUnsafeMutableBufferPointer { o in
        let raw = UnsafeRawPointer(x.baseAddress!), target = UnsafeMutableRawPointer(o.baseAddress!)
        var c = 0
        while c + 8 <= columns {
            var sum = SIMD8<Float>()
            for r in 0..<rows { sum += raw.loadUnaligned(fromByteOffset: 4 * (r * columns + c), as: SIMD8<Float>.self) }
            target.storeBytes(of: sum, toByteOffset: 4 * c, as: SIMD8<Float>.self)
            c += 8
        }
        while c < columns {
            var sum: Float = 0
            for r in 0..<rows { sum += x[r * columns + c] }
            o[c] = sum
            c += 1
        }
    }
    return out
}

/// out[r] = Σ_j a[r·lda + j]·b[r·ldb + j] for r in 0..<rows: each row's products summed from 0 in
/// column order, as a scalar loop sums them, but eight rows side by side in the lanes (products
/// taken eight columns at a time and moved into the lanes by an 8 × 8 register transpose), so
/// eight independent sums run instead of one long dependency chain.
func rowDots(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, rows: Int, count n: Int,
             into out: UnsafeMutablePointer<Float>) {
    typealias F8 = SIMD8<Float>
    var r0 = 0
    while r0 < rows {
        let count = min(8, rows - r0)
        // Rows past the end repeat the last row (computed, never stored).
        var aRows = (a, a, a, a, a, a, a, a), bRows = (b, b, b, b, b, b, b, b)
        withUnsafeMutableBytes(of: &aRows) { ap in
            withUnsafeMutableBytes(of: &bRows) { bp in
                for k in 0..<8 {
                    let r = r0 + min(k, count - 1)
                    ap.storeBytes(of: a + r * lda, toByteOffset: k * MemoryLayout<UnsafePointer<Float>>.stride,
                                  as: UnsafePointer<Float>.self)
                    bp.storeBytes(of: b + r * ldb, toByteOffset: k * MemoryLayout<UnsafePointer<Float>>.stride,
                                  as: UnsafePointer<Float>.self)
                }
            }
        }
        @inline(__always) func product(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ j: Int) -> F8 {
            UnsafeRawPointer(x + j).loadUnaligned(as: F8.self) * UnsafeRawPointer(y + j).loadUnaligned(as: F8.self)
        }
        var sum = F8()
        var j = 0
        while j + 8 <= n {
            var t = (product(aRows.0, bRows.0, j), product(aRows.1, bRows.1, j), product(aRows.2, bRows.2, j),
                     product(aRows.3, bRows.3, j), product(aRows.4, bRows.4, j), product(aRows.5, bRows.5, j),
                     product(aRows.6, bRows.6, j), product(aRows.7, bRows.7, j))
            Optimized.transpose8(&t)
            sum += t.0; sum += t.1; sum += t.2; sum += t.3
            sum += t.4; sum += t.5; sum += t.6; sum += t.7
            j += 8
        }
        while j < n {
            let x = F8(aRows.0[j], aRows.1[j], aRows.2[j], aRows.3[j], aRows.4[j], aRows.5[j], aRows.6[j], aRows.7[j])
            let y = F8(bRows.0[j], bRows.1[j], bRows.2[j], bRows.3[j], bRows.4[j], bRows.5[j], bRows.6[j], bRows.7[j])
            sum += x * y
            j += 1
        }
        for k in 0..<count { out[r0 + k] = sum[k] }
        r0 += 8
    }
}

/// Fills each of `rows` rows of `out` (width `columns`) with `bias` (the β = 1 start of y = x Wᵀ + b).
@inline(__always)
func fillRows(_ out: UnsafeMutableBufferPointer<Float>, with bias: UnsafeBufferPointer<Float>, rows: Int, columns: Int) {
    precondition(out.count >= rows * columns && bias.count >= columns, "fill rows: buffer too small")
    guard rows > 0 && columns > 0, let target = out.baseAddress, let source = bias.baseAddress else { return }
    for r in 0..<rows {
        (target + r * columns).update(from: source, count: columns)
    }
}

/// x ← softmax(x · scale) over one row of n entries, in place; −∞ entries (masked keys) get 0.
/// Returns false, leaving zeros, when every entry is −∞. exp runs 8 lanes at a time (`vexpNonPositive`).
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count n: Int, scale: Float) -> Bool {
    // The largest entry, eight lanes at a time (a maximum does not depend on the order).
    var largest = -Float.infinity
    var j0 = 0
    if n >= 8 {
        var lanes = Float8(repeating: -.infinity)
        let raw = UnsafeRawPointer(row)
        while j0 + 8 <= n {
            let x = raw.advanced(by: j0 * 4).loadUnaligned(as: Float8.self) * scale
            lanes.replace(with: x, where: x .> lanes)
            j0 += 8
        }
        largest = lanes.max()
    }
    for j in j0..<n { largest = max(largest, row[j] * scale) }
    guard largest > -Float.infinity else {
        for j in 0..<n { row[j] = 0 }
        return false
    }
    var lanes = Float8(repeating: 0)
    var j = 0
    let raw = UnsafeMutableRawPointer(row)
    while j + 8 <= n {
        let x = raw.advanced(by: j * 4).loadUnaligned(as: Float8.self)
        // x·scale − largest ≤ 0 (or −∞, or NaN from a NaN entry, which stays NaN): the short exp,
        // the same bits as `vexp` there.
        let e = vexpNonPositive(x * scale - largest)
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

/// `softmaxBackwardRow` over `rows` consecutive rows of n entries, the ⟨p, dz⟩ sums eight rows at
/// a time (`rowDots`, the same sums) and the update eight entries at a time (the same operations).
func softmaxBackwardRows(_ p: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, rows: Int, count n: Int, scale: Float) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { dots in
        rowDots(p, lda: n, UnsafePointer(dz), ldb: n, rows: rows, count: n, into: dots.baseAddress!)
        for r in 0..<rows {
            let pr = UnsafeRawPointer(p + r * n), dr = UnsafeMutableRawPointer(dz + r * n)
            let dot = dots[r]
            var j = 0
            while j + 8 <= n {
                let pj = pr.loadUnaligned(fromByteOffset: 4 * j, as: Float8.self)
                let dj = dr.loadUnaligned(fromByteOffset: 4 * j, as: Float8.self)
                dr.storeBytes(of: pj * (dj - dot) * scale, toByteOffset: 4 * j, as: Float8.self)
                j += 8
            }
            while j < n {
                dz[r * n + j] = p[r * n + j] * (dz[r * n + j] - dot) * scale
                j += 1
            }
        }
    }
}

/// out[e] = x[e]·y[e] for e in 0..<count, eight at a time (out may be x or y).
@inline(__always)
func multiply(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y), o = UnsafeMutableRawPointer(out)
    var e = 0
    while e + 8 <= count {
        o.storeBytes(of: xr.loadUnaligned(fromByteOffset: 4 * e, as: Float8.self) * yr.loadUnaligned(fromByteOffset: 4 * e, as: Float8.self),
                     toByteOffset: 4 * e, as: Float8.self)
        e += 8
    }
    while e < count { out[e] = x[e] * y[e]; e += 1 }
}

extension Matrix where Scalar == Float {
    /// A rows × columns matrix whose entries are not set: only for outputs every entry of which is
    /// written before anything reads it (sgemm with β = 0 — which never reads C — or rows filled
    /// with a bias first), so the buffer is not zero-filled only to be overwritten.
    static func uninitialized(_ rows: Int, _ columns: Int) -> Matrix<Float> {
        let count = rows * columns
        return Matrix(rows: rows, columns: columns,
                      elements: [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }
}
