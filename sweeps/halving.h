// Successive halving and hyperband (`halving: {metric, min_epochs, eta, brackets}`): what the
// sweep file asks for and the ladder of rung epochs. Which trials train to which rung is the
// runner's (runner/halving.h); this part only reads, checks and describes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sweeps/yaml_reader.h"

namespace sweeps {

// The per-epoch metrics a rung can rank by: trials.csv's final_<metric> of a training to the
// rung's epochs. Test metrics are not among them: choosing by them would leak the test set.
inline constexpr const char* kHalvingMetrics[] = {"val_loss",
                                                  "train_loss",
                                                  "val_accuracy",
                                                  "train_accuracy",
                                                  "val_balanced_accuracy",
                                                  "train_balanced_accuracy",
                                                  "val_macro_f1",
                                                  "train_macro_f1"};

struct Halving {
  std::string metric = "val_loss";
  int min_epochs = 1;
  int eta = 3;
  int brackets = 1;
  YAML::Mark metric_mark, min_epochs_mark, brackets_mark;

  bool minimise() const;          // losses fall, scores rise
  bool needs_validation() const;  // a val_* metric
  // The ladder every bracket climbs: min_epochs x eta^k, the last one capped at `epochs`.
  std::vector<int> ladder(int epochs) const;
  // Bracket b's rungs: the ladder from its b-th step.
  std::vector<int> rungs(int bracket, int epochs) const;
  // How many of `n` configurations go on from a rung: ceil(n / eta).
  std::uint64_t keep(std::uint64_t n) const;
  // How many of `n` configurations enter bracket b: ceil(n / eta^b) (all of them in bracket 0).
  std::uint64_t entering(std::uint64_t n, int bracket) const;
  // Which configurations enter bracket b (b >= 1): those with the smallest
  // hash(sweep seed, b, configuration), ties by index; every one in bracket 0.
  std::vector<std::uint64_t> members(std::uint64_t configurations, int bracket,
                                     std::uint64_t sweep_seed) const;
};

// Reads the `halving:` map; checks each field on its own (the checks against the rest of the
// sweep are the sweep's, sweeps/spec.cpp). Fails through `reader` at the value at fault.
Halving read_halving(Reader& reader, const YAML::Node& node);

}  // namespace sweeps
