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
        gemm(transposeB: true, m: x.rows, n: directions.rows, k: x.columns, x.elements, lda: x.columns,
             directions.elements, ldb: directions.columns, &out, ldc: directions.rows)
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
    /// contiguous run (`sortSlice`: a sorted column is the same multiset of values whatever the
    /// algorithm), and every per-frame sum runs over directions in order 0..<L, the order of
    /// the plain per-frame loop, with eight frames side by side in the lanes (vectorised across
    /// frames, never across directions), so the result is the one the plain loops give, bit
    /// for bit.
    /// - Complexity: O(N·d·L) for the projections, O(L·N) for the sorts, O(N·M·L) for the sums.
    public static func slicedCostMatrix(frames x: Matrix<Float>, clusters y: Matrix<Float>, directions: Matrix<Float>,
                                        radius: Float = 2, sorted: Bool = true) -> Matrix<Float> {
        precondition(x.columns == y.columns && directions.columns == x.columns, "dimensions differ")
        let n = x.rows, m = y.rows, l = directions.rows
        let thetaNorms = squaredRowNorms(directions)
        let sx = circularSlicesByDirection(x, directions, thetaNorms: thetaNorms, radius: radius, sorted: sorted)
        let sy = circularSlicesByDirection(y, directions, thetaNorms: thetaNorms, radius: radius, sorted: sorted)
        let cost = [Float](unsafeUninitializedCapacity: n * m) { out, initialized in
            sx.withUnsafeBufferPointer { a in
            sy.withUnsafeBufferPointer { b in
                guard n > 0 && m > 0 else { return }
                slicedDistances(a.baseAddress!, n: n, b.baseAddress!, m: m, directions: l, into: out.baseAddress!)
            }}
            initialized = n * m
        }
        return Matrix(rows: n, columns: m, elements: cost)
    }

    /// out[i·m + j] = √(Σ_{d in 0..<L} (a[d·n + i] − b[d·m + j])²), the sum in direction order.
    /// Eight frames × four clusters of running sums stay in registers over all L directions
    /// (each lane's sum is the scalar loop's, term by term); a last block of fewer than four
    /// clusters repeats its last cluster in the spare sums and drops them.
    static func slicedDistances(_ a: UnsafePointer<Float>, n: Int, _ b: UnsafePointer<Float>, m: Int, directions l: Int,
                                into out: UnsafeMutablePointer<Float>) {
        typealias F8 = SIMD8<Float>
        let araw = UnsafeRawPointer(a)
        @inline(__always) func store(_ sum: F8, _ i: Int, _ j: Int) {
            var root = F8()
            for k in 0..<8 { root[k] = Swift.abs(sum[k]).squareRoot() }   // sums ≥ 0: √|s| = √s
            for k in 0..<8 { out[(i + k) * m + j] = root[k] }
        }
        var i = 0
        while i + 8 <= n {
            var j0 = 0
            while j0 < m {
                let last = m - 1
                let c1 = min(j0 + 1, last), c2 = min(j0 + 2, last), c3 = min(j0 + 3, last)
                var s0 = F8(), s1 = F8(), s2 = F8(), s3 = F8()
                for d in 0..<l {
                    let frames = araw.loadUnaligned(fromByteOffset: 4 * (d * n + i), as: F8.self)
                    let row = b + d * m
                    let e0 = frames - row[j0], e1 = frames - row[c1], e2 = frames - row[c2], e3 = frames - row[c3]
                    s0 = s0 + e0 * e0
                    s1 = s1 + e1 * e1
                    s2 = s2 + e2 * e2
                    s3 = s3 + e3 * e3
                }
                store(s0, i, j0)
                if j0 + 1 < m { store(s1, i, j0 + 1) }
                if j0 + 2 < m { store(s2, i, j0 + 2) }
                if j0 + 3 < m { store(s3, i, j0 + 3) }
                j0 += 4
            }
            i += 8
        }
        while i < n {
            for j in 0..<m {
                var sum: Float = 0
                for d in 0..<l {
                    let diff = a[d * n + i] - b[d * m + j]
                    sum += diff * diff
                }
                out[i * m + j] = sum.squareRoot()
            }
            i += 1
        }
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
    ///
    /// Per point i: s_p = √max(0, ‖x_i‖² − 2r⟨x_i, θ_p⟩ + r²‖θ_p‖²), divided by
    /// max(√(Σ_p max(0, …)), 10⁻¹²) with the sum in direction order. The projections are
    /// transposed to direction-major first, so eight points run side by side in the lanes,
    /// each with exactly its own scalar operations.
    static func circularSlicesByDirection(_ x: Matrix<Float>, _ directions: Matrix<Float>, thetaNorms: [Float],
                                          radius r: Float, sorted: Bool) -> [Float] {
        typealias F8 = SIMD8<Float>
        let l = directions.rows, d = x.columns, n = x.rows
        let projections = project(x, directions)            // n × L, point-major
        var out = [Float](repeating: 0, count: l * n)
        var norms = [Float](repeating: 0, count: 2 * n)      // ‖x_i‖², then Σ_p max(0, …)
        let twoR = 2 * r, rSquared = r * r
        projections.withUnsafeBufferPointer { pp in
        thetaNorms.withUnsafeBufferPointer { tn in
        x.elements.withUnsafeBufferPointer { xp in
        norms.withUnsafeMutableBufferPointer { np in
        out.withUnsafeMutableBufferPointer { op in
            guard n > 0 && l > 0 else { return }
            let xNorms = np.baseAddress!, rowNorms = np.baseAddress! + n, o = op.baseAddress!
            for i in 0..<n {
                let xi = xp.baseAddress! + i * d
                var xNorm: Float = 0
                for j in 0..<d { xNorm += xi[j] * xi[j] }
                xNorms[i] = xNorm
            }
            // Transpose n × L → L × n, in 8 × 8 tiles in registers (edges scalar).
            let p0 = pp.baseAddress!
            var i0 = 0
            while i0 < n {
                let ib = min(8, n - i0)
                var q0 = 0
                while q0 < l {
                    let qb = min(8, l - q0)
                    if ib == 8 && qb == 8 {
                        let source = UnsafeRawPointer(p0), target = UnsafeMutableRawPointer(o)
                        var t = (F8(), F8(), F8(), F8(), F8(), F8(), F8(), F8())
                        withUnsafeMutableBytes(of: &t) { tile in
                            for k in 0..<8 {
                                tile.storeBytes(of: source.loadUnaligned(fromByteOffset: 4 * ((i0 + k) * l + q0), as: F8.self),
                                                toByteOffset: 32 * k, as: F8.self)
                            }
                        }
                        transpose8(&t)
                        withUnsafeBytes(of: &t) { tile in
                            for k in 0..<8 {
                                target.storeBytes(of: tile.loadUnaligned(fromByteOffset: 32 * k, as: F8.self),
                                                  toByteOffset: 4 * ((q0 + k) * n + i0), as: F8.self)
                            }
                        }
                    } else {
                        for q in q0..<(q0 + qb) { for i in i0..<(i0 + ib) { o[q * n + i] = p0[i * l + q] } }
                    }
                    q0 += qb
                }
                i0 += ib
            }
            let raw = UnsafeMutableRawPointer(o), rowRaw = UnsafeMutableRawPointer(rowNorms)
            let xRaw = UnsafeRawPointer(xNorms)
            var i = 0
            while i + 8 <= n {
                let xNorm = xRaw.loadUnaligned(fromByteOffset: 4 * i, as: F8.self)
                var rowNorm = F8()
                for p in 0..<l {
                    let offset = 4 * (p * n + i)
                    var squared = xNorm - twoR * raw.loadUnaligned(fromByteOffset: offset, as: F8.self) + rSquared * tn[p]
                    squared = squared.replacing(with: 0, where: .!(squared .>= 0))   // Swift.max(0, s): s ≥ 0 ? s : 0
                    var root = F8()
                    for k in 0..<8 { root[k] = Swift.abs(squared[k]).squareRoot() }  // √|s|: +0 for a −0 s
                    raw.storeBytes(of: root, toByteOffset: offset, as: F8.self)
                    rowNorm = rowNorm + squared
                }
                var scale = F8()
                for k in 0..<8 { scale[k] = Swift.abs(rowNorm[k]).squareRoot() }
                scale = scale.replacing(with: 1e-12, where: scale .<= 1e-12)          // Swift.max(√Σ, 1e-12)
                rowRaw.storeBytes(of: scale, toByteOffset: 4 * i, as: F8.self)
                i += 8
            }
            while i < n {
                var rowNorm: Float = 0
                for p in 0..<l {
                    let squared = max(0, xNorms[i] - twoR * o[p * n + i] + rSquared * tn[p])
                    o[p * n + i] = squared.squareRoot()
                    rowNorm += squared
                }
                rowNorms[i] = max(rowNorm.squareRoot(), 1e-12)
                i += 1
            }
            // Divide by each point's scale, eight points at a time.
            for p in 0..<l {
                var i = 0
                while i + 8 <= n {
                    let offset = 4 * (p * n + i)
                    let scaled = raw.loadUnaligned(fromByteOffset: offset, as: F8.self)
                        / UnsafeRawPointer(rowRaw).loadUnaligned(fromByteOffset: 4 * i, as: F8.self)
                    raw.storeBytes(of: scaled, toByteOffset: offset, as: F8.self)
                    i += 8
                }
                while i < n { o[p * n + i] /= rowNorms[i]; i += 1 }
            }
        }}}}}
        if sorted && n > 1 {
            out.withUnsafeMutableBufferPointer { op in sortDirections(op.baseAddress!, count: n, directions: l) }
        }
        return out
    }

    /// Sorts each of the `l` runs of `n` values (run p at p·n) in place, ascending. For
    /// 64 ≤ n ≤ 1024: eight runs at a time side by side in the lanes of one bitonic sorting
    /// network (`bitonicSortLanes`, padded to a power of two with +∞), which has no
    /// data-dependent branches — frames of one video are alike, so their slices crowd and
    /// defeat bucket schemes; runs go in and out of the lanes by 8 × 8 register transposes.
    /// Other n, and any block of eight runs holding a NaN: `radixSort` per run. A sorted run
    /// is the same multiset of values whatever the algorithm.
    static func sortDirections(_ v: UnsafeMutablePointer<Float>, count n: Int, directions l: Int) {
        typealias F8 = SIMD8<Float>
        var keys: [UInt32] = [], counts: [Int] = []
        func radix(_ runs: Range<Int>) {
            if keys.isEmpty {
                keys = [UInt32](repeating: 0, count: 2 * n)
                counts = [Int](repeating: 0, count: 1024)
            }
            keys.withUnsafeMutableBufferPointer { kp in
                counts.withUnsafeMutableBufferPointer { cp in
                    for p in runs { radixSort(v + p * n, count: n, keys: kp.baseAddress!, counts: cp.baseAddress!) }
                }
            }
        }
        guard n >= 64 && n <= 1024 else { return radix(0..<l) }
        var padded = 64
        while padded < n { padded *= 2 }
        withUnsafeTemporaryAllocation(of: F8.self, capacity: padded) { lanes in
            let w = lanes.baseAddress!
            let raw = UnsafeMutableRawPointer(v)
            var p0 = 0
            while p0 < l {
                let count = min(8, l - p0)
                var hasNaN = false
                if count == 8 && n % 8 == 0 {
                    // Eight whole runs: 8 × 8 tiles loaded as rows and transposed in registers.
                    var nan = SIMDMask<SIMD8<Int32>>()
                    var i = 0
                    while i < n {
                        var t = (F8(), F8(), F8(), F8(), F8(), F8(), F8(), F8())
                        withUnsafeMutableBytes(of: &t) { tile in
                            for k in 0..<8 {
                                let row = raw.loadUnaligned(fromByteOffset: 4 * ((p0 + k) * n + i), as: F8.self)
                                nan = nan .| (row .!= row)
                                tile.storeBytes(of: row, toByteOffset: 32 * k, as: F8.self)
                            }
                        }
                        transpose8(&t)
                        w[i] = t.0; w[i + 1] = t.1; w[i + 2] = t.2; w[i + 3] = t.3
                        w[i + 4] = t.4; w[i + 5] = t.5; w[i + 6] = t.6; w[i + 7] = t.7
                        i += 8
                    }
                    hasNaN = any(nan)
                } else {
                    for i in 0..<n {
                        var x = F8()
                        for k in 0..<count { x[k] = v[(p0 + k) * n + i] }
                        hasNaN = hasNaN || any(x .!= x)
                        w[i] = x
                    }
                }
                if hasNaN {
                    radix(p0..<(p0 + count))
                    p0 += 8
                    continue
                }
                for i in n..<padded { w[i] = F8(repeating: .infinity) }
                bitonicSortLanes(w, count: padded)
                if count == 8 && n % 8 == 0 {
                    var i = 0
                    while i < n {
                        var t = (w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7])
                        transpose8(&t)
                        withUnsafeBytes(of: &t) { tile in
                            for k in 0..<8 {
                                raw.storeBytes(of: tile.loadUnaligned(fromByteOffset: 32 * k, as: F8.self),
                                               toByteOffset: 4 * ((p0 + k) * n + i), as: F8.self)
                            }
                        }
                        i += 8
                    }
                } else {
                    for i in 0..<n {
                        let x = w[i]
                        for k in 0..<count { v[(p0 + k) * n + i] = x[k] }
                    }
                }
                p0 += 8
            }
        }
    }

    /// Transposes the 8 × 8 tile whose rows are t.0 … t.7: three perfect unshuffles (each
    /// rotates the 6-bit (row, lane) address right by one bit; three make row ↔ lane).
    @inline(__always)
    static func transpose8(_ t: inout (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                                       SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
        for _ in 0..<3 {
            let a = SIMD16(lowHalf: t.0, highHalf: t.1), b = SIMD16(lowHalf: t.2, highHalf: t.3)
            let c = SIMD16(lowHalf: t.4, highHalf: t.5), d = SIMD16(lowHalf: t.6, highHalf: t.7)
            t = (a.evenHalf, b.evenHalf, c.evenHalf, d.evenHalf, a.oddHalf, b.oddHalf, c.oddHalf, d.oddHalf)
        }
    }

    /// Sorts every lane of w[0..<n] ascending (n a power of two, no NaNs): the bitonic network
    /// in its all-ascending form (each merge starts by comparing mirrored pairs, then halves).
    /// Every pass whose pairs lie within aligned blocks of eight vectors (the first three
    /// merges whole, and the strides 4, 2, 1 that end every later merge) runs block by block
    /// with the eight vectors in registers: the same compare-exchanges, blocks being independent.
    static func bitonicSortLanes(_ w: UnsafeMutablePointer<SIMD8<Float>>, count n: Int) {
        typealias F8 = SIMD8<Float>
        @inline(__always) func exchange(_ i: Int, _ j: Int) {
            let a = w[i], b = w[j]
            let swapped = b .< a
            w[i] = a.replacing(with: b, where: swapped)
            w[j] = b.replacing(with: a, where: swapped)
        }
        guard n >= 8 else {
            var size = 2
            while size <= n {
                let half = size / 2
                var base = 0
                while base < n {
                    for k in 0..<half { exchange(base + k, base + size - 1 - k) }
                    base += size
                }
                var stride = half / 2
                while stride > 0 {
                    var base = 0
                    while base < n {
                        for k in 0..<stride { exchange(base + k, base + k + stride) }
                        base += 2 * stride
                    }
                    stride /= 2
                }
                size *= 2
            }
            return
        }
        @inline(__always) func cx(_ a: inout F8, _ b: inout F8) {
            let x = a, y = b
            let swapped = y .< x
            a = x.replacing(with: y, where: swapped)
            b = y.replacing(with: x, where: swapped)
        }
        // Merges of sizes 2, 4 and 8, block by block.
        var base = 0
        while base < n {
            var v0 = w[base], v1 = w[base + 1], v2 = w[base + 2], v3 = w[base + 3]
            var v4 = w[base + 4], v5 = w[base + 5], v6 = w[base + 6], v7 = w[base + 7]
            // size 2 (mirrored pairs of two)
            cx(&v0, &v1); cx(&v2, &v3); cx(&v4, &v5); cx(&v6, &v7)
            // size 4: mirrored, then stride 1
            cx(&v0, &v3); cx(&v1, &v2); cx(&v4, &v7); cx(&v5, &v6)
            cx(&v0, &v1); cx(&v2, &v3); cx(&v4, &v5); cx(&v6, &v7)
            // size 8: mirrored, then strides 2 and 1
            cx(&v0, &v7); cx(&v1, &v6); cx(&v2, &v5); cx(&v3, &v4)
            cx(&v0, &v2); cx(&v1, &v3); cx(&v4, &v6); cx(&v5, &v7)
            cx(&v0, &v1); cx(&v2, &v3); cx(&v4, &v5); cx(&v6, &v7)
            w[base] = v0; w[base + 1] = v1; w[base + 2] = v2; w[base + 3] = v3
            w[base + 4] = v4; w[base + 5] = v5; w[base + 6] = v6; w[base + 7] = v7
            base += 8
        }
        var size = 16
        while size <= n {
            let half = size / 2
            var base = 0
            while base < n {
                var k = 0
                while k < half { exchange(base + k, base + size - 1 - k); k += 1 }
                base += size
            }
            var stride = half / 2
            while stride > 4 {
                var base = 0
                while base < n {
                    var k = 0
                    while k < stride { exchange(base + k, base + k + stride); k += 1 }
                    base += 2 * stride
                }
                stride /= 2
            }
            // Strides 4, 2, 1, block by block.
            base = 0
            while base < n {
                var v0 = w[base], v1 = w[base + 1], v2 = w[base + 2], v3 = w[base + 3]
                var v4 = w[base + 4], v5 = w[base + 5], v6 = w[base + 6], v7 = w[base + 7]
                cx(&v0, &v4); cx(&v1, &v5); cx(&v2, &v6); cx(&v3, &v7)
                cx(&v0, &v2); cx(&v1, &v3); cx(&v4, &v6); cx(&v5, &v7)
                cx(&v0, &v1); cx(&v2, &v3); cx(&v4, &v5); cx(&v6, &v7)
                w[base] = v0; w[base + 1] = v1; w[base + 2] = v2; w[base + 3] = v3
                w[base + 4] = v4; w[base + 5] = v5; w[base + 6] = v6; w[base + 7] = v7
                base += 8
            }
            size *= 2
        }
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
