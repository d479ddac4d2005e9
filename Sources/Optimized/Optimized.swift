import CBLAS

/// The same API as `Reference`, in Float32 on OpenBLAS/LAPACKE.
///
/// Goals, in priority order: 1. agree with `Reference` within the stated Float32 tolerances
/// (and reproduce the official float32 numbers where the official code is float32); 2. no
/// allocation inside iteration loops; 3. speed.
public enum Optimized {
    /// OpenBLAS's thread count (process-wide). sgemm is not bitwise identical across thread
    /// counts (blas-recipe §5), so runs that must repeat bit for bit pin it.
    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// OpenBLAS's build configuration string.
    public static var blasConfiguration: String { String(cString: openblas_get_config()) }
}
