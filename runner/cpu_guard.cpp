// Refuses to start nnsweep on a CPU without the instructions it was compiled for (see
// runner/cpu_check.h). A constructor of priority 101 runs before main and before every static
// initialiser of default priority, which may already use those instructions. Compiled without
// the instruction-set flags.
#include <cstdio>
#include <cstdlib>

#include "runner/cpu_check.h"

namespace {

[[gnu::constructor(101)]] void refuse_unsupported_cpu() {
  using namespace runner::cpu;
  if (missing(kBuiltFor, this_cpu_has).empty()) return;
  std::fprintf(stderr, "%s\n", needs_message(kBuiltFor, kBuiltWithFlags).c_str());
  // No exit handlers: they could run code compiled with the flags.
  std::_Exit(1);
}

}  // namespace
