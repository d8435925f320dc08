// A validated sweep: the base configuration, the axes of its grid, include/exclude, random
// samples and repeats, and the lazy enumeration of its trials by index. Loading checks every
// key, type and value and throws nn::InputError with FILE:LINE:COL; a Sweep that exists is
// valid. Enumeration never materialises the trial list: trial(i) is computed from i alone
// (mixed radix over the axes), so it is the same trial on every machine and in every shard.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nn/config.h"
#include "results/pivot_spec.h"
#include "sweeps/halving.h"
#include "sweeps/overrides.h"
#include "sweeps/spread.h"

namespace sweeps {

// What a report cell can show (`report: {cell: ...}`).
inline constexpr std::array<std::string_view, 17> kReportCells = {"outcome",
                                                                  "epochs_to_target",
                                                                  "success_rate",
                                                                  "final_train_loss",
                                                                  "final_val_loss",
                                                                  "final_test_loss",
                                                                  "best_train_loss",
                                                                  "best_val_loss",
                                                                  "final_train_accuracy",
                                                                  "final_val_accuracy",
                                                                  "final_test_accuracy",
                                                                  "best_val_accuracy",
                                                                  "final_val_balanced_accuracy",
                                                                  "final_test_balanced_accuracy",
                                                                  "final_val_macro_f1",
                                                                  "final_test_macro_f1",
                                                                  "wall_seconds"};

// How much of each loss curve goes into curves.csv.
struct CurvesSpec {
  bool enabled = true;
  int every = 1;  // keep epochs 0, every, 2*every, ... and always the last one
};

// One resolved hyperparameter as a (dotted key, canonical text) pair, e.g.
// {"train.learning_rate", "0.03"}, {"model.hidden", "8-8"}.
struct Param {
  std::string key;
  std::string value;
};

struct Trial {
  std::uint64_t index = 0;      // position in the sweep, 0 .. size()-1
  int repeat = 0;               // 0 .. repeats-1
  int fold = 0;                 // kfold: the fold it validates on, 0 .. folds-1; else 0
  std::string id;               // 16 hex digits, content-addressed (see README "Trial ids")
  std::uint64_t seed = 0;       // initialisation and shuffling
  std::uint64_t data_seed = 0;  // the dataset: equal for equal data configs
  // Equal for epoch siblings, and only for them: trials that differ in nothing but
  // train.epochs, so that one training serves them all (its first epochs are theirs).
  std::uint64_t training = 0;
  nn::TrialConfig config;     // fully resolved; csv paths absolute
  std::vector<Param> params;  // params(config): the CSV columns, paths as written
};

// What trial(i) computes once per configuration, kept for the repeats that follow it (they
// differ only in the repeat number): pass one to Sweep::trial(i, cache) when enumerating in
// index order. Its contents are the sweep's business. Owned by one enumerating thread.
class TrialCache {
 public:
  TrialCache();
  ~TrialCache();
  TrialCache(TrialCache&&) noexcept;
  TrialCache& operator=(TrialCache&&) noexcept;

  struct State;  // defined in spec.cpp

 private:
  friend class Sweep;
  std::unique_ptr<State> state_;
};

struct LoadOptions {
  // Larger sweeps are refused with their size. A `max_trials` key in the sweep file replaces
  // the default, but a value set here that differs from the default wins over the file.
  static constexpr std::uint64_t kDefaultMaxTrials = 1'000'000;
  std::uint64_t max_trials = kDefaultMaxTrials;
  // Changes from the command line (`nnsweep run SPEC KEY=VALUE ...`), put into the file's tree
  // before it is read: the resolved spec and its hash include them.
  std::vector<SpecOverride> overrides;
};

class Sweep {
 public:
  const std::string& name() const;
  std::uint64_t seed() const;
  int repeats() const;
  int folds() const;           // data.split.folds under kfold, else 1
  std::uint64_t size() const;  // trials: configurations x repeats x folds
  Trial trial(std::uint64_t index) const;
  // The same, faster when consecutive calls ask for repeats of one configuration (an
  // enumeration in index order with repeats > 1).
  Trial trial(std::uint64_t index, TrialCache& cache) const;

