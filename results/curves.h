// curves.csv: the loss curves in long format, one row per trial per kept epoch. Rows are
// formatted one trial at a time for streaming (the sweep's curves are never held in memory);
// `every` K keeps epochs 0, K, 2K, ... and always the last. sort_curves() rewrites an appended
// file in trial order, keeping one block per trial, so the result is the same for any
// scheduling and after any number of resumes.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nn/train.h"
#include "results/csv.h"

namespace results {

// trial_id, epoch, train_loss, val_loss, test_loss, train_accuracy, val_accuracy, test_accuracy
const std::vector<std::string>& curves_header();
std::string format_curves_header();

// A row of a trial's curve as the page's loss bands use it (results/curve_bands.h).
struct CurveSample {
  int epoch = 0;
  double train_loss = 0, test_loss = 0;
};

// Whether epoch `epoch` of a curve ending at `last_epoch` is written when keeping every
// `every`-th epoch (REQUIRES every >= 1).
bool keep_epoch(int epoch, int last_epoch, int every);
// Appends one row ending in LF.
void append_curve_row(std::string& out, std::string_view trial_id, const nn::EpochMetrics& m);
// Appends the kept rows of one trial's curve (epochs 0..n-1 in order), and to `samples`, when
// given, the same rows as report.html's bands use them.
void append_curve_rows(std::string& out, std::string_view trial_id,
                       std::span<const nn::EpochMetrics> curve, int every,
                       std::vector<CurveSample>* samples = nullptr);

struct CurvePoint {
  std::string trial_id;
  nn::EpochMetrics metrics;
};
// Throws nn::InputError for a header that is not curves.csv's.
void check_curves_header(const CsvRecord& header, const std::string& file);
// Throws nn::InputError naming the offending field.
CurvePoint parse_curve_row(const CsvRecord& row, const std::string& file);

// Streams a curves.csv: checks its header, then hands each complete row to `point`, in file
// order; a torn last line is dropped. False when the input is empty (no header). Throws
// nn::InputError for a malformed file.
bool read_curves(std::istream& in, const std::string& file,
                 const std::function<void(CurvePoint&&)>& point);

// The last epoch of each trial's last block of rows (a block as sort_curves reads it): a trial
// whose row names another epoch has no complete curve. `complete_bytes`, when given, is set to
// where the complete lines end (a kill can tear the last one). Throws nn::InputError for a
// malformed file.
std::unordered_map<std::string, int> curve_ends(std::istream& in, const std::string& file,
                                                std::uint64_t* complete_bytes = nullptr);

// Copies curves.csv from `in` to `out` with each trial of `trial_ids` once, in that order: the
// last complete block of rows written for the trial (a block restarts when the epoch stops
// increasing, e.g. a trial re-run after a resume). Rows of trials not listed and a torn last
// line are dropped. `in` must be seekable (a file); memory grows with the trials, not the rows.
void sort_curves(std::istream& in, std::ostream& out, std::span<const std::string> trial_ids,
                 const std::string& file);

}  // namespace results
