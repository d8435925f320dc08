// A saved model (models/<trial_id>.yaml): one trained network's weights and biases, what its
// inputs are (raw columns, features, the csv standardisation) and the exact configuration it was
// trained with, as YAML a person can read. Numbers are written in their shortest round-trip
// form, so format_model then parse_model gives back the parameters bit for bit; parse_model
// throws nn::InputError naming the file for anything that is not such a model.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/encoding.h"
#include "nn/mlp.h"
#include "results/trial_record.h"

namespace results {

// Which epoch's weights a model holds, and why that one.
enum class WeightsFrom { last_epoch, lowest_val_loss, lowest_train_loss };
inline constexpr std::array<std::string_view, 3> kWeightsFromNames = {
    "last_epoch", "lowest_val_loss", "lowest_train_loss"};

// What a model is of: its trial, and the epoch its weights were taken after.
struct ModelOrigin {
  std::string trial_id;
  std::uint64_t trial_index = 0;
  std::string sweep;  // the sweep's name
  std::uint64_t seed = 0;
  std::uint64_t data_seed = 0;
  std::string outcome;  // the trial's outcome (learned, ...) over its whole training
  Params config;        // every resolved hyperparameter, as in trials.csv
  // The weights after this many epochs (0: the untrained network); -1 in a model file that
  // does not say (written before models named their epoch).
  int epoch = -1;
  WeightsFrom from = WeightsFrom::last_epoch;
};

struct ModelFile {
  ModelOrigin origin;

  nn::Task task = nn::Task::binary;
  bool builtin = true;                // a built-in dataset: inputs x1, x2 become `features`
  std::vector<std::string> inputs;    // the CSV columns predict reads, in order
  std::vector<nn::Feature> features;  // built-in only: the network's inputs from x1, x2
  // csv only: how each of `inputs` becomes network inputs (a file without an `encoding` entry,
  // as every model before onehot and missing-value settings, holds number columns only).
  std::vector<nn::ColumnEncoding> columns;
  std::vector<double> feature_mean, feature_scale;  // csv only: x' = (x - mean) / scale
  std::vector<std::string> class_names;             // classification: in label order
  std::vector<int> hidden;
  int network_inputs = 0, outputs = 0;
  nn::Activation activation = nn::Activation::tanh;
  double leaky_relu_slope = 0.01;
  std::vector<double> parameters;  // the flat vector of nn/mlp.h

  // The precision it was trained in: its config's train.precision (float64 when it has none, as
  // in files written before the setting existed); mlp() computes in it.
  nn::Precision precision() const;
  nn::Mlp mlp() const;
  // The network's inputs (network_inputs x n) from the `inputs` columns (inputs.size() x n):
  // x1, x2 for a built-in dataset; for csv, cells as nn::encode_columns takes them (numbers,
  // category indices, nn::kMissingCell where `columns` accepts it), encoded then standardised.
  Eigen::MatrixXd network_input(const Eigen::MatrixXd& raw) const;
};

// The model of a trained trial: `data` is the dataset it was trained on (for features,
// classes and standardisation).
ModelFile make_model(ModelOrigin origin, const nn::TrialConfig& trial, const nn::Dataset& data,
                     std::vector<double> parameters);

std::string format_model(const ModelFile& model);
// Which weights and biases parse_model accepts: a diverged trial's saved model holds infinities
// and NaNs and reads back as it was written; predict needs numbers it can compute with.
enum class Weights { any, finite };
// Checks the shapes against the caps of a sweep (README, "Limits") before it allocates them,
// the output layer against the task and its classes, and the standardisation (scales > 0).
ModelFile parse_model(const std::string& text, const std::string& file,
                      Weights weights = Weights::any);

}  // namespace results
