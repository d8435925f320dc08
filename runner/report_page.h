// report.html of an output directory. Fed every trials.csv record during the tables' pass,
// it then streams curves.csv into aggregated bands (results/curve_bands.h), draws the decision
// boundary of the best trial of each built-in dataset (the model from models/, or the trial
// trained again) and writes the page (results/report_html.h). Memory grows by a few words per
// trial, never with curves.csv's rows.
#pragma once

#include <atomic>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "results/atomic_file.h"
#include "results/convergence_table.h"
#include "results/report_html.h"
#include "results/trial_record.h"
#include "runner/best_trials.h"
#include "runner/saved_models.h"
#include "sweeps/spec.h"

namespace runner {

struct ReportContext {
  std::string sweep_name;
  const results::ConvergenceTable* table = nullptr;
  results::OutcomeCounts counts;
  std::string best_by;
  std::vector<results::BestRow> best;
  std::vector<ChosenTrial> chosen;               // the trials whose boundaries are drawn
  const sweeps::Sweep* sweep = nullptr;          // nullptr: no decision boundaries
  bool save_best_models = false;                 // write the boundary trials' models to models/
  const TrainedModels* trained = nullptr;        // more models at hand, not to be trained again
  const std::atomic<bool>* interrupt = nullptr;  // set: stop (throws runner::Interrupted)
};

class ReportPage {
 public:
  static constexpr int kMaxPanels = 12;     // loss-curve panels (row values) drawn
  static constexpr int kMaxLines = 7;       // lines (column values) per panel
  static constexpr int kMaxBoundaries = 6;  // decision-boundary plots
  static constexpr int kResolution = 100;   // boundary grid: kResolution^2 network outputs

  explicit ReportPage(results::PivotSpec pivot);

  // `parameters`: the trial's trained parameters when the caller has them (a run), kept while it
  // is the best of its data configuration so that its boundary needs no training.
  void add(const results::TrialRecord& record,
           std::shared_ptr<const std::vector<double>> parameters = {});

  // Streams dir/curves.csv (when present), computes the boundaries and stages report.html in
  // `files` (a batch of dir; the caller commits it). Throws nn::InputError for a malformed
  // curves.csv.
  void write(const std::filesystem::path& dir, const ReportContext& context,
             results::FileBatch& files);

  // What write() did that the person running it should hear of: the models it trained again
  // (for the terminal; the page is the same either way).
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  struct Trial {
    std::string id;
    int row = 0, col = 0;  // first-seen positions of the row and column values
    int diverged_at = -1;  // the epoch it diverged at; -1 when it did not
  };

  std::vector<results::Boundary> boundaries(const std::filesystem::path& dir,
                                            const ReportContext& context,
                                            std::vector<std::string>& notes);
  // The boundary of one chosen trial (its model saved when asked); none when it is not drawn.
  std::optional<results::Boundary> boundary(const std::filesystem::path& dir,
                                            const ReportContext& context, const ChosenTrial& chosen,
                                            bool draw, const TrainedModels& at_hand);
  TrialModel model_of(const std::filesystem::path& dir, const ReportContext& context,
                      const ChosenTrial& chosen, const sweeps::Trial& trial,
                      const TrainedModels& at_hand) const;
  std::pair<std::string, std::string> title_and_settings(const sweeps::Sweep& sweep,
                                                         const sweeps::Trial& trial,
                                                         const std::string& dataset) const;

  results::PivotSpec pivot_;
  bool keys_known_ = false;
  std::size_t row_key_ = 0, col_key_ = 0;
  std::vector<std::string> keys_, first_values_;
  std::vector<bool> varies_;
  std::vector<std::string> rows_seen_, cols_seen_;
  std::unordered_map<std::string, int> row_of_, col_of_;
  std::vector<Trial> trials_;
  int max_epoch_ = 0;
  BestTrials best_;
  std::vector<std::string> messages_;
};

}  // namespace runner
