/// The same API as `Reference`, in Float32.
///
/// Goals, in priority order: 1. agree with `Reference` within the stated Float32 tolerances
/// (and reproduce the official float32 numbers where the official code is float32); 2. give the
/// same bits on every CPU (every matrix product is `fixedOrderGEMM`; no result depends on which
/// kernel a BLAS library picks or on its thread count); 3. no allocation inside iteration loops;
/// 4. speed. OpenBLAS is opened only on demand (`OpenBLAS.shared`), as the alternative sgemm that
/// `clot bench --suite gemm` measures the fixed order against (`gemmEngine`).
public enum Optimized {}
