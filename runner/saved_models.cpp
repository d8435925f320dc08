#include "runner/saved_models.h"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "nn/dataset.h"
#include "nn/input_error.h"
#include "nn/input_file.h"
#include "nn/train.h"
#include "results/atomic_file.h"

namespace runner {

namespace fs = std::filesystem;

std::optional<SaveModels> parse_save_models(std::string_view text) {
  if (text == "none") return SaveModels::none;
  if (text == "best") return SaveModels::best;
  if (text == "all") return SaveModels::all;
  return std::nullopt;
}

std::string model_name(const std::string& trial_id) {
  return "models/" + trial_id + ".yaml";
}

fs::path model_path(const fs::path& dir, const std::string& trial_id) {
  return dir / model_name(trial_id);
}

namespace {

results::ModelFile model_of(const sweeps::Sweep& sweep, const sweeps::Trial& trial,
                            const nn::Dataset& data, results::Outcome outcome, int epoch,
                            results::WeightsFrom from, std::vector<double> parameters) {
  results::Params params;
  for (auto& p : sweep.params(trial.config))
    params.emplace_back(std::move(p.key), std::move(p.value));
  return results::make_model({.trial_id = trial.id,
                              .trial_index = trial.index,
                              .sweep = sweep.name(),
                              .seed = trial.seed,
                              .data_seed = trial.data_seed,
                              .outcome = std::string(nn::to_string(outcome)),
                              .config = std::move(params),
                              .epoch = epoch,
                              .from = from},
                             trial.config, data, std::move(parameters));
}

// The saved model of `trial` in `dir`, when there is one with the weights of `epoch`.
std::optional<results::ModelFile> saved_model(const fs::path& dir, const sweeps::Trial& trial,
                                              int epoch) {
  const fs::path path = model_path(dir, trial.id);
  if (std::error_code error; !fs::exists(path, error)) return std::nullopt;
  results::ModelFile model =
      results::parse_model(nn::read_input_file(path.string(), "model file"), path.string());
  if (model.origin.epoch != epoch) return std::nullopt;
  return model;
}

// The model a finished training leaves: with train.early_stopping the weights of its best
// epoch (the stop came `patience` epochs after it), else those of its last.
results::ModelFile finished_model(const sweeps::Sweep& sweep, const sweeps::Trial& trial,
                                  const nn::Dataset& data, const nn::TrainResult& result,
                                  const std::vector<double>& parameters) {
  if (result.best_parameters.empty())
    return model_of(sweep, trial, data, result.verdict.outcome, result.epochs_run,
                    results::WeightsFrom::last_epoch, parameters);
  return model_of(sweep, trial, data, result.verdict.outcome, result.best.epoch,
                  data.validation.size() > 0 ? results::WeightsFrom::lowest_val_loss
                                             : results::WeightsFrom::lowest_train_loss,
                  result.best_parameters);
}

}  // namespace

results::ModelFile train_model(const sweeps::Sweep& sweep, const sweeps::Trial& trial) {
  const nn::Dataset data = nn::make_dataset(trial.config.data, trial.data_seed);
  const nn::TrainResult result = nn::train(trial.config, data, trial.seed);
  return finished_model(sweep, trial, data, result, result.parameters);
}

TrialModel trial_model(const fs::path& dir, const sweeps::Sweep& sweep, const sweeps::Trial& trial,
                       const ModelRequest& request) {
  TrialModel out;
  if (auto saved = saved_model(dir, trial, request.epoch)) {
    out.model = std::move(*saved);
    out.model.origin.from = request.from;
  } else {
    // The dataset the run kept with the weights, when it did: its file's parse may be gone.
    const std::shared_ptr<const nn::Dataset> kept =
        request.trained ? request.trained->data : nullptr;
    const nn::Dataset built =
        kept ? nn::Dataset{} : nn::make_dataset(trial.config.data, trial.data_seed);
    const nn::Dataset& data = kept ? *kept : built;
    std::vector<double> parameters;
    if (request.trained && request.trained->parameters && request.epoch == request.epochs_run) {
      parameters = *request.trained->parameters;
      out.source = ModelSource::at_hand;
    } else {
      // The weights after `epoch` epochs are those of a training asked for that many: a
      // trial's random streams do not depend on its epoch budget.
      nn::TrialConfig config = trial.config;
      config.train.epochs = request.epoch;
      parameters = nn::train(config, data, trial.seed).parameters;
      out.source = ModelSource::trained_again;
    }
    out.model = model_of(sweep, trial, data, request.outcome, request.epoch, request.from,
                         std::move(parameters));
  }
  if (request.save && out.source != ModelSource::saved)
    results::replace_file(dir, model_name(trial.id), results::format_model(out.model));
  return out;
}

void save_model(const fs::path& dir, const sweeps::Sweep& sweep, const sweeps::Trial& trial,
                const nn::Dataset& data, const nn::TrainResult& result,
                const std::vector<double>& parameters) {
  results::replace_file(
      dir, model_name(trial.id),
      results::format_model(finished_model(sweep, trial, data, result, parameters)),
      results::Sync::file);
}

std::uint64_t save_all_models(const fs::path& dir, const sweeps::Sweep& sweep, std::uint64_t begin,
                              std::uint64_t end, int threads) {
  end = std::min(end, sweep.size());
  if (begin >= end) return 0;
  fs::create_directory(dir / "models");  // also when no model gets written: it is synced below
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(std::max(1, threads)));
  std::atomic<std::uint64_t> written{0};
  tbb::parallel_for(begin, end, [&](std::uint64_t i) {
    const sweeps::Trial trial = sweep.trial(i);
    if (fs::exists(model_path(dir, trial.id))) return;
    try {
      results::replace_file(dir, model_name(trial.id),
                            results::format_model(train_model(sweep, trial)), results::Sync::file);
      ++written;
    } catch (const nn::InputError&) {
      throw;  // something other than a model file in the way: refused, not skipped
    } catch (const std::exception&) {
      // The trial failed the same way in the sweep: trials.csv holds its error.
    }
  });
  results::sync_directory(dir / "models");
  return written.load();
}

}  // namespace runner
