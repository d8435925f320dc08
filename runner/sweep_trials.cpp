#include "runner/sweep_trials.h"

#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "nn/input_error.h"
#include "results/atomic_file.h"
#include "results/manifest.h"
#include "results/trial_record.h"
#include "runner/saved_models.h"
#include "sweeps/setting.h"

namespace runner {

namespace fs = std::filesystem;

results::ColumnRoles column_roles(const sweeps::Sweep* sweep) {
  results::ColumnRoles roles{.is_data =
                                 [](std::string_view key) {
                                   const sweeps::Setting* s = sweeps::find_setting(key);
                                   return s && sweeps::is_data(*s);
                                 },
                             .dataset = std::string(sweeps::keys::dataset)};
  if (sweep) {
    std::set<std::string, std::less<>> sampled;
    for (const sweeps::Param& p : sweep->random_params()) sampled.insert(p.key);
    roles.is_sampled = [sampled = std::move(sampled)](std::string_view key) {
      return sampled.contains(key);
    };
  }
  return roles;
}

namespace {

// The parameters of `trial` at epoch 0, 10% and 50% of its training and its best epoch, from one
// training of it that keeps them, when the run's own training did not (report DIR, a trial an
// MPI worker trained): a trial's streams ignore its budget, so they are the weights the sweep's
// training had then.
std::vector<std::pair<int, std::vector<double>>> snapshots(const sweeps::Trial& trial, int best) {
  const int budget = trial.config.train.epochs;
  std::vector<int> epochs{0, budget / 10, budget / 2, best};
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  nn::TrialConfig config = trial.config;
  config.train.epochs = epochs.back();
  const nn::Dataset data = nn::make_dataset(config.data, trial.data_seed);
  const nn::TrainJob job{.config = &config, .seed = trial.seed, .snapshot_epochs = epochs};
  return std::move(nn::train_jobs(std::span(&job, 1), data).front().snapshots);
}

}  // namespace

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
  if (request.trained && request.trained->snapshots) {
    // Kept by the run's own training; the last frame is the model drawn.
    out.snapshots = *request.trained->snapshots;
    out.snapshots.emplace_back(best.best_epoch, out.model.parameters);
  } else {
    out.snapshots = snapshots(trial, best.best_epoch);
    out.trained_again = true;
  }
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
                             .columns = column_roles(sweep ? &*sweep : nullptr),
                             .boundary_trials = trials ? &*trials : nullptr},
                            files);
  files.commit();
  return tables;
}

results::ImportanceTable recorded_importance(const fs::path& dir, const std::string& metric) {
  const std::optional<sweeps::Sweep> sweep = recorded_sweep(dir);
  const fs::path path = dir / "trials.csv";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nn::InputError(path.string(), 0, 0, "cannot open trials.csv");
  std::optional<results::Importance> importance;
  const results::ColumnRoles roles = column_roles(sweep ? &*sweep : nullptr);
  const auto make = [&](const std::vector<std::string>& keys) {
    importance.emplace(keys, roles, metric);
  };
  results::read_trials(
      in, path.string(), [&](results::TrialRecord&& r) { importance->add(r); }, make);
  if (!importance) make({});
  return importance->table(true);
}

}  // namespace runner
