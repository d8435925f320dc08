// Helpers shared by the sweeps/ suites: parse sweep text and capture the error it throws.
#pragma once

#include <filesystem>
#include <string>

#include "nn/input_error.h"
#include "sweeps/spec.h"

namespace sweeps::testing {

inline std::filesystem::path test_data_dir() {
  return std::filesystem::path(NNSWEEP_SOURCE_DIR) / "sweeps" / "examples";
}

inline Sweep parse(const std::string& text, const LoadOptions& options = {}) {
  return parse_sweep(text, "s.yaml", test_data_dir(), options);
}

// "FILE:LINE:COL: error: message" of the error parsing `text` throws, or "no error".
inline std::string error_of(const std::string& text, const LoadOptions& options = {}) {
  try {
    parse(text, options);
  } catch (const nn::InputError& e) {
    return e.describe();
  }
  return "no error";
}

}  // namespace sweeps::testing
