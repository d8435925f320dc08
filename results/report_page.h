// report.html of an output directory. Fed every trials.csv record during the tables' pass,
// it then streams curves.csv into aggregated bands (results/curve_bands.h), draws the decision
// boundary of the best trial of each built-in dataset (its model asked of a BoundaryTrials
// source: the page itself never trains) and writes the page (results/report_html.h). Memory
// grows by a few words per trial, never with curves.csv's rows, except that a run may hand
// over each trial's curve with its record (up to kMaxHeldSamples rows in all): reading curves.csv
// back and parsing it was most of what curves cost a small sweep.
#pragma once

#include <atomic>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "results/atomic_file.h"
#include "results/best_trials.h"
#include "results/column_roles.h"
#include "results/convergence_table.h"
#include "results/curve_bands.h"
#include "results/importance.h"
#include "results/report_html.h"
#include "results/trial_record.h"

namespace results {

// What only the runner can give the page for a decision boundary: the trained model of the trial
// that stands for a data configuration, its settings and its data. The page never trains and
// never reads the sweep; it asks through this.
struct BoundaryTrial {
  ModelFile model;
  bool trained_again = false;  // the model was neither at hand nor saved: say so
  std::vector<std::pair<std::string, std::string>> params;  // the trial's settings
  nn::Dataset data;  // its train, validation and test splits, with the raw inputs x1 and x2
  // Its parameters at a few epochs of its training (epoch 0 first), for the boundary as it
  // formed; empty when the source kept none.
  std::vector<std::pair<int, std::vector<double>>> snapshots;
};

class BoundaryTrials {
 public:
  virtual ~BoundaryTrials() = default;
  // The trial `chosen` names, with its final parameters when the page kept them (`at_hand`).
  // Its model is saved when the source was asked to save models, whether or not it is drawn.
  // Nothing when it is not to be drawn (`draw` false), or when these results are not of the
  // sweep the source knows. Throws when the model cannot be made.
  virtual std::optional<BoundaryTrial> trial(const ChosenTrial& chosen, const TrainedModel* at_hand,
                                             bool draw) = 0;
  // Whether models are saved: then every chosen trial is asked for, drawn or not.
  virtual bool saves_models() const = 0;
};

struct ReportContext {
  std::string sweep_name;
  const ConvergenceTable* table = nullptr;
  OutcomeCounts counts;
  std::string best_by;
  std::vector<BestRow> best;
  std::vector<ChosenTrial> chosen;  // the trials whose boundaries are drawn
  const ImportanceTable* importance = nullptr;
  // The trials whose decision boundaries are drawn; without them (the sweep is not known) the
  // page draws none.
  BoundaryTrials* boundary_trials = nullptr;
  const std::atomic<bool>* interrupt = nullptr;  // set: stop (throws Interrupted)
  std::optional<LiveStatus> live;  // the run still goes: the page says where it stands
  // False: curves.csv is not read and the page says the curves come with the final page (a
  // page made during a run whose curves.csv is large).
  bool curves = true;
  int threads = 1;  // above 1, the loss curves and the decision boundaries are made side by side
};

class ReportPage {
 public:
  static constexpr int kMaxPanels = 12;     // loss-curve panels (row values) drawn
  static constexpr int kMaxLines = 7;       // lines (column values) per panel
  static constexpr int kMaxBoundaries = 6;  // decision-boundary plots
  static constexpr int kResolution = 100;   // boundary grid: kResolution^2 network outputs
  static constexpr std::size_t kMaxHeldSamples = std::size_t{1} << 20;  // 24 MB of curve rows

  // `columns` says which settings are data settings (the boundaries' titles name them).
  ReportPage(PivotSpec pivot, ColumnRoles columns);

  // `parameters`: the trial's trained parameters when the caller has them (a run), kept while it
  // is the best of its data configuration so that its boundary needs no training.
  // `curve`: the trial's rows of curves.csv (taken), when the caller wrote curves.csv in this
  // order from the same rows; once a record comes without one, or the rows exceed
  // kMaxHeldSamples, write() reads curves.csv instead.
  void add(const TrialRecord& record, KeptWeights kept = {},
           std::vector<CurveSample>* curve = nullptr);

  // Streams dir/curves.csv (when present), computes the boundaries and stages report.html in
  // `files` (a batch of dir; the caller commits it). Throws nn::InputError for a malformed
  // curves.csv.
  void write(const std::filesystem::path& dir, const ReportContext& context, FileBatch& files);
  // The page write() stages, returned instead.
  std::string html(const std::filesystem::path& dir, const ReportContext& context);

  // What write() did that the person running it should hear of: the models it trained again
  // (for the terminal; the page is the same either way).
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  struct Trial {
    std::string id;
    int row = 0, col = 0;  // first-seen positions of the row and column values
    int diverged_at = -1;  // the epoch it diverged at; -1 when it did not
  };

  std::vector<Boundary> boundaries(const ReportContext& context, std::vector<std::string>& notes);
  Boundary boundary(const ChosenTrial& chosen, const BoundaryTrial& trial);
  // The loss-curve panels of `rows` x `cols`, from curves.csv when there is one.
  void add_curves(const std::filesystem::path& curves_path, const ReportContext& context,
                  const std::vector<std::string>& rows, const std::vector<std::string>& cols,
                  ReportData& data) const;
  void hold_curve(const std::string& trial_id, std::vector<CurveSample>* curve);
  // The bands of `rows` x `cols` with every registered trial, empty.
  CurveBands empty_bands(const std::vector<std::string>& rows,
                         const std::vector<std::string>& cols) const;
  std::pair<std::string, std::string> title_and_settings(const BoundaryTrial& trial,
                                                         const std::string& dataset) const;

  PivotSpec pivot_;
  ColumnRoles columns_;
  bool keys_known_ = false;
  std::size_t row_key_ = 0, col_key_ = 0;
  std::vector<std::string> keys_, first_values_;
  std::vector<bool> varies_;
  std::vector<std::string> rows_seen_, cols_seen_;
  std::unordered_map<std::string, int> row_of_, col_of_;
  std::vector<Trial> trials_;
  int max_epoch_ = 0;
  std::map<int, RungStop> rungs_;  // successive halving: where the trials stopped
  BestTrials best_{columns_};
  std::vector<std::string> messages_;
  // The curves handed to add(), in its order, and how many rows they hold.
  bool held_any_ = false, held_complete_ = true;
  std::vector<std::pair<std::string, std::vector<CurveSample>>> held_;
  std::size_t held_rows_ = 0;
};

}  // namespace results
