import CBLAS

/// The same API as `Reference`, in Float32.
///
/// Goals, in priority order: 1. agree with `Reference` within the stated Float32 tolerances
/// (and reproduce the official float32 numbers where the official code is float32); 2. give the
/// same bits on every CPU (every matrix product is `fixedOrderGEMM`; no result depends on which
/// kernel a BLAS library picks or on its thread count); 3. no allocation inside iteration loops;
/// 4. speed. OpenBLAS stays linked as the alternative sgemm that `clot bench` measures the fixed
/// order against (`gemmEngine`).
public enum Optimized {
    /// OpenBLAS's thread count (process-wide). It matters only while `gemmEngine` is OpenBLAS:
    /// its sgemm is not bitwise identical across thread counts.
    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// OpenBLAS's build configuration string ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH …").
    public static var blasConfiguration: String { String(cString: openblas_get_config()) }

    /// The OpenBLAS version, the second word of its configuration string.
    public static var blasVersion: String {
        let words = blasConfiguration.split(separator: " ")
        return words.count > 1 ? String(words[1]) : blasConfiguration
    }

    /// The kernel family OpenBLAS picked for this CPU when it loaded (or `OPENBLAS_CORETYPE` forced).
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }
}
