#include "runner/sweep_trials.h"

#include <string_view>

#include "results/atomic_file.h"
#include "results/manifest.h"
#include "runner/saved_models.h"
#include "sweeps/setting.h"

namespace runner {

namespace fs = std::filesystem;

results::DataColumns data_columns() {
  return {.is_data =
              [](std::string_view key) {
                const sweeps::Setting* s = sweeps::find_setting(key);
                return s && sweeps::is_data(*s);
              },
          .dataset = std::string(sweeps::keys::dataset)};
}

SweepTrials::SweepTrials(fs::path dir, const sweeps::Sweep& sweep, bool save_models,
                         const results::TrainedModels* trained)
    : dir_(std::move(dir)), sweep_(sweep), save_(save_models), trained_(trained) {}

std::optional<results::BoundaryTrial> SweepTrials::trial(const results::ChosenTrial& chosen,
                                                         const results::TrainedModel* at_hand,
                                                         bool draw) {
  const results::Representative& best = chosen.trial;
  const sweeps::Trial trial = sweep_.trial(best.index);
  if (trial.id != best.id) return std::nullopt;  // the sweep file is not the one of these results
  ModelRequest request{.outcome = best.outcome,
                       .epoch = best.best_epoch,
                       .epochs_run = best.epochs_run,
                       .from = chosen.from,
                       .trained = at_hand,
                       .save = save_};
  if (!request.trained && trained_)
    if (const auto t = trained_->find(best.id); t != trained_->end()) request.trained = &t->second;
  TrialModel made = trial_model(dir_, sweep_, trial, request);
  if (!draw) return std::nullopt;
  results::BoundaryTrial out{.model = std::move(made.model),
                             .trained_again = made.source == ModelSource::trained_again};
  for (const auto& p : sweep_.params(trial.config)) out.params.emplace_back(p.key, p.value);
  // The raw points of the same splits: the split does not depend on the features.
  nn::DataConfig raw = trial.config.data;
  raw.features = {nn::Feature::x1, nn::Feature::x2};
  out.data = nn::make_dataset(raw, trial.data_seed);
  return out;
}

namespace {

std::optional<sweeps::Sweep> recorded_sweep(const fs::path& dir) {
  try {
    if (const auto info = results::read_manifest(dir))
      return sweeps::parse_sweep(info->spec_yaml, (dir / "manifest.yaml").string(), dir);
  } catch (const std::exception&) {
    // A manifest that no longer parses costs the boundaries, not the report.
  }
  return std::nullopt;
}

}  // namespace

results::Tables write_recorded_tables(const fs::path& dir, const results::PivotSpec& pivot,
                                      bool colour) {
  const std::optional<sweeps::Sweep> sweep = recorded_sweep(dir);
  std::optional<SweepTrials> trials;
  if (sweep) trials.emplace(dir, *sweep, false);
  results::FileBatch files(dir);
  const results::Tables tables =
      results::write_tables(dir, pivot, colour,
                            {.sweep_name = sweep ? sweep->name() : dir.filename().string(),
                             .data_columns = data_columns(),
                             .boundary_trials = trials ? &*trials : nullptr},
                            files);
  files.commit();
  return tables;
}

}  // namespace runner
