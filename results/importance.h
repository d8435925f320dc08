// importance.csv, the report's "What matters" section and `nnsweep report DIR --importance`:
// how much of a metric's variance across the trials each setting that varies explains, by an
// analysis of variance (anova.h) over the sweep's axes. The axes are the parameter columns with
// more than one value; with repeats, the repeat index enters as a block (the repeats of every
// configuration share their random streams, so repeat r is one draw of the seed for all of
// them), and the residual is what is left: the seed-to-seed noise. Exact for a grid; settings
// drawn at random (random search) are cut into quintiles first: the estimator "ANOVA on
// quantile bins", deterministic for a given set of trials.
//
// Fed trials.csv's records one at a time; keeps a few words per trial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "results/anova.h"
#include "results/column_roles.h"
#include "results/trial_record.h"

namespace results {

// The metric analysed when none is asked for: the ranking's (best_val_loss when any trial has
// a validation loss, else best_train_loss).
inline constexpr std::string_view kRankingMetric = "ranking";

// A setting that varies, as the report's charts place it: each trial at a position in [0, 1].
struct ChartAxis {
  std::string key;
  std::vector<std::pair<double, std::string>> ticks;  // position, label
  bool sampled = false;  // drawn at random: positions spread continuously, no median line
  bool log_scale = false;
};

// One trial for the charts: its position on each ChartAxis, the metric and its outcome.
struct ChartTrial {
  std::vector<float> x;
  double y = 0;
  Outcome outcome = Outcome::underfit;
};

struct ImportanceTable {
  std::string metric;     // the trials.csv column analysed
  std::string estimator;  // "exact" (a grid) or "quantile_bins" (a sampled setting was binned)
  std::vector<std::string> binned;  // the settings cut into quintiles
  AnovaTable anova;                 // terms, shares, F, p; used and left-out counts
  std::vector<ChartAxis> axes;      // the settings that vary, in column order
  std::vector<ChartTrial> trials;   // every trial but errors, in trial order
  std::size_t errors = 0;           // trials with outcome `error`, left out
  // A term's label for people: the setting, "a × b", "repeat (seed draw)", "fold (data split)",
  // "residual (noise)".
  static std::string label(const AnovaTerm& term);
  bool has_axes() const { return anova.terms.size() > 1; }
};

class Importance {
 public:
  // `keys`: trials.csv's parameter columns. `metric`: a trials.csv metric column, or
  // kRankingMetric. Throws std::invalid_argument for a metric that is not a column, naming the
  // ones that are.
  Importance(std::vector<std::string> keys, ColumnRoles roles,
             std::string metric = std::string(kRankingMetric));

  void add(const TrialRecord& record);

  // Throws std::invalid_argument (listing what would work) when `require_axes` and no setting
  // varies.
  ImportanceTable table(bool require_axes = false) const;

 private:
  struct Trial {
    std::uint32_t first_code = 0;  // into codes_: keys_.size() value codes
    int repeat = 0;
    int fold = 0;
    double y = 0, y_train = 0;  // the metric, and best_train_loss for the ranking's fallback
    Outcome outcome = Outcome::underfit;
  };
  // Fills out.axes and each trial's x from the codes of column `k` of `rows`.
  void chart_axis(std::size_t k, const std::vector<std::size_t>& rows, bool sampled,
                  ImportanceTable& out) const;
  std::vector<std::string> keys_;
  ColumnRoles roles_;
  std::string metric_;
  bool any_val_ = false;
  std::vector<std::vector<std::string>> values_;  // per key: its distinct values, first seen
  std::vector<std::unordered_map<std::string, std::uint32_t>> code_of_;  // per key: value -> code
  std::vector<std::uint32_t> codes_;
  std::vector<Trial> trials_;
};

// importance.csv: one row per term (main effects, pairwise interactions, the repeat block,
// the residual) with its df, sums of squares, F, p-value and share of the variance.
std::string importance_csv(const ImportanceTable& table);

// For the terminal: the terms by share, with a bar each.
std::string importance_text(const ImportanceTable& table);

}  // namespace results
