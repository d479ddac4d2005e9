import CBLAS
import CLOTCore
#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// Sliced Wasserstein SW_p (CLOT Eq. 8–9) in Float32: all projections at once as one sgemm
    /// (n × d times d × L), then per direction a sort and the quantile merge of
    /// `Reference.wasserstein1DPower`, accumulated in Double. Agrees with
    /// `Reference.slicedWasserstein` to Float rounding.
    public static func slicedWasserstein(_ x: Matrix<Float>, _ y: Matrix<Float>, directions: Matrix<Float>, p: Double = 2) -> Double {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        let px = project(x, directions), py = project(y, directions)
        let l = directions.rows
        var total = 0.0
        var columnX = [Float](repeating: 0, count: x.rows), columnY = [Float](repeating: 0, count: y.rows)
        for d in 0..<l {
            for i in 0..<x.rows { columnX[i] = px[i * l + d] }
            for i in 0..<y.rows { columnY[i] = py[i * l + d] }
            columnX.sort()
            columnY.sort()
            total += quantileDistancePower(columnX, columnY, p: p)
        }
        return realPower(total / Double(l), 1 / p)
    }

    /// X θᵀ (rows × L), row-major.
    static func project(_ x: Matrix<Float>, _ directions: Matrix<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: x.rows * directions.rows)
        guard x.rows > 0 else { return out }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(x.rows), Int32(directions.rows), Int32(x.columns),
                    1, x.elements, Int32(x.columns), directions.elements, Int32(x.columns), 0, &out, Int32(directions.rows))
        return out
    }

    /// ∫₀¹ |F⁻¹(u) − G⁻¹(u)|^p du for two sorted samples.
    static func quantileDistancePower(_ xs: [Float], _ ys: [Float], p: Double) -> Double {
        let n = Double(xs.count), m = Double(ys.count)
        var i = 0, j = 0
        var position = 0.0, total = 0.0
        while i < xs.count && j < ys.count {
            let nextX = Double(i + 1) / n, nextY = Double(j + 1) / m
            let next = min(nextX, nextY)
            let gap = Double(abs(xs[i] - ys[j]))
            total += (next - position) * (p == 2 ? gap * gap : p == 1 ? gap : realPower(gap, p))
            position = next
            if nextX <= next { i += 1 }
            if nextY <= next { j += 1 }
        }
        return total
    }

    /// The released CLOT sliced cost matrix (see `Reference.slicedCostMatrix`) in Float32. The
    /// circular slices ‖x − rθ‖ = √(‖x‖² − 2r⟨x, θ⟩ + r²‖θ‖²) come from one sgemm; the final
    /// N × M distances between sorted slice rows are summed directly (M is the small cluster
    /// count, and direct differences avoid the cancellation of the ‖a‖² + ‖b‖² − 2ab form).
    ///
    /// The slices are kept direction-major (L × N), so each direction's sort runs on one
    /// contiguous run (an LSD radix sort on order-preserving keys: a sorted column is the same
    /// multiset of values whatever the algorithm), and the distance sums run over directions in
    /// order 0..<L for every (i, j), the order of the plain per-pair loop (vectorised across
    /// frames, not across directions), so the result is the one the per-pair form gives, bit
    /// for bit.
    /// - Complexity: O(N·d·L) for the projections, O(L·N) for the sorts, O(N·M·L) for the sums.
    public static func slicedCostMatrix(frames x: Matrix<Float>, clusters y: Matrix<Float>, directions: Matrix<Float>,
                                        radius: Float = 2, sorted: Bool = true) -> Matrix<Float> {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        let n = x.rows, m = y.rows, l = directions.rows
        let thetaNorms = squaredRowNorms(directions)
        let sx = circularSlicesByDirection(x, directions, thetaNorms: thetaNorms, radius: radius, sorted: sorted)
        let sy = circularSlicesByDirection(y, directions, thetaNorms: thetaNorms, radius: radius, sorted: sorted)
        // Sums kept M × N (cluster-major) so the inner loop runs along the frames' contiguous
        // slices, eight lanes at a time; transposed into the N × M cost at the end.
        var sums = [Float](repeating: 0, count: n * m), cost = [Float](repeating: 0, count: n * m)
        sx.withUnsafeBufferPointer { a in
        sy.withUnsafeBufferPointer { b in
        sums.withUnsafeMutableBufferPointer { c in
        cost.withUnsafeMutableBufferPointer { out in
            guard n > 0 && m > 0 else { return }
            let cp = c.baseAddress!
            for d in 0..<l {
                let ad = a.baseAddress! + d * n, bd = b.baseAddress! + d * m
                let araw = UnsafeRawPointer(ad)
                for j in 0..<m {
                    let bj = bd[j], row = cp + j * n, raw = UnsafeMutableRawPointer(row)
                    var i = 0
                    while i + 8 <= n {
                        let diff = araw.advanced(by: i * 4).loadUnaligned(as: Float8.self) - bj
                        let sum = raw.advanced(by: i * 4).loadUnaligned(as: Float8.self) + diff * diff
                        raw.advanced(by: i * 4).storeBytes(of: sum, as: Float8.self)
                        i += 8
                    }
                    while i < n {
                        let diff = ad[i] - bj
                        row[i] += diff * diff
                        i += 1
                    }
                }
            }
            for j in 0..<m { for i in 0..<n { out[i * m + j] = cp[j * n + i].squareRoot() } }
        }}}}
        return Matrix(rows: n, columns: m, elements: cost)
    }

    /// ‖θ_p‖² per row, summed in column order.
    static func squaredRowNorms(_ x: Matrix<Float>) -> [Float] {
        let d = x.columns
        var out = [Float](repeating: 0, count: x.rows)
        x.elements.withUnsafeBufferPointer { xp in
            for p in 0..<x.rows {
                var sum: Float = 0
                for j in 0..<d { sum += xp[p * d + j] * xp[p * d + j] }
                out[p] = sum
            }
        }
        return out
    }

    /// Row-normalised circular slices, optionally sorted along each direction, stored
    /// direction-major (L × rows: entry p·rows + i is point i's slice on direction p).
    static func circularSlicesByDirection(_ x: Matrix<Float>, _ directions: Matrix<Float>, thetaNorms: [Float],
                                          radius r: Float, sorted: Bool) -> [Float] {
        let l = directions.rows, d = x.columns, n = x.rows
        let projections = project(x, directions)            // n × L, point-major
        var out = [Float](repeating: 0, count: l * n)
        var row = [Float](repeating: 0, count: l)
        projections.withUnsafeBufferPointer { pp in
        thetaNorms.withUnsafeBufferPointer { tn in
        x.elements.withUnsafeBufferPointer { xp in
        row.withUnsafeMutableBufferPointer { rp in
        out.withUnsafeMutableBufferPointer { op in
            for i in 0..<n {
                let xi = xp.baseAddress! + i * d
                var xNorm: Float = 0
                for j in 0..<d { xNorm += xi[j] * xi[j] }
                let pi = pp.baseAddress! + i * l
                var rowNorm: Float = 0
                for p in 0..<l {
                    let squared = max(0, xNorm - 2 * r * pi[p] + r * r * tn[p])
                    rp[p] = squared.squareRoot()
                    rowNorm += squared
                }
                let scale = max(rowNorm.squareRoot(), 1e-12)
                for p in 0..<l { op[p * n + i] = rp[p] / scale }
            }
        }}}}}
        if sorted && n > 1 {
            var keys = [UInt32](repeating: 0, count: 2 * n)
            var counts = [Int](repeating: 0, count: 1024)
            out.withUnsafeMutableBufferPointer { op in
                keys.withUnsafeMutableBufferPointer { kp in
                    counts.withUnsafeMutableBufferPointer { cp in
                        for p in 0..<l {
                            radixSort(op.baseAddress! + p * n, count: n, keys: kp.baseAddress!, counts: cp.baseAddress!)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Sorts `n` Floats in place, ascending (no NaNs). Up to 32 values: insertion sort. Above:
    /// LSD radix sort, four 8-bit passes on the order-preserving key of each value's bit pattern
    /// (sign bit set for non-negative values, all bits flipped for negative ones), the four
    /// digit histograms counted in one pass, and passes whose digit is the same for all values
    /// skipped. `keys` holds 2n words of scratch, `counts` 4 × 256.
    static func radixSort(_ v: UnsafeMutablePointer<Float>, count n: Int, keys: UnsafeMutablePointer<UInt32>,
                          counts: UnsafeMutablePointer<Int>) {
        if n <= 32 {
            for i in 1..<max(n, 1) {
                let value = v[i]
                var j = i
                while j > 0 && v[j - 1] > value {
                    v[j] = v[j - 1]
                    j -= 1
                }
                v[j] = value
            }
            return
        }
        var source = keys, target = keys + n
        for b in 0..<1024 { counts[b] = 0 }
        for i in 0..<n {
            let bits = v[i].bitPattern
            let key = bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
            source[i] = key
            counts[Int(key & 0xFF)] += 1
            counts[256 + Int((key >> 8) & 0xFF)] += 1
            counts[512 + Int((key >> 16) & 0xFF)] += 1
            counts[768 + Int(key >> 24)] += 1
        }
        for pass in 0..<4 {
            let shift = UInt32(8 * pass), histogram = counts + 256 * pass
            if histogram[Int((source[0] >> shift) & 0xFF)] == n { continue }   // one digit for all: nothing moves
            var total = 0
            for b in 0..<256 {
                let c = histogram[b]
                histogram[b] = total
                total += c
            }
            for i in 0..<n {
                let key = source[i], b = Int((key >> shift) & 0xFF)
                target[histogram[b]] = key
                histogram[b] += 1
            }
            swap(&source, &target)
        }
        for i in 0..<n {
            let key = source[i]
            v[i] = Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
        }
    }
}

@inline(__always) func realPower(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
