// Plain configuration structs for one training: data, model, optimisation and convergence.
// Every field has a default (TensorFlow Playground's where it has one), so a default-constructed
// TrialConfig is a valid training. Nothing here parses text: sweeps/ fills these structs, nn/
// consumes them. The name tables below are the single source of the spellings users write.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nn {

enum class DatasetKind { circle, xor_, gauss, spiral, plane, multi_gauss, csv };
enum class Feature { x1, x2, x1_squared, x2_squared, x1_times_x2, sin_x1, sin_x2 };
enum class Activation { relu, tanh, sigmoid, linear, leaky_relu, elu, softplus };
enum class Init { automatic, glorot, he, playground };
enum class Loss { automatic, mse, cross_entropy };
enum class Optimizer { sgd, momentum, adam };
enum class Shuffle { every_epoch, never };
enum class Regularization { none, l1, l2 };
enum class Monitor { automatic, train_loss, val_loss };
enum class TargetMetric { loss, accuracy };
// csv: what the target column is. automatic: real numbers mean regression, names or whole
// numbers classes (at most kMaxAutoClasses of them).
enum class TaskChoice { automatic, classification, regression };
// How the data is cut into training and validation: one holdout split, or k folds that each
// validate once (cross-validation). The test share is held out first either way.
enum class SplitMethod { holdout, kfold };
// Stratified splits keep each class's share in every split and fold; automatic stratifies
// classification targets and leaves regression splits as they are.
enum class Stratify { automatic, yes, no };
enum class Resample { no, yes };
// csv: what a feature column of text does (error: refused; onehot: one 0/1 input per category
// of the training split) and what a missing (empty) feature cell does (error: refused;
// drop_rows: the row is left out before the split; mean: the training split's mean of the
// column, or all zeros in a onehot column).
enum class Categorical { error, onehot };
enum class Missing { error, drop_rows, mean };
// How much each training sample's class counts in the gradient: none (every sample alike) or
// balanced (class c weighs n / (K n_c) over the training split, as scikit-learn and Keras).
enum class ClassWeight { none, balanced };
// The numbers a training computes in: float64 (double), or float32 (float, twice the lanes per
// vector register, its own bits).
enum class Precision { float64, float32 };

// The spelling of each enumerator as users write it, indexed by the enumerator's value.
inline constexpr std::array<std::string_view, 7> kDatasetNames = {
    "circle", "xor", "gauss", "spiral", "plane", "multi_gauss", "csv"};
inline constexpr std::array<std::string_view, 7> kFeatureNames = {
    "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"};
