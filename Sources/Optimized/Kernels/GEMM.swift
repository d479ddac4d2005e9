extension Optimized {
    /// C ← α·op(A)·op(B) + β·C, row-major, op(A) m × k, op(B) k × n, C m × n with leading
    /// dimensions lda, ldb, ldc (so a sub-block of a wider matrix — one attention head's columns —
    /// is passed by offsetting the buffer and keeping the wide leading dimension, with no copy).
    ///
    /// Every extent is checked before any memory is touched (a count past a buffer would be a
    /// silent overrun inside a kernel). The product itself is `fixedOrderGEMM` — one FMA chain per
    /// entry in index order, the same bits on every CPU — unless `Optimized.gemmEngine` selects
    /// OpenBLAS's sgemm, whose rounding depends on the kernel OpenBLAS picks for the CPU and on its
    /// thread count (`clot bench` uses that to measure what the fixed order costs).
    @inline(__always)
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                            _ a: UnsafeBufferPointer<Float>, lda: Int, _ b: UnsafeBufferPointer<Float>, ldb: Int,
                            beta: Float = 0, _ c: UnsafeMutableBufferPointer<Float>, ldc: Int,
                            engine: GEMMEngine = gemmEngine) {
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
        switch engine {
        case .fixedOrder:
            fixedOrderGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a.baseAddress!, lda: lda, b, ldb: ldb, beta: beta, c.baseAddress!, ldc: ldc)
        case .openBLAS:
            guard let library = OpenBLAS.shared else { preconditionFailure("OpenBLAS is not installed (libopenblas.so.0)") }
            precondition(max(m, n, k, lda, ldb, ldc) <= Int(Int32.max), "gemm dimension exceeds 32 bits")
            let (rowMajor, noTranspose, transpose): (Int32, Int32, Int32) = (101, 111, 112)   // cblas.h's enums
            library.sgemm(rowMajor, transposeA ? transpose : noTranspose, transposeB ? transpose : noTranspose,
                          Int32(m), Int32(n), Int32(k), alpha, a.baseAddress, Int32(lda), b.baseAddress, Int32(ldb),
                          beta, c.baseAddress, Int32(ldc))
        }
    }

    /// The same product on arrays: C (m × n, dense) ← α·op(A)·op(B) + β·C.
    @inline(__always)
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                            _ a: [Float], lda: Int, _ b: [Float], ldb: Int, beta: Float = 0, _ c: inout [Float], ldc: Int,
                            engine: GEMMEngine = gemmEngine) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                         ap, lda: lda, bp, ldb: ldb, beta: beta, cp, ldc: ldc, engine: engine)
                }
            }
        }
    }

    /// Which sgemm computes `gemm`.
    public enum GEMMEngine: String, Sendable, CaseIterable {
        /// `fixedOrderGEMM`: the same bits on every CPU (the default; every result uses it).
        case fixedOrder = "fixed-order"
        /// OpenBLAS's `cblas_sgemm` (opened on first use; `OpenBLAS.shared` must not be nil):
        /// rounding depends on the CPU's kernel and the thread count.
        case openBLAS = "openblas"
    }

    /// The sgemm in force, process-wide. Only `clot bench` changes it (tests that compare the two
    /// engines pass `engine:` instead); every command that writes results runs the fixed order.
    nonisolated(unsafe) public static var gemmEngine: GEMMEngine = .fixedOrder
}
