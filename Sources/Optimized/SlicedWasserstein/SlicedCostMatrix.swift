import CLOTCore

extension Optimized {
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
    ///
    /// Postconditions and Edge Cases: those of `Reference.slicedCostMatrix`, to Float rounding
    /// (absolute 1e-5 on slices normalised to unit length). N = 0 or M = 0: an empty matrix.
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
            transpose(pp.baseAddress!, rows: n, columns: l, into: o)
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
}
