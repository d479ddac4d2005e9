// The matrix product every Optimized result is computed with: one rounding sequence per entry,
// fixed by the definition below, so the same inputs give the same bits on every CPU, whatever
// vector width the build or the machine has and however many threads run beside it.

/// C ← α·op(A)·op(B) + β·C in Float32 with a fixed rounding sequence per entry:
///
///     s_ij = fma(a_i,k−1, b_k−1,j, … fma(a_i1, b_1j, fma(a_i0, b_0j, 0)))   (p = 0, 1, …, k − 1 in order)
///     c_ij = α·s_ij            when β = 0 (C is not read, as in BLAS)
///     c_ij = α·s_ij + β·c_ij   otherwise (each product rounded, then the sum)
///
/// Every `fma` is correctly rounded (IEEE 754 fusedMultiplyAdd), so s_ij depends only on the
/// operands and their order, never on how the loops are blocked or vectorised: entries are
/// computed side by side in vector lanes, each lane its own chain, and the blocking below
/// (panels of 16 or 8 columns, blocks of 6 or 8 rows) only decides which entries share a pass.
/// A CPU without FMA instructions gets the same bits from the C library's software `fmaf`,
/// much more slowly.
///
/// - Parameters: as `gemm`; `op(X)` is X or Xᵀ, A and B row-major with leading dimensions lda
///   and ldb; the caller (`gemm`) has checked every extent. B comes with its extent so that a
///   panel narrower than a vector can be read in place when whole vectors stay inside it.
/// - Postconditions: the m × n block of C at leading dimension ldc is written; nothing else is.
/// - Edge cases: k = 0 gives s = 0 (so C ← β·C, or 0 when β = 0); m = 0 or n = 0 writes nothing.
///   NaN and infinities propagate per entry as the formula says.
func fixedOrderGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafeBufferPointer<Float>, ldb: Int,
                    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0 && n > 0 else { return }
    let output = GEMMOutput(alpha: alpha, beta: beta, ldc: ldc)
    // a(i, p) = a[i·rowStride + p·columnStride]
    let rowStride = transposeA ? 1 : lda, columnStride = transposeA ? lda : 1
    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, k) * GEMMPanel.wideWidth) { scratch in
        var j0 = 0
        while j0 < n {
            let panel = GEMMPanel(b, ldb: ldb, transposed: transposeB, depth: k, firstColumn: j0,
                                  columns: min(GEMMPanel.wideWidth, n - j0), scratch: scratch.baseAddress!)
            var i0 = 0
            while i0 < m {
                let rows = RowBlock(a + i0 * rowStride, rowStride: rowStride, columnStride: columnStride,
                                    count: min(panel.rowsPerBlock, m - i0), blockSize: panel.rowsPerBlock)
                if panel.isWide {
                    panelBlock(SIMD16<Float>.self, rows, panel, depth: k, c + i0 * ldc + j0, output)
                } else {
                    panelBlock(SIMD8<Float>.self, rows, panel, depth: k, c + i0 * ldc + j0, output)
                }
                i0 += panel.rowsPerBlock
            }
            j0 += panel.width
        }
    }
}

/// How a finished chain s becomes an entry of C: α·s, plus β·c when β ≠ 0.
struct GEMMOutput {
    var alpha: Float, beta: Float, ldc: Int

    /// Writes the first `count` lanes of `sums` into `row`.
    @inline(__always)
    func write<V: SIMD>(_ sums: V, to row: UnsafeMutablePointer<Float>, count: Int) where V.Scalar == Float {
        var value = alpha == 1 ? sums : sums * alpha
        if count == V.scalarCount {
            let target = UnsafeMutableRawPointer(row)
            if beta != 0 { value += target.loadUnaligned(as: V.self) * beta }
            target.storeBytes(of: value, as: V.self)
        } else {
            // A loop of the vector's fixed length (unrolled, constant lane indices), not up to `count`.
            for lane in 0..<V.scalarCount where lane < count {
                row[lane] = beta == 0 ? value[lane] : value[lane] + beta * row[lane]
            }
        }
    }
}

/// Up to 6 (or 8) consecutive rows of op(A), read in place: rows past `count` repeat the last
/// real row, so the block kernel always runs its full width of independent chains; their sums
/// are never written.
struct RowBlock {
    var base: UnsafePointer<Float>
    /// Offsets of the block's rows from `base`.
    var offsets: SIMD8<Int>
    var columnStride: Int
    var count: Int

    @inline(__always)
    init(_ base: UnsafePointer<Float>, rowStride: Int, columnStride: Int, count: Int, blockSize: Int) {
        self.base = base
        self.columnStride = columnStride
        self.count = count
        let lanes = SIMD8<Int>(0, 1, 2, 3, 4, 5, 6, 7)
        offsets = pointwiseMin(lanes, SIMD8(repeating: count - 1)) &* rowStride
    }
}
