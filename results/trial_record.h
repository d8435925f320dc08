// One trial's row of trials.csv: identity, hyperparameters, status and metrics. The schema is
// fixed except for the hyperparameter columns, which sit between `seed` and `status` in the
// sweep's own key order; formatting then parsing a row gives back an equal record, NaN and
// infinities included. Hyperparameter keys are dotted (`train.learning_rate`), so they never
// clash with the fixed column names.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/train.h"
#include "results/csv.h"

namespace results {

// (dotted key, canonical value) pairs, in the sweep's fixed column order.
using Params = std::vector<std::pair<std::string, std::string>>;

// What became of a trial: its outcome (nn/outcome.h), `error` when the training threw (a real
// failure, not a divergence). Spelled as text only in files, through nn::kOutcomeNames.
using nn::Outcome;
inline std::optional<Outcome> parse_outcome(std::string_view text) {
  return nn::parse_name<Outcome>(text, nn::kOutcomeNames);
}
inline constexpr std::size_t kOutcomes = nn::kOutcomeNames.size();

struct OutcomeCounts {
  std::array<std::uint64_t, kOutcomes> n{};

  void add(Outcome outcome) { ++n[static_cast<std::size_t>(outcome)]; }
  std::uint64_t operator[](Outcome outcome) const { return n[static_cast<std::size_t>(outcome)]; }
  std::uint64_t total() const;
  // The trials that ran to the end of their training (all but errors and pruned ones).
  std::uint64_t ran() const { return total() - (*this)[Outcome::error] - (*this)[Outcome::pruned]; }
  bool operator==(const OutcomeCounts&) const = default;
};

struct TrialRecord {
  std::uint64_t index = 0;
  std::string id;
  int repeat = 0;
  std::optional<int> fold;  // cross-validation: the fold the trial validated on
  std::uint64_t seed = 0;
  Params params;
  Outcome outcome = Outcome::underfit;
  std::string outcome_reason;
  std::optional<int> epochs_to_target;
  int epochs_run = 0;
  std::optional<int> stopped_epoch;  // train.early_stopping ended it here, before its budget
  double baseline_loss = std::numeric_limits<double>::quiet_NaN();  // no-skill loss
  nn::EpochMetrics initial, final, best;  // best = epoch of lowest selection loss
  double wall_seconds = 0;
  std::string error;        // the message when status is `error`
  std::optional<int> rung;  // halving: the rung (0-based) whose epochs the row is at

  bool operator==(const TrialRecord& other) const;  // NaN equals NaN here
};

TrialRecord make_record(std::uint64_t index, std::string id, int repeat, std::uint64_t seed,
                        Params params, const nn::TrainResult& result, double wall_seconds);
// A trial whose training threw: outcome `error`, no metrics.
TrialRecord make_error_record(std::uint64_t index, std::string id, int repeat, std::uint64_t seed,
                              Params params, std::string message, double wall_seconds);

// The numeric metric columns of trials.csv, in order: epochs_to_target, epochs_run,
// stopped_epoch, best_epoch, baseline_loss, per stage initial, final, best: {train,val,test}_loss,
// {train,val,test}_accuracy, {train,val,test}_balanced_accuracy, {train,val,test}_macro_f1;
// wall_seconds.
const std::vector<std::string>& trial_metric_names();
// The value of metric column `name` (see trial_metric_names); NaN when it does not apply.
// Nothing when `name` is not a metric column.
std::optional<double> trial_metric(const TrialRecord& record, std::string_view name);

// trials.csv columns: trial_index, trial_id, repeat, fold (empty without k-fold), seed,
// <param keys>, outcome,
// outcome_reason, the metric columns, error, rung.
std::vector<std::string> trials_header(std::span<const std::string> param_keys);
std::string format_trials_header(std::span<const std::string> param_keys);
// One row ending in LF. REQUIRES record.params in the order of the header's keys.
std::string format_trial_row(const TrialRecord& record);

// The hyperparameter keys a trials.csv header names; throws nn::InputError at the first
// column that does not fit the schema. The header of an nnsweep from before the folds and the
// balanced accuracy and macro F1 columns (id scheme 2) is read too (`*legacy` set): its rows
// have no fold and NaN for those scores. A header from before early stopping and halving,
// without stopped_epoch and the last column, `rung`, is read too (`*without_rung` set): its rows
// stopped nowhere and have no rung.
std::vector<std::string> parse_trials_header(const CsvRecord& header, const std::string& file,
                                             bool* legacy = nullptr, bool* without_rung = nullptr);
// A row back as a record; throws nn::InputError naming the offending field.
TrialRecord parse_trial_row(const CsvRecord& row, std::span<const std::string> param_keys,
                            const std::string& file);

struct TrialsFileInfo {
  std::vector<std::string> param_keys;
  std::uint64_t rows = 0;  // complete rows passed on
  bool torn_tail = false;  // the file ended in a torn line, which was skipped
  // The layout of id scheme 2: no fold, no balanced accuracy or macro F1.
  bool without_class_scores = false;
  bool without_rung = false;           // written before the rung column
  bool without_stopped_epoch = false;  // from before early stopping
  std::uint64_t complete_bytes = 0;    // truncate the file to this before appending to it
};
// Streams trials.csv to `row`, one record per complete row, in file order, after handing
// `header` (when given) the parameter columns of the header, before the first row. An empty
// input has no header and no rows: neither is called. Throws nn::InputError for anything
// malformed other than a torn tail.
TrialsFileInfo read_trials(
    std::istream& in, const std::string& file, const std::function<void(TrialRecord&&)>& row,
    const std::function<void(const std::vector<std::string>& param_keys)>& header = {});

// Copies trials.csv from `in` to `out` with its rows sorted by trial_index, byte for byte, the
// last row kept when an index appears twice and a torn last line dropped. `in` must be seekable
// (a file); memory grows by a few words per trial, plus the file itself when it is at most
// `hold_bytes` (a larger one is copied row by row). Every row is parsed and checked before
// anything is written, unless `check_rows` is false (rows this process wrote or already read):
// then only each row's trial_index is read. Returns the rows written.
inline constexpr std::uint64_t kSortHoldBytes = std::uint64_t{64} << 20;
std::uint64_t sort_trials(std::istream& in, std::ostream& out, const std::string& file,
                          std::uint64_t hold_bytes = kSortHoldBytes, bool check_rows = true);

}  // namespace results
