// Whether this CPU has the instructions nnsweep was compiled for. A build with instruction-set
// flags (NNSWEEP_ARCH_FLAGS, e.g. -mavx2 -mfma) would die of SIGILL at its first such instruction
// on an older CPU; nnsweep checks first and says what it needs (runner/cpu_guard.cpp). This code
// is compiled without those flags and must stay so: it runs before anything that has them.
// Features are named as GCC's __builtin_cpu_supports names them: "avx2", "fma", "sse4.2".
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace runner::cpu {

// The instructions the rest of the executable was compiled for, as feature names separated by
// spaces (empty for a portable build); defined by runner/built_for.cpp, which is compiled with
// nn/'s flags. kBuiltWithFlags: those flags, as given to the compiler.
extern const char kBuiltFor[];
extern const char kBuiltWithFlags[];

using HasFeature = std::function<bool(std::string_view feature)>;

// The features of `required` (names separated by spaces) that `has` says are absent, in order.
std::vector<std::string> missing(std::string_view required, const HasFeature& has);

// Whether the CPU running this has `feature`; false for a name it does not know.
bool this_cpu_has(std::string_view feature);

// What a CPU without `required` is told, one line: the features named by the flags (those they
// imply left out: AVX2 implies AVX) and how to build a binary that runs anywhere.
std::string needs_message(std::string_view required, std::string_view flags);

}  // namespace runner::cpu
