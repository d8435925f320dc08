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
#include "results/model_file.h"
#include "runner/best_trials.h"
#include "sweeps/spec.h"

namespace runner {

// `run --save-models`: none, the best trial of each dataset (those report.html draws), or all.
enum class SaveModels { none, best, all };
std::optional<SaveModels> parse_save_models(std::string_view text);

// `models/<trial_id>.yaml`, relative to the output directory, and that file in `dir`.
std::string model_name(const std::string& trial_id);
std::filesystem::path model_path(const std::filesystem::path& dir, const std::string& trial_id);

// Trains `trial` of `sweep` and returns its model. Throws what training throws (a csv file
// that cannot be read, ...).
results::ModelFile train_model(const sweeps::Sweep& sweep, const sweeps::Trial& trial);

// The model of `trial`: read from `dir`/models when saved there, else made from `trained` (the
// trial's parameters, when at hand), else trained; when `save`, written there.
results::ModelFile trial_model(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                               const sweeps::Trial& trial, bool save,
                               const TrainedModel* trained = nullptr);

// Writes the model of `trial`, trained on `data` to `parameters`, to `dir`/models, leaving the
// directory's sync to save_all_models.
void save_model(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                const sweeps::Trial& trial, const nn::Dataset& data, results::Outcome status,
                std::vector<double> parameters);

// Writes the model of every trial in [begin, end) that has none yet, training them on `threads`
// workers; trials whose training fails are skipped. Returns the models written.
std::uint64_t save_all_models(const std::filesystem::path& dir, const sweeps::Sweep& sweep,
                              std::uint64_t begin, std::uint64_t end, int threads);

}  // namespace runner
