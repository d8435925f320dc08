// The convergence table: trials pivoted by two hyperparameters (`report: {rows, cols, cell}`),
// a cell aggregating every trial with that (row, column) value across repeats and other axes:
// the median of the cell metric where finite (for epochs_to_converge: the converged trials)
// and the share converged, or a mark when none converged (`diverged`, `error`, `not converged`).
// Rendered as numeric CSV, long-form CSV, markdown and aligned (optionally coloured) text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "results/trial_record.h"

namespace results {

// What the table pivots on and what fills its cells (mirrors the sweep file's `report:`).
struct PivotSpec {
  std::string rows = "train.learning_rate";
  std::string cols = "model.activation";
  std::string cell = "epochs_to_converge";  // success_rate or a metric of trial_metric_names()
};

// Whether `name` can fill the cells: success_rate or a numeric trials.csv metric column.
bool is_cell_metric(std::string_view name);

class ConvergenceTable {
 public:
  struct Cell {
    StatusCounts counts;
    std::vector<double> values;  // the finite values of the cell metric, in the order added
    // Median of `values` (the share converged for success_rate); NaN when there is none.
    double value(std::string_view metric) const;
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
  // One row per non-empty cell: <rows key>, <cols key>, n, converged, not_converged, diverged,
  // error, success_rate, <cell>_median.
  std::string cells_csv() const;
  // The table as shown to people: `42 (83%)`, `diverged`, `not converged`, blank when empty.
  std::string markdown() const;
  // Aligned columns for a terminal; `colour` adds ANSI colours (green: at least half converged,
  // red: at least half diverged, yellow: otherwise).
  std::string text(bool colour) const;

 private:
  std::string display(const Cell* cell) const;
  std::vector<std::vector<std::string>> display_grid() const;

  PivotSpec spec_;
  std::size_t row_param_ = 0;
  std::size_t col_param_ = 0;
  std::vector<std::string> rows_seen_, cols_seen_;  // first-seen order
  std::unordered_set<std::string> rows_known_, cols_known_;
  std::map<std::pair<std::string, std::string>, Cell> cells_;
};

}  // namespace results
