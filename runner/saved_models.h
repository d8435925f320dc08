// Saved models: models/<trial_id>.yaml in an output directory (format: results/model_file.h).
// A run saves a model from the parameters its training produced (save_model, as trials finish
// with --save-models all; trial_model with the best trials' parameters it kept); any other
// model is made by training that one trial again, which gives the sweep's result bit for bit
// (training is deterministic in configuration, data and seed). Thread-safe: each call writes
// its own file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "nn/dataset.h"
#include "nn/train.h"
#include "results/best_trials.h"
#include "results/model_file.h"
#include "sweeps/spec.h"

namespace runner {

// `run --save-models`: none, the best trial of each dataset (those report.html draws), or all.
enum class SaveModels { none, best, all };
std::optional<SaveModels> parse_save_models(std::string_view text);

// `models/<trial_id>.yaml`, relative to the output directory, and that file in `dir`.
std::string model_name(const std::string& trial_id);
std::filesystem::path model_path(const std::filesystem::path& dir, const std::string& trial_id);

// Trains `trial` of `sweep` and returns its model, with the weights of its last epoch (of its
// best one with train.early_stopping). Throws what training throws (a csv file that cannot be
// read, ...).
results::ModelFile train_model(const sweeps::Sweep& sweep, const sweeps::Trial& trial);

// The model of one trial, as report.html draws it and `--save-models best` keeps it: the
// weights after a chosen epoch (the trial's best), with the trial's outcome.
struct ModelRequest {
  results::Outcome outcome = results::Outcome::learned;  // over the trial's whole training
  int epoch = 0;                                         // the weights after this many epochs
  int epochs_run = 0;  // the trial's last epoch: parameters at hand are of that one
  results::WeightsFrom from = results::WeightsFrom::last_epoch;
  const results::TrainedModel* trained = nullptr;  // the trial's final parameters, when at hand
  bool save = false;                               // write it to `dir`/models
};
// Where a model came from: its file in models/, the parameters the run still held, or a
// training of that trial for `epoch` epochs (deterministic: the first epochs of a training are
// the same whatever its length).
enum class ModelSource { saved, at_hand, trained_again };
struct TrialModel {
  results::ModelFile model;
  ModelSource source = ModelSource::saved;
};
// Read from `dir`/models when saved there with weights of the requested epoch, else made from
// the parameters at hand when they are of that epoch, else trained. Throws what training
// throws.
TrialModel trial_model(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                       const sweeps::Trial& trial, const ModelRequest& request);

// Writes the model of `trial`, trained on `data` to `parameters` (its last epoch, `result`'s;
// with early stopping `result.best_parameters`, its best epoch's), to `dir`/models, leaving the
// directory's sync to save_all_models.
void save_model(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                const sweeps::Trial& trial, const nn::Dataset& data, const nn::TrainResult& result,
                const std::vector<double>& parameters);

// Writes the model of every trial in [begin, end) that has none yet, training them on `threads`
// workers; trials whose training fails are skipped. Returns the models written.
std::uint64_t save_all_models(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                              std::uint64_t begin, std::uint64_t end, int threads);

}  // namespace runner
