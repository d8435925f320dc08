// The runner's side of the tables and the page (results/tables.h): which settings are data
// settings, the trials behind the decision boundaries, and the tables of a run read back.
#pragma once

#include <filesystem>
#include <optional>

#include "results/best_trials.h"
#include "results/column_roles.h"
#include "results/pivot_spec.h"
#include "results/report_page.h"
#include "results/tables.h"
#include "sweeps/spec.h"

namespace runner {

// The data settings of the settings table (sweeps/setting.h) and the settings `sweep` draws at
// random, for results/; without the sweep, results/ tells sampled columns by their values.
results::ColumnRoles column_roles(const sweeps::Sweep* sweep);

// The runner's BoundaryTrials: the trials of `sweep`, whose models are taken from `trained`
// (models a run still holds), models/ in `dir`, or trained again.
class SweepTrials final : public results::BoundaryTrials {
 public:
  SweepTrials(std::filesystem::path dir, const sweeps::Sweep& sweep, bool save_models,
              const results::TrainedModels* trained = nullptr);
  std::optional<results::BoundaryTrial> trial(const results::ChosenTrial& chosen,
                                              const results::TrainedModel* at_hand,
                                              bool draw) override;
  bool saves_models() const override { return save_; }

 private:
  std::filesystem::path dir_;
  const sweeps::Sweep& sweep_;
  bool save_;
  const results::TrainedModels* trained_;
};

// write_tables for a run read back (`nnsweep report DIR`, merge): the page is titled after, and
// draws the boundaries of, the sweep manifest.yaml records; without a manifest, or with one that
// no longer parses, it is titled after the directory and draws none.
results::Tables write_recorded_tables(const std::filesystem::path& dir,
                                      const results::PivotSpec& pivot, bool colour);

// The importance of `metric` (a trials.csv metric column, or results::kRankingMetric) over the
// settings of the run in `dir`, read from its trials.csv. Throws std::invalid_argument for a
// metric that is not a column and when no setting varies, saying what would work.
results::ImportanceTable recorded_importance(const std::filesystem::path& dir,
                                             const std::string& metric);

}  // namespace runner
