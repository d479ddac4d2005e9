import CLOTCore

extension Optimized {
    /// y_r = x_r / max(‖x_r‖₂, 1e-12) (torch `F.normalize`) in Float32; the same API as
    /// `Reference.RowNormalize`. Norms are accumulated in Float (rows are D ≤ a few thousand wide).
    public enum RowNormalize: RowNormalizeLayer {
        public static let epsilon: Float = 1e-12

        public static func forward(_ x: Matrix<Float>) -> Matrix<Float> {
            var y = Matrix<Float>.uninitialized(x.rows, x.columns)
            let d = x.columns, rows = x.rows
            x.elements.withUnsafeBufferPointer { xp in
                y.elements.withUnsafeMutableBufferPointer { p in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { sums in
                        guard let xb = xp.baseAddress, let yb = p.baseAddress else { return }
                        rowDots(xb, lda: d, xb, ldb: d, rows: rows, count: d, into: sums.baseAddress!)
                        for r in 0..<rows {
                            let scale = 1 / max(sums[r].squareRoot(), epsilon)
                            scaleRow(xb + r * d, count: d, by: scale, into: yb + r * d)
                        }
                    }
                }
            }
            return y
        }

        /// ∂L/∂x_r = (∂L/∂y_r − y_r⟨y_r, ∂L/∂y_r⟩)/‖x_r‖, or ∂L/∂y_r/ε below the clamp.
        /// The row sums run eight rows at a time (`rowDots`: each in column order, as row by row).
        public static func backward(_ x: Matrix<Float>, outputGradient dy: Matrix<Float>) -> Matrix<Float> {
            precondition(x.rows == dy.rows && x.columns == dy.columns, "shapes differ")
            var dx = Matrix<Float>.uninitialized(x.rows, x.columns)
            let d = x.columns, rows = x.rows
            x.elements.withUnsafeBufferPointer { xp in
            dy.elements.withUnsafeBufferPointer { dyp in
                dx.elements.withUnsafeMutableBufferPointer { op in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rows) { sums in
                        guard let xb = xp.baseAddress, let gb = dyp.baseAddress, let ob = op.baseAddress else { return }
                        let squares = sums.baseAddress!, dots = squares + rows
                        rowDots(xb, lda: d, xb, ldb: d, rows: rows, count: d, into: squares)
                        rowDots(xb, lda: d, gb, ldb: d, rows: rows, count: d, into: dots)
                        for r in 0..<rows {
                            let xr = xb + r * d, g = gb + r * d, o = ob + r * d
                            let nu = squares[r].squareRoot()
                            if nu > epsilon {
                                let inverse = 1 / nu
                                let projection = dots[r] * inverse * inverse
                                let xraw = UnsafeRawPointer(xr), graw = UnsafeRawPointer(g), oraw = UnsafeMutableRawPointer(o)
                                var c = 0
                                while c + 8 <= d {
                                    let gc = graw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self)
                                    let xc = xraw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self)
                                    oraw.storeBytes(of: (gc - xc * projection) * inverse, toByteOffset: 4 * c, as: Float8.self)
                                    c += 8
                                }
                                while c < d { o[c] = (g[c] - xr[c] * projection) * inverse; c += 1 }
                            } else {
                                for c in 0..<d { o[c] = g[c] / epsilon }
                            }
                        }
                    }
                }
            }
            }
            return dx
        }

        /// out[c] = row[c]·scale, eight at a time.
        @inline(__always)
        static func scaleRow(_ row: UnsafePointer<Float>, count d: Int, by scale: Float, into out: UnsafeMutablePointer<Float>) {
            let raw = UnsafeRawPointer(row), target = UnsafeMutableRawPointer(out)
            var c = 0
            while c + 8 <= d {
                target.storeBytes(of: raw.loadUnaligned(fromByteOffset: 4 * c, as: Float8.self) * scale, toByteOffset: 4 * c, as: Float8.self)
                c += 8
            }
            while c < d { out[c] = row[c] * scale; c += 1 }
        }
    }
}
