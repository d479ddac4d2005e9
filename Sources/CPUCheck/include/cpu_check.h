#ifndef CLOT_CPU_CHECK_H
#define CLOT_CPU_CHECK_H
/// 1 when this x86-64 CPU lacks an instruction group of x86-64-v3 (AVX2, FMA, BMI1/2, F16C,
/// MOVBE), 0 otherwise and on other architectures. Compiled for baseline x86-64, so the
/// `clot` executable can call it before any code built for x86-64-v3 runs.
int clot_cpu_lacks_x86_64_v3(void);
#endif
