import CLOTCore

extension Optimized {
    /// y_r = x_r / max(‖x_r‖₂, 1e-12) (torch `F.normalize`) in Float32; the same API as
    /// `Reference.RowNormalize`. Norms are accumulated in Float (rows are D ≤ a few thousand wide).
    public enum RowNormalize {
        public static let epsilon: Float = 1e-12

        public static func forward(_ x: Matrix<Float>) -> Matrix<Float> {
            var y = x
            let d = x.columns, rows = x.rows
            y.elements.withUnsafeMutableBufferPointer { p in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { sums in
                    let base = p.baseAddress!
                    rowDots(base, lda: d, base, ldb: d, rows: rows, count: d, into: sums.baseAddress!)
                    for r in 0..<rows {
                        let scale = 1 / max(sums[r].squareRoot(), epsilon)
                        scaleRow(base + r * d, count: d, by: scale)
                    }
                }
            }
            return y
        }

        /// ∂L/∂x_r = (∂L/∂y_r − y_r⟨y_r, ∂L/∂y_r⟩)/‖x_r‖, or ∂L/∂y_r/ε below the clamp.
        /// The row sums run eight rows at a time (`rowDots`: each in column order, as row by row).
        public static func backward(_ x: Matrix<Float>, outputGradient dy: Matrix<Float>) -> Matrix<Float> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = dy
            let d = x.columns, rows = x.rows
            x.elements.withUnsafeBufferPointer { xp in
                dx.elements.withUnsafeMutableBufferPointer { gp in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rows) { sums in
                        let squares = sums.baseAddress!, dots = squares + rows
                        let xb = xp.baseAddress!, gb = gp.baseAddress!
                        rowDots(xb, lda: d, xb, ldb: d, rows: rows, count: d, into: squares)
                        rowDots(xb, lda: d, UnsafePointer(gb), ldb: d, rows: rows, count: d, into: dots)
                        for r in 0..<rows {
                            let xr = xb + r * d, g = gb + r * d
                            let nu = squares[r].squareRoot()
                            if nu > epsilon {
                                let inverse = 1 / nu
                                let projection = dots[r] * inverse * inverse
                                let xraw = UnsafeRawPointer(xr), graw = UnsafeMutableRawPointer(g)
                                var c = 0
                                while c + 8 <= d {
                                    let gc = graw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self)
                                    let xc = xraw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self)
                                    graw.storeBytes(of: (gc - xc * projection) * inverse, toByteOffset: 4 * c, as: Float8.self)
                                    c += 8
                                }
                                while c < d { g[c] = (g[c] - xr[c] * projection) * inverse; c += 1 }
                            } else {
                                for c in 0..<d { g[c] /= epsilon }
                            }
                        }
                    }
                }
            }
            return dx
        }

        /// row[c] ← row[c]·scale, eight at a time.
        @inline(__always)
        static func scaleRow(_ row: UnsafeMutablePointer<Float>, count d: Int, by scale: Float) {
            let raw = UnsafeMutableRawPointer(row)
            var c = 0
            while c + 8 <= d {
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self) * scale, toByteOffset: 4 * c, as: Float8.self)
                c += 8
            }
            while c < d { row[c] *= scale; c += 1 }
        }
    }
}