  // Column names and values of every hyperparameter, in one fixed order for the whole sweep.
  const std::vector<std::string>& param_keys() const;
  std::vector<Param> params(const nn::TrialConfig& config) const;

  // What the convergence table pivots on and what fills its cells. Unless the sweep file says,
  // rows and columns are the sweep's own axes: the two with the most values (ties by file
  // order, the first as rows); with one axis, it is the rows and the table has one column; a
  // random search pivots on its sampled settings the same way.
  const results::PivotSpec& report() const;
  const CurvesSpec& curves() const;
  std::string hash() const;            // 16 hex digits of the canonical resolved spec
  std::string canonical_yaml() const;  // the spec as resolved (defaults filled in), for manifests
  const std::filesystem::path& file() const;

  // For `nnsweep plan`: the axes with their canonical values, in enumeration order.
  struct Axis {
    std::string key;
    std::vector<std::string> values;
  };
  const std::vector<Axis>& axes() const;
  // Consecutive indices that can hold a run of epoch siblings (trials that differ only in the
  // budget, train.epochs, and share one training): the budget axis's values x repeats x folds.
  std::uint64_t sibling_run() const;

  // How size() comes about, for `nnsweep plan`: configurations = (grid_points - excluded -
  // collapsed + included) x samples, and size() = configurations x repeats.
  struct Counts {
    std::uint64_t grid_points = 1;  // product of the axis sizes (1 without axes)
    std::uint64_t excluded = 0;     // grid points removed by exclude
    std::uint64_t collapsed = 0;    // grid points that duplicate another (a setting that does
                                    // not apply holds other than its first value)
    std::uint64_t included = 0;     // combinations added by include
    std::uint64_t samples = 1;      // random samples (1 without random)
    std::uint64_t configurations = 1;
  };
  const Counts& counts() const;
  // Why combinations collapsed, a line each: the axes that do not always apply, and the include
  // entries that give a trial the sweep already has.
  std::vector<std::string> collapse_notes() const;
  // The random parameters as {key, "log_uniform [0.0001, 1]"}, in drawing order.
  const std::vector<Param>& random_params() const;
  // How evenly the random samples cover their ranges (empty params without random): per
  // parameter and jointly, for the sweep's random.method and for the pseudo-random draw of the
  // same seed (the same figures under pseudo; absent when that draw cannot be made).
  struct RandomSpread {
    std::string method;  // random.method
    struct Row {
      std::string key;
      Spread spread;
      std::optional<Spread> pseudo;
    };
    std::vector<Row> params;
    std::size_t joint_points = 0;  // samples the joint figure is computed over
    double joint = 0;
    std::optional<double> joint_pseudo;
  };
  RandomSpread random_spread() const;
  // `halving:` (successive halving, hyperband), when the file asks for it.
  const std::optional<Halving>& halving() const;

  struct Impl;
  explicit Sweep(std::shared_ptr<const Impl> impl);

 private:
  std::shared_ptr<const Impl> impl_;
};

// Reads and validates a sweep file. Throws nn::InputError naming FILE:LINE:COL.
Sweep load_sweep(const std::filesystem::path& file, const LoadOptions& options = {});
// The same from text; `file` names it in errors, relative csv paths resolve against `base_dir`.
Sweep parse_sweep(std::string_view text, const std::string& file,
                  const std::filesystem::path& base_dir, const LoadOptions& options = {});

// Canonical text of a configuration's identity (sweeps/canonical.h): the training settings that
// apply, fixed order, shortest round-trip numbers. Configurations that train the same network
// give equal text whatever the sweep file's order or spelling.
std::string canonical(const nn::TrialConfig& config);
// A 64-bit hash of text that is the same on every platform and library version.
std::uint64_t stable_hash(std::string_view text);
// SplitMix64's finaliser: spreads every input bit over the whole word (stable_hash ends with
// it). Hand-written: Boost 1.74 has no such mixer (its hash_combine barely mixes).
std::uint64_t mix64(std::uint64_t x);

}  // namespace sweeps
