// Canonical text of a configuration and the stable hash that turns it into trial ids and
// seeds (spec.h declares canonical() and stable_hash(); these are the pieces they share).
// Canonical text is one "key: value" line per setting in the fixed order of settings(), with
// shortest round-trip numbers, so equal configurations give equal text and equal hashes.
//
// Which settings each text holds (the trial identity scheme, kIdScheme):
// - identity: every training setting that applies to the configuration; an analysis setting
//   (convergence.*) never, a setting that does not apply (momentum under sgd) never, and a
//   setting added after this scheme only when it differs from its neutral value (the same
//   holds for the texts below). Two
//   configurations with equal identity train the same network: they are one trial.
// - stream: the settings a trial's random streams (initial weights, batch order) come from:
//   the data, the network's shape and its initialisation. Trials that differ only in rates,
//   optimizer, penalty or epochs start from the same weights and see the same batches.
// - data: the data settings that apply, which fix the dataset.
// - training: the identity without the budget (train.epochs): trials with equal training text
//   are epoch siblings, the first epochs of one training.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/config.h"

namespace sweeps {

// The version of the rules above. Results made under another scheme have other ids and seeds
// for the same sweep, so a run never mixes two (the manifest records it).
inline constexpr int kIdScheme = 3;

// Shortest text that reads back as the same double ("0.03", "1e-05"); -0 is written as 0.
std::string format_number(double value);
// 16 lower-case hex digits.
std::string hex16(std::uint64_t value);

enum class CanonicalPart { identity, stream, data };
std::string canonical(const nn::TrialConfig& config, CanonicalPart part);

// All three parts at once, each setting formatted once, with the settings' values in the order
// of settings() (empty where a setting does not apply): what enumerating a trial needs
// (formatting numbers is most of its cost).
struct CanonicalTexts {
  std::string identity, stream, data;
  std::string training;  // identity without the budget: equal for epoch siblings
  std::vector<std::string> values;
};
CanonicalTexts canonical_texts(const nn::TrialConfig& config);

// stable_hash(a + b) == mix64(fnv1a(fnv1a(kFnvBasis, a), b)): a hash can be continued from the
// state after a common prefix.
inline constexpr std::uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a(std::uint64_t state, std::string_view text);

}  // namespace sweeps
