// The end of a run, and all of `nnsweep report`: puts trials.csv and curves.csv in trial order
// (atomically replaced), then derives summary.csv, convergence.csv, convergence_cells.csv,
// convergence.md and report.html from them. Works on a complete or a partial (interrupted)
// directory. Memory grows with the number of trials by a few words each, never with their rows or
// curves. A run that wrote its rows in trial order into fresh files feeds a TablesBuilder as it
// goes instead, and neither sorts nor reads the files back.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/atomic_file.h"
#include "results/best_trials.h"
#include "results/column_roles.h"
#include "results/convergence_table.h"
#include "results/importance.h"
#include "results/report_page.h"
#include "results/trial_record.h"

namespace results {

struct Tables {
  OutcomeCounts counts;
  std::string convergence_text;  // the pivot, for the terminal
  // The best configurations for the terminal, and which models were trained again.
  std::string best_text;
  std::string importance_text;  // importance.csv for the terminal (importance.h)
};

struct TablesOptions {
  std::string sweep_name;  // the page's title
  ColumnRoles columns;     // which settings tell data configurations apart
  // The trials whose decision boundaries the page draws (and whose models it saves, when the
  // source saves them); without them, when the sweep is not known, the page draws none.
  BoundaryTrials* boundary_trials = nullptr;
  bool rows_checked = false;  // trials.csv holds only rows this process wrote or parsed
  int threads = 1;            // above 1, the page and the tables are written side by side
  // Set by Ctrl-C or SIGTERM: the tables stop promptly and throw Interrupted, leaving
  // the files they would replace as they were.
  const std::atomic<bool>* interrupt = nullptr;
};

// Stages the tables and report.html in `files`, a batch of `dir` the caller commits (a run adds
// its manifest first); trials.csv and curves.csv are put in trial order first. Throws
// nn::InputError for a malformed trials.csv or curves.csv, and std::invalid_argument when the
// pivot names a column trials.csv does not have.
Tables write_tables(const std::filesystem::path& dir, const PivotSpec& pivot, bool colour,
                    const TablesOptions& options, FileBatch& files);

// Puts trials.csv and curves.csv of `dir` in trial order (each atomically replaced), as
// write_tables does first; returns the trial ids in that order.
std::vector<std::string> put_in_trial_order(const std::filesystem::path& dir, bool rows_checked,
                                            const std::atomic<bool>* interrupt = nullptr);

// The aggregates behind the tables and the page, fed trials.csv's records in trial order.
class TablesBuilder {
 public:
  // `keys`: trials.csv's parameter columns. Throws std::invalid_argument when the pivot names a
  // column that is not among them.
  TablesBuilder(const PivotSpec& pivot, std::vector<std::string> keys, ColumnRoles columns);
  ~TablesBuilder();
  TablesBuilder(const TablesBuilder&) = delete;
  TablesBuilder& operator=(const TablesBuilder&) = delete;

  // `kept` and `curve` as for ReportPage::add.
  void add(const TrialRecord& record, KeptWeights kept = {},
           std::vector<CurveSample>* curve = nullptr);

  // Stages the tables and report.html of `dir` in `files`, which the caller commits.
  // `curve_order` (the trial ids in trial order) puts curves.csv in that order first; without
  // it trials.csv and curves.csv are taken to be in order already and are only synced to disk.
  Tables write(const std::filesystem::path& dir, bool colour, const TablesOptions& options,
               FileBatch& files, const std::vector<std::string>* curve_order = nullptr);

  // report.html alone, as write() makes it, with the status line and refresh tag of `live`
  // (its done and counts are the records added), no decision boundaries (they need trained
  // models) and the loss curves only when `curves`. Writes nothing.
  std::string live_page(const std::filesystem::path& dir, const TablesOptions& options,
                        LiveStatus live, bool curves);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// report.html of a run that still goes, from what `dir` holds: the complete rows of trials.csv
// so far (in file order; a trial with two rows, trained again after a resume, counts once) and
// curves.csv when it is at most `max_curves_bytes` (reading a large one would cost the run
// more than the page is worth). As TablesBuilder::live_page; memory grows with the trials, not
// with their rows. Throws Interrupted when options.interrupt is set, nn::InputError for a
// malformed file.
std::string live_report_html(const std::filesystem::path& dir, const PivotSpec& pivot,
                             const TablesOptions& options, const LiveStatus& live,
                             std::uint64_t max_curves_bytes);

}  // namespace results
