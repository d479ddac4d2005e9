#ifndef CLOT_CBLAS_SHIM_H
#define CLOT_CBLAS_SHIM_H
// OpenBLAS's CBLAS (with openblas_set_num_threads & co.); pkgConfig "openblas" puts its
// own include folder first, so this is OpenBLAS's header whatever update-alternatives says.
#include <cblas.h>
// netlib LAPACKE, running on OpenBLAS's LAPACK.
#include <lapacke.h>
#endif
