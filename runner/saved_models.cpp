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
                            const nn::Dataset& data, results::Outcome status,
                            std::vector<double> parameters) {
  results::Params params;
  for (auto& p : sweep.params(trial.config))
    params.emplace_back(std::move(p.key), std::move(p.value));
  return results::make_model(trial.id, trial.index, sweep.name(), trial.seed, trial.data_seed,
                             std::string(nn::to_string(status)), std::move(params), trial.config,
                             data, std::move(parameters));
}

}  // namespace

results::ModelFile train_model(const sweeps::Sweep& sweep, const sweeps::Trial& trial) {
  const nn::Dataset data = nn::make_dataset(trial.config.data, trial.data_seed);
  nn::TrainResult result = nn::train(trial.config, data, trial.seed);
  return model_of(sweep, trial, data, result.verdict.outcome, std::move(result.parameters));
}

results::ModelFile trial_model(const fs::path& dir, const sweeps::Sweep& sweep,
                               const sweeps::Trial& trial, bool save, const TrainedModel* trained) {
  const fs::path path = model_path(dir, trial.id);
  if (std::error_code error; fs::exists(path, error))
    return results::parse_model(nn::read_input_file(path.string(), "model file"), path.string());
  results::ModelFile model =
      trained ? model_of(sweep, trial, nn::make_dataset(trial.config.data, trial.data_seed),
                         trained->outcome, *trained->parameters)
              : train_model(sweep, trial);
  if (save) results::replace_file(dir, model_name(trial.id), results::format_model(model));
  return model;
}

void save_model(const fs::path& dir, const sweeps::Sweep& sweep, const sweeps::Trial& trial,
                const nn::Dataset& data, results::Outcome status, std::vector<double> parameters) {
  results::replace_file(
      dir, model_name(trial.id),
      results::format_model(model_of(sweep, trial, data, status, std::move(parameters))),
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
