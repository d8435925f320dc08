// libFuzzer target: arbitrary bytes as a sweep file. Loading must either give a valid Sweep or
// throw nn::InputError; any other exception, crash, leak or hang is a bug. A loaded sweep is
// enumerated at its first, middle and last trial, as `plan` and `run` would.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "nn/input_error.h"
#include "sweeps/spec.h"

namespace {

// A folder with a small CSV file, so `dataset: csv, path: data.csv` reaches the CSV checks.
std::filesystem::path base_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / "nnsweep_sweep_fuzz";
    std::filesystem::create_directories(d);
    std::ofstream(d / "data.csv") << "x1,x2,label\n0,1,a\n1,0,b\n2,2,a\n3,1,b\n";
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // Random samples are drawn when the file loads, so the time a load may take grows with
    // max_trials; a lower limit than the default (which a file's own max_trials cannot raise)
    // keeps every input within the fuzzer's per-input timeout while reaching the same checks.
    sweeps::LoadOptions options;
    options.max_trials = 50'000;
    const sweeps::Sweep sweep = sweeps::parse_sweep(text, "fuzz.yaml", base_dir(), options);
    for (const std::uint64_t i : {std::uint64_t{0}, sweep.size() / 2, sweep.size() - 1}) {
      if (i >= sweep.size()) continue;
      const sweeps::Trial trial = sweep.trial(i);
      (void)sweep.params(trial.config);
      (void)sweeps::canonical(trial.config);
    }
    (void)sweep.canonical_yaml();
    (void)sweep.hash();
  } catch (const nn::InputError&) {
    // A rejection with a message: the expected outcome for most inputs.
  }
  return 0;
}
