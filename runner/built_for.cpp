// Which instructions this executable's code may use: compiled with the instruction-set flags of
// nn/ (NNSWEEP_ARCH_FLAGS), read by runner/cpu_guard.cpp, which is not. Constant data only:
// nothing here runs.
#include "runner/cpu_check.h"

namespace runner::cpu {

// The compiler's own macros for the flags it was given: -mavx2 implies AVX and the SSE levels,
// -march=native whatever the building CPU has.
extern const char kBuiltFor[] =
    ""
#if defined(__x86_64__) || defined(__i386__)
#ifdef __SSE3__
    " sse3"
#endif
#ifdef __SSSE3__
    " ssse3"
#endif
#ifdef __SSE4_1__
    " sse4.1"
#endif
#ifdef __SSE4_2__
    " sse4.2"
#endif
#ifdef __POPCNT__
    " popcnt"
#endif
#ifdef __AVX__
    " avx"
#endif
#ifdef __AVX2__
    " avx2"
#endif
#ifdef __FMA__
    " fma"
#endif
#ifdef __BMI__
    " bmi"
#endif
#ifdef __BMI2__
    " bmi2"
#endif
#ifdef __AVX512F__
    " avx512f"
#endif
#ifdef __AVX512CD__
    " avx512cd"
#endif
#ifdef __AVX512BW__
    " avx512bw"
#endif
#ifdef __AVX512DQ__
    " avx512dq"
#endif
#ifdef __AVX512VL__
    " avx512vl"
#endif
#endif
    ;

extern const char kBuiltWithFlags[] = NNSWEEP_ARCH_FLAGS;

}  // namespace runner::cpu
