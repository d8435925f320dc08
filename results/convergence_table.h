// The convergence table: trials pivoted by two hyperparameters (`report: {rows, cols, cell}`),
// a cell aggregating every trial with that (row, column) value across repeats and other axes.
// The default cell, `outcome`, shows the outcome most of the cell's trials had, its share, and
// the median epochs_to_target of the learned ones (`learned 100%, 37 ep`); a metric cell shows
// the median of the metric where finite and the share learned (`0.0231 (learned 50%)`).
// Rendered as numeric CSV, long-form CSV, markdown and aligned (optionally coloured) text.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "results/pivot_spec.h"
#include "results/summary.h"
#include "results/trial_record.h"

namespace results {

// Whether `name` can fill the cells: outcome, success_rate or a numeric trials.csv metric column.
bool is_cell_metric(std::string_view name);

// The outcome most of `counts` had; ties go to the worse one (diverged first, learned after
// overfit). REQUIRES counts.total() > 0.
Outcome dominant(const OutcomeCounts& counts);

class ConvergenceTable {
 public:
  struct Cell {
    OutcomeCounts counts;
    std::vector<double> values;  // the finite values of the cell metric, in the order added
    // (for outcome: epochs_to_target of the learned trials)
    // The outcome_reason of the first trial (in the order added) of each outcome.
    std::array<std::string, kOutcomes> first_reason;
    // Why the cell shows its dominant outcome: the first such trial's reason.
    const std::string& reason() const;
    // Mean of `values`; the share learned for outcome and success_rate; NaN when none.
    double value(std::string_view metric) const;
    // The 95% confidence interval of that mean (results/summary.h); NaN with fewer than two.
    Interval interval(std::string_view metric) const;
  };

  // Throws std::invalid_argument when rows or cols is not among `param_keys` or the cell
  // metric is unknown (see is_cell_metric).
  ConvergenceTable(PivotSpec spec, const std::vector<std::string>& param_keys);

  // REQUIRES record.params has the keys given to the constructor, in order.
  void add(const TrialRecord& record);

  const PivotSpec& spec() const { return spec_; }
  // Axis values in display order: numerically sorted when every value is a number, otherwise
  // in the order first seen.
  std::vector<std::string> row_values() const;
  std::vector<std::string> col_values() const;
  // The cell at (row, col); nullptr when no trial has that combination.
  const Cell* cell(const std::string& row, const std::string& col) const;

  // Pivot with numbers only: first column the row key, one column per column value holding the
  // cell value (empty where there is none).
  std::string csv() const;
  // One row per non-empty cell: <rows key>, <cols key>, n, a count per outcome, success_rate,
  // then <cell>_median (epochs_to_target_median for outcome).
  std::string cells_csv() const;
  // The table as shown to people, blank where empty.
  std::string markdown() const;
  // One cell's text as the table shows it (the page's heatmap uses it too).
  std::string display(const Cell* cell) const;
  // Aligned columns for a terminal; `colour` adds the ANSI colour of each cell's dominant
  // outcome.
  std::string text(bool colour) const;

  // Why the cells whose trials mostly did not learn ended as they did: one line per such cell
  // in display order, `<row key>=<row>, <col key>=<col>: <outcome>: <reason of its first trial
  // with that outcome>`. Cells that mostly learned are left out. At most `limit` lines, then a
  // line saying how many were left out.
  struct CellReason {
    std::string row, col;
    Outcome outcome = Outcome::learned;
    std::string reason;
  };
  std::vector<CellReason> reasons() const;
  std::string reasons_text(std::size_t limit) const;

 private:
  std::vector<std::vector<std::string>> display_grid() const;
  bool any_pruned() const;  // some cell holds a trial successive halving pruned

  PivotSpec spec_;
  std::size_t row_param_ = 0;
  std::size_t col_param_ = 0;
  std::vector<std::string> rows_seen_, cols_seen_;  // first-seen order
  std::unordered_set<std::string> rows_known_, cols_known_;
  std::map<std::pair<std::string, std::string>, Cell> cells_;
};

}  // namespace results
