// Canonical text of a configuration and the stable hash that turns it into trial ids and
// seeds (spec.h declares canonical() and stable_hash(); these are the pieces they share).
// Canonical text is one "key: value" line per setting in the fixed order of settings(), with
// shortest round-trip numbers, so equal configurations give equal text and equal hashes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/config.h"

namespace sweeps {

// Shortest text that reads back as the same double ("0.03", "1e-05"); -0 is written as 0.
std::string format_number(double value);
// 16 lower-case hex digits.
std::string hex16(std::uint64_t value);

// Which settings canonical text covers: everything; everything but train.epochs (the seed of
// a trial, so epoch siblings train identically); or the data section only (the data seed).
enum class CanonicalPart { all, without_epochs, data };
std::string canonical(const nn::TrialConfig& config, CanonicalPart part);

// All three parts at once, each setting formatted once, with the settings' values in the order
// of settings(): what enumerating a trial needs (formatting numbers is most of its cost).
struct CanonicalTexts {
  std::string all, without_epochs, data;
  std::vector<std::string> values;
};
CanonicalTexts canonical_texts(const nn::TrialConfig& config);

// stable_hash(a + b) == mix64(fnv1a(fnv1a(kFnvBasis, a), b)): a hash can be continued from the
// state after a common prefix.
inline constexpr std::uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a(std::uint64_t state, std::string_view text);

}  // namespace sweeps
