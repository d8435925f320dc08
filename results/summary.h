// summary.csv: one row per configuration (its hyperparameter values; repeats differ only in
// repeat and seed): trials, count per status, success rate, and n / mean / std / min / max and
// the 95% confidence interval of the mean of each kSummaryMetrics metric over the trials where
// it is finite (NaN and infinities skipped).
// Streaming: add() one trial at a time; memory grows with configurations, not trials. Rows are
// in first-trial order; byte-identical output REQUIRES adding trials in the same order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "results/trial_record.h"

namespace results {

// The summarised metrics (columns of trials.csv). epochs_to_target only has a value for trials
// that reached the target, so its statistics are over those repeats only.
inline constexpr std::string_view kSummaryMetrics[] = {"epochs_to_target",
                                                       "epochs_run",
                                                       "final_train_loss",
                                                       "final_val_loss",
                                                       "final_test_loss",
                                                       "best_train_loss",
                                                       "best_val_loss",
                                                       "best_test_loss",
                                                       "final_train_accuracy",
                                                       "final_val_accuracy",
                                                       "final_test_accuracy",
                                                       "best_val_accuracy",
                                                       "best_test_accuracy",
                                                       "final_train_balanced_accuracy",
                                                       "final_val_balanced_accuracy",
                                                       "final_test_balanced_accuracy",
                                                       "best_test_balanced_accuracy",
                                                       "final_train_macro_f1",
                                                       "final_val_macro_f1",
                                                       "final_test_macro_f1",
                                                       "best_test_macro_f1",
                                                       "wall_seconds"};

// Running mean and variance of a stream of values (Welford's update, numerically stable).
struct RunningStats {
  std::uint64_t n = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean
  double min = 0;
  double max = 0;

  void add(double x);         // REQUIRES x finite
  double sample_std() const;  // NaN when n < 2
};

// The confidence interval of the mean of the values behind `stats`, from Student's t with n-1
// degrees of freedom: the repeats are taken as a sample of the seeds the configuration could
// have had. NaN bounds when n < 2; a zero-width interval when every value was the same.
struct Interval {
  double low = 0, high = 0;
};
Interval mean_interval(const RunningStats& stats, double level = 0.95);

// mean_interval of a kSummaryMetrics metric, clipped to the values the metric can take (every
// one is at least 0; accuracies and F1 scores at most 1): with two repeats the t interval of a
// small loss reaches below zero, which no loss can.
Interval metric_interval(std::string_view metric, const RunningStats& stats);

// The two-sided p-value of Welch's t-test that the values behind `a` and `b` have the same mean
// (unequal variances; Welch-Satterthwaite degrees of freedom). NaN when either has fewer than two
// values. With no spread in either, 1 when the means are equal and 0 when not.
double welch_p_value(const RunningStats& a, const RunningStats& b);

// The repeat that stands for a configuration by one selection loss (its best validation or
// best training loss): the lowest, ties to the lower trial index.
struct Representative {
  std::uint64_t index = 0;
  std::string id;
  double loss = 0;  // the selection loss at its best epoch
  int best_epoch = 0, epochs_run = 0;
  Outcome outcome = Outcome::underfit;
  double test_accuracy = 0, test_loss = 0;  // at the best epoch
};

class Summary {
 public:
  struct Row {
    std::uint64_t first_index = 0;    // smallest trial index of the configuration
    std::vector<std::string> values;  // the hyperparameter values, in key order
    OutcomeCounts counts;
    std::vector<RunningStats> metrics;  // parallel to kSummaryMetrics
    // By best_val_loss and by best_train_loss; unset when no repeat had a finite one.
    std::optional<Representative> by_val, by_train;
    std::uint64_t n() const { return counts.total(); }
    double success_rate() const;  // share learned among the trials that ran to the end
  };

  explicit Summary(std::vector<std::string> param_keys);

  // REQUIRES record.params has the keys given to the constructor, in order.
  void add(const TrialRecord& record);

  // Rows sorted by first trial index.
  std::vector<const Row*> rows() const;
  std::vector<std::string> header() const;
  void write_csv(std::ostream& out) const;

 private:
  std::vector<std::string> param_keys_;
  std::map<std::vector<std::string>, Row> rows_;
};

}  // namespace results