inline constexpr std::array<std::string_view, 7> kActivationNames = {
    "relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "softplus"};
inline constexpr std::array<std::string_view, 4> kInitNames = {"auto", "glorot", "he",
                                                               "playground"};
inline constexpr std::array<std::string_view, 3> kLossNames = {"auto", "mse", "cross_entropy"};
inline constexpr std::array<std::string_view, 3> kOptimizerNames = {"sgd", "momentum", "adam"};
inline constexpr std::array<std::string_view, 2> kShuffleNames = {"every_epoch", "never"};
inline constexpr std::array<std::string_view, 3> kRegularizationNames = {"none", "l1", "l2"};
inline constexpr std::array<std::string_view, 3> kMonitorNames = {"auto", "train_loss", "val_loss"};
inline constexpr std::array<std::string_view, 2> kTargetMetricNames = {"loss", "accuracy"};
inline constexpr std::array<std::string_view, 3> kTaskChoiceNames = {"auto", "classification",
                                                                     "regression"};
inline constexpr std::array<std::string_view, 2> kSplitMethodNames = {"holdout", "kfold"};
inline constexpr std::array<std::string_view, 3> kStratifyNames = {"auto", "true", "false"};
inline constexpr std::array<std::string_view, 2> kResampleNames = {"false", "true"};
inline constexpr std::array<std::string_view, 2> kCategoricalNames = {"error", "onehot"};
inline constexpr std::array<std::string_view, 3> kMissingNames = {"error", "drop_rows", "mean"};
inline constexpr std::array<std::string_view, 2> kClassWeightNames = {"none", "balanced"};
inline constexpr std::array<std::string_view, 2> kPrecisionNames = {"float64", "float32"};

template <typename Enum, std::size_t N>
constexpr std::string_view name_of(Enum value, const std::array<std::string_view, N>& names) {
  return names[static_cast<std::size_t>(value)];
}
// The enumerator spelled `name`, or nothing when no enumerator is spelled so.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> parse_name(std::string_view name,
                                         const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

inline std::string_view to_string(DatasetKind v) {
  return name_of(v, kDatasetNames);
}
inline std::string_view to_string(Feature v) {
  return name_of(v, kFeatureNames);
}
inline std::string_view to_string(Activation v) {
  return name_of(v, kActivationNames);
}
inline std::string_view to_string(Init v) {
  return name_of(v, kInitNames);
}
inline std::string_view to_string(Loss v) {
  return name_of(v, kLossNames);
}
inline std::string_view to_string(Optimizer v) {
  return name_of(v, kOptimizerNames);
}
inline std::string_view to_string(Shuffle v) {
  return name_of(v, kShuffleNames);
}
inline std::string_view to_string(Regularization v) {
  return name_of(v, kRegularizationNames);
}
inline std::string_view to_string(Monitor v) {
  return name_of(v, kMonitorNames);
}
inline std::string_view to_string(TargetMetric v) {
  return name_of(v, kTargetMetricNames);
}
inline std::string_view to_string(TaskChoice v) {
  return name_of(v, kTaskChoiceNames);
}
inline std::string_view to_string(SplitMethod v) {
  return name_of(v, kSplitMethodNames);
}
inline std::string_view to_string(Stratify v) {
  return name_of(v, kStratifyNames);
}
inline std::string_view to_string(Resample v) {
  return name_of(v, kResampleNames);
}
inline std::string_view to_string(Categorical v) {
  return name_of(v, kCategoricalNames);
}
inline std::string_view to_string(Missing v) {
  return name_of(v, kMissingNames);
}
inline std::string_view to_string(ClassWeight v) {
  return name_of(v, kClassWeightNames);
}
inline std::string_view to_string(Precision v) {
  return name_of(v, kPrecisionNames);
}

// Sizes an input can name, checked before anything is allocated (README, "Limits").
inline constexpr int kMaxPoints = 10'000'000;     // data.points of a built-in dataset
inline constexpr int kMaxWidth = 4096;            // one hidden layer's width
inline constexpr int kMaxLayers = 64;             // hidden layers
inline constexpr int kMaxEpochs = 1'000'000;      // train.epochs
inline constexpr int kMaxClasses = 10'000;        // classes of a classification target
inline constexpr int kMaxAutoClasses = 100;       // ... when data.task is auto
inline constexpr int kMaxCsvColumns = 10'000;     // columns of a CSV file
inline constexpr int kMaxCsvCellBytes = 1 << 16;  // bytes of one CSV cell
inline constexpr int kMaxFolds = 100;             // data.split.folds
inline constexpr int kMaxCategories = 1000;       // distinct texts of one onehot column

// Where the samples come from and how they are split.
struct DataConfig {
  DatasetKind dataset = DatasetKind::circle;
  int points = 500;                // generated samples (built-in datasets only)
  double noise = 0.0;              // 0..1; Playground's slider shows it as 0..50%
  double train_fraction = 0.5;     // share of samples used for training, in (0, 1)
  double validation_fraction = 0;  // share of the training part held out for validation, [0, 1)
  std::vector<Feature> features = {Feature::x1, Feature::x2};  // built-in datasets only
  std::string path;                                            // csv: the file
  std::string target;                                          // csv: name of the target column
  std::vector<std::string> columns;         // csv: feature columns; empty = every other column
  TaskChoice task = TaskChoice::automatic;  // csv: classes or regression
  // data.split: holdout, or kfold: the part left after the test share is cut into `folds`
  // folds; fold `fold` validates and the others train (validation_fraction does not apply).
  SplitMethod split = SplitMethod::holdout;
  int folds = 5;
  Stratify stratify = Stratify::automatic;
  // A new split (or fold assignment; for built-in data, new points) for every repeat, so that
  // the repeats measure the split's luck too. The sweep folds it into the data seed.
  Resample resample = Resample::no;
  // Not a setting: which fold of a kfold split this trial validates on (0 .. folds-1). The
  // sweep sets it per trial, as it sets the repeat.
  int fold = 0;
  Categorical categorical = Categorical::error;  // csv: text feature columns
  Missing missing = Missing::error;              // csv: empty feature cells

  bool operator==(const DataConfig&) const = default;
};

struct ModelConfig {
  std::vector<int> hidden = {4, 2};          // widths of the hidden layers; empty = no hidden layer
  Activation activation = Activation::tanh;  // hidden layers; the output follows the task
  Init init = Init::automatic;               // glorot for tanh/sigmoid/linear, he for relu-like
  double leaky_relu_slope = 0.01;            // slope of leaky_relu for negative inputs
  // automatic: mse for regression, cross_entropy for classification. mse on classes is the
  // squared error of the output probabilities (sigmoid, softmax) against the 0/1 labels;
  // cross_entropy needs classes.
  Loss loss = Loss::automatic;

  bool operator==(const ModelConfig&) const = default;
};

struct TrainConfig {
  Optimizer optimizer = Optimizer::sgd;
  double learning_rate = 0.03;
  int batch_size = 10;
  int epochs = 200;
  // every_epoch: the training samples in a new random order each epoch; never: shuffled once,
  // before the first epoch, and that order kept (as Playground, which shuffles its points once).
  Shuffle shuffle = Shuffle::every_epoch;
  double momentum = 0.9;  // momentum: velocity decay
  double beta1 = 0.9;     // adam: first-moment decay
  double beta2 = 0.999;   // adam: second-moment decay
  double epsilon = 1e-8;  // adam: denominator guard
  Regularization regularization = Regularization::none;
  double regularization_rate = 0.0;  // weights only; biases are never regularised
  // Classes only: scales each sample's gradient by its class's weight; the losses reported stay
  // unweighted, comparable with the no-skill baseline.
  ClassWeight class_weight = ClassWeight::none;
  // train.early_stopping, as Keras' EarlyStopping: stop once the selection loss (validation
  // when there is a split, else training) has not fallen by more than min_delta below its best
  // for `patience` epochs in a row, epoch 0 counting as the first best. 0: train the budget.
  int early_stopping_patience = 0;
  double early_stopping_min_delta = 0;
  Precision precision = Precision::float64;  // train.precision

  bool operator==(const TrainConfig&) const = default;
};

// The rules that read a finished curve (nn/outcome.h): analysis only, never part of training.
struct ConvergenceConfig {
  Monitor monitor = Monitor::automatic;  // automatic: val_loss when a validation split exists
  double divergence_factor = 10.0;       // loss above factor x initial loss = diverged
  double window = 0.1;          // share of the final epochs the rules read as the end of training
  double learned_below = 0.5;   // learned: the end's loss at most this x the no-skill baseline
  double still_falling = 0.05;  // still_learning: the last window gained more than this share
                                // of all it gained below the start or the baseline
  double stall = 0.05;          // stalled: the loss never fell by this share of its start
  double overfit_rise = 0.1;  // overfit: the held-out loss ended this x the baseline above its best
  TargetMetric target_metric = TargetMetric::loss;
  double target = 0.5;  // epochs_to_target: loss at most target x baseline, or accuracy >= target

  bool operator==(const ConvergenceConfig&) const = default;
};

// Everything one training needs.
struct TrialConfig {
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  ConvergenceConfig convergence;

  bool operator==(const TrialConfig&) const = default;
};

}  // namespace nn
