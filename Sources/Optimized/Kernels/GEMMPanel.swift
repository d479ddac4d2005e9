// The column panels of op(B) that `fixedOrderGEMM` streams through, and the block kernel
// that multiplies a block of rows of op(A) by one panel.

/// Columns j0 ..< j0 + `columns` of op(B) (k × n) laid out as `depth` rows of `width` floats,
/// `stride` floats apart. Read in place when op(B) = B and every row's `width` floats lie inside
/// B's buffer (lanes past `columns` then hold B's next entries, whose sums are never written);
/// otherwise packed into the caller's scratch (transposed when op(B) = Bᵀ), lanes past
/// `columns` zero.
struct GEMMPanel {
    static let wideWidth = 16
    static let narrowWidth = 8

    var base: UnsafePointer<Float>
    /// Floats from one row of the panel to the next.
    var stride: Int
    /// Real columns in the panel (the rest of the width is padding, never written to C).
    var columns: Int
    /// 16 (two AVX vectors: one SIMD16) when more than 8 columns remain, else 8.
    var width: Int

    var isWide: Bool { width == Self.wideWidth }
    /// Rows of op(A) per kernel pass: 6 × 16 and 8 × 8 both keep 12 or 8 vector chains in flight.
    var rowsPerBlock: Int { isWide ? 6 : 8 }

    @inline(__always)
    init(_ buffer: UnsafeBufferPointer<Float>, ldb: Int, transposed: Bool, depth: Int, firstColumn j0: Int, columns: Int,
         scratch: UnsafeMutablePointer<Float>) {
        let b = buffer.baseAddress!
        self.columns = columns
        width = columns > Self.narrowWidth ? Self.wideWidth : Self.narrowWidth
        if !transposed && (depth - 1) * ldb + j0 + width <= buffer.count {
            base = b + j0
            stride = ldb
            return
        }
        stride = width
        base = UnsafePointer(scratch)
        if width == Self.wideWidth {
            Self.pack(16, b, ldb: ldb, transposed: transposed, depth: depth, firstColumn: j0, columns: columns, into: scratch)
        } else {
            Self.pack(8, b, ldb: ldb, transposed: transposed, depth: depth, firstColumn: j0, columns: columns, into: scratch)
        }
    }

    /// scratch[p·width + l] = op(B)[p, j0 + l] for l < columns, 0 for the other lanes. The lane
    /// loop has a fixed count (the compiler unrolls it; a loop up to `columns` would become a
    /// library call per row), and an index past the last column is clamped so nothing outside B
    /// is read.
    @inline(__always)
    static func pack(_ width: Int, _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, depth: Int, firstColumn j0: Int,
                     columns: Int, into scratch: UnsafeMutablePointer<Float>) {
        let last = columns - 1
        // op(B)[p, j] sits at p·ldb + j, or at j·ldb + p when op(B) = Bᵀ.
        let (rowStep, laneStep) = transposed ? (1, ldb) : (ldb, 1)
        for p in 0..<depth {
            let source = b + p * rowStep + j0 * laneStep, target = scratch + p * width
            for l in 0..<width {
                let value = source[min(l, last) * laneStep]
                target[l] = l <= last ? value : 0
            }
        }
    }
}

/// One block of rows × one panel as wide as V: one V chain per row, p = 0 ..< depth in order.
/// Six rows for SIMD16 (12 AVX registers), eight for SIMD8 (`GEMMPanel.rowsPerBlock`). Each
/// chain is a named local so that it stays in a register (an accumulator array is not promised
/// to); the row count follows from V, so each specialisation is the loop written out for its
/// shape, the last two chains gone at six rows (this is the hot loop of every product).
@inline(__always)
func panelBlock<V: SIMD>(_: V.Type, _ rows: RowBlock, _ panel: GEMMPanel, depth: Int,
                         _ c: UnsafeMutablePointer<Float>, _ output: GEMMOutput) where V.Scalar == Float {
    var s0 = V(), s1 = V(), s2 = V(), s3 = V(), s4 = V(), s5 = V(), s6 = V(), s7 = V()
    var a = rows.base, b = UnsafeRawPointer(panel.base)
    let o = rows.offsets, step = MemoryLayout<Float>.stride * panel.stride, eight = V.scalarCount == 8
    let o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6], o7 = o[7]
    for _ in 0..<depth {
        let bp = b.loadUnaligned(as: V.self)
        s0 = s0.addingProduct(V(repeating: a[0]), bp)
        s1 = s1.addingProduct(V(repeating: a[o1]), bp)
        s2 = s2.addingProduct(V(repeating: a[o2]), bp)
        s3 = s3.addingProduct(V(repeating: a[o3]), bp)
        s4 = s4.addingProduct(V(repeating: a[o4]), bp)
        s5 = s5.addingProduct(V(repeating: a[o5]), bp)
        if eight {
            s6 = s6.addingProduct(V(repeating: a[o6]), bp)
            s7 = s7.addingProduct(V(repeating: a[o7]), bp)
        }
        a += rows.columnStride
        b += step
    }
    @inline(__always) func put(_ r: Int, _ s: V) {
        if r < rows.count { output.write(s, to: c + r * output.ldc, count: panel.columns) }
    }
    put(0, s0); put(1, s1); put(2, s2); put(3, s3); put(4, s4); put(5, s5)
    if eight { put(6, s6); put(7, s7) }
}
