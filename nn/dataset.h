// Datasets: the six TensorFlow Playground generators and the user's own CSV files, split into
// train / validation / test, as column-major matrices (one column per sample) ready for batched
// products. Same config and seed give the same data bit for bit on every machine.
// CSV problems throw nn::InputError naming the file, row and column.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/config.h"
#include "nn/encoding.h"
#include "nn/random.h"

namespace nn {

enum class Task { regression, binary, multiclass };
inline constexpr std::array<std::string_view, 3> kTaskNames = {"regression", "binary",
                                                               "multiclass"};
inline std::string_view to_string(Task v) {
  return name_of(v, kTaskNames);
}

// The loss a network of `task` trains with: automatic is mse for regression (with a linear
// output) and cross_entropy for classes (sigmoid or softmax output). Cross-entropy needs
// classes: the networks refuse it on regression (sweeps/ rejects it before that).
constexpr Loss resolve_loss(Loss loss, Task task) {
  if (loss != Loss::automatic) return loss;
  return task == Task::regression ? Loss::mse : Loss::cross_entropy;
}

// One split: inputs (features x samples) and targets (outputs x samples). Targets are the value
// for regression, 0/1 for two classes, and one-hot columns for more classes.
struct Split {
  Eigen::MatrixXd x;
  Eigen::MatrixXd y;
  Eigen::Index size() const { return x.cols(); }
};

struct Dataset {
  Task task = Task::binary;
  Split train, validation, test;  // validation is empty when validation_fraction is 0
  std::vector<std::string> feature_names;
  std::vector<std::string> class_names;  // classification only, in label order
  // csv only: the standardisation applied to every split, x' = (x - feature_mean) / feature_scale,
  // from the training split's statistics; empty for built-in datasets (their features are not
  // scaled). A saved model keeps these to treat new inputs exactly as the training data.
  Eigen::VectorXd feature_mean, feature_scale;
  // Stratified splits only: the samples of each class in the whole data, in label order.
  std::vector<Eigen::Index> class_counts;
  // csv only: how each feature column became inputs (feature_names are the encoded inputs,
  // `color=red`), learned from the training split. A saved model keeps these too.
  std::vector<ColumnEncoding> columns;
  int outputs() const { return static_cast<int>(train.y.rows()); }
  int inputs() const { return static_cast<int>(train.x.rows()); }
};

// Builds the dataset `config` describes. For csv, `config.path` is opened as given (callers
// resolve relative paths). REQUIRES a validated config (see sweeps/); throws InputError for
// files it cannot use.
// How make_dataset uses a CSV file's kept parse (nn/csv_values.h): shares it, or takes it as
// the last dataset made of it, using its memory up as the dataset is made (a large file's parse
// and dataset never both live whole). A later dataset of that file reads it again.
enum class ParseUse { share, last };
Dataset make_dataset(const DataConfig& config, std::uint64_t seed, ParseUse use = ParseUse::share);

// The raw 2-D points of a built-in generator before features and splits: x (2 x n) and target
// (1 x n: 0/1 labels for classification, values for regression), in generation order.
struct Points {
  Eigen::MatrixXd xy;
  Eigen::RowVectorXd target;
};
Points generate_points(DatasetKind kind, int points, double noise, std::uint64_t seed);

// The value of feature `f` at the raw point (x1, x2), as built-in datasets compute their inputs.
double feature_value(Feature f, double x1, double x2);

// How many of n samples go to each split: floor(n * train_fraction) samples train (as
// Playground), of which floor(that * validation_fraction) are held out for validation; the
// rest test.
struct SplitSizes {
  Eigen::Index train, validation, test;
};
SplitSizes split_sizes(Eigen::Index n, double train_fraction, double validation_fraction);
// The sizes of config's split: holdout as above; kfold: floor(n * train_fraction) samples are
// cut into config.folds folds (the first n mod folds one sample larger), fold config.fold
// validates and the others train.
SplitSizes split_sizes(Eigen::Index n, const DataConfig& config);

// Whether config's splits keep each class's share (classification, unless stratify is false).
bool stratifies(const DataConfig& config, Task task);
// `total` samples shared out among classes of `counts` samples in proportion (largest
// remainders, ties by class order): each class gets its exact share rounded down or up.
std::vector<Eigen::Index> apportion(const std::vector<Eigen::Index>& counts, Eigen::Index total);

// Shuffles the samples (columns of x and y) with rng and cuts them into the three splits:
// the test share first, then validation (the holdout share, or fold config.fold) and training
// out of the rest. Stratified (stratifies()), every split takes each class's share of the part
// it is cut from, give or take one sample, and each part keeps the shuffled order.
Dataset split_dataset(Eigen::Ref<const Eigen::MatrixXd> x, const Eigen::MatrixXd& y, Task task,
                      const DataConfig& config, Rng& rng);
// split_dataset, made from x's own room: x's columns are reordered in place and its pages given
// back to the system as they are copied out, so that x and the splits never hold much more than
// x's size together (x is left unusable; its owner frees it). The splits are the same bits.
Dataset split_dataset_consuming(Eigen::Map<Eigen::MatrixXd> x, const Eigen::MatrixXd& y, Task task,
                                const DataConfig& config, Rng& rng);

// True for the built-in generators that make regression targets (plane, multi_gauss).
bool is_regression(DatasetKind kind);

}  // namespace nn
