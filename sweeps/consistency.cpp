#include "sweeps/consistency.h"

#include "nn/csv_data.h"
#include "nn/csv_values.h"
#include "nn/dataset.h"
#include "nn/input_error.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "sweeps/canonical.h"
#include "sweeps/suggest.h"

namespace sweeps {

bool couples(const Setting& setting) {
  return setting.couples;
}

namespace {

// The header as a message shows it: each name quoted, the first 20 only.
std::string list_columns(const std::vector<std::string>& header) {
  std::string columns;
  for (std::size_t c = 0; c < header.size() && c < 20; ++c) {
    if (!columns.empty()) columns += ", ";
    columns += nn::quote_input(header[c]);
  }
  if (header.size() > 20) columns += fmt::format(", ... ({} columns)", header.size());
  return columns;
}

// A CSV dataset names a file, a target column it has, and feature columns it has other than
// the target.
std::optional<Problem> check_csv_columns(const nn::DataConfig& data,
                                         const std::map<std::string, CsvInfo>& csv) {
  if (data.path.empty())
    return Problem{{"data.dataset"}, "data.dataset csv needs data.path, the CSV file to read"};
  if (data.target.empty())
    return Problem{{"data.dataset", "data.path"},
                   "data.dataset csv needs data.target, the name of the column to predict"};
  const CsvInfo& info = csv.at(data.path);
  const std::string columns = list_columns(info.header);
  auto has = [&](const std::string& name) {
    return std::find(info.header.begin(), info.header.end(), name) != info.header.end();
  };
  if (!has(data.target))
    return Problem{
        {"data.target", "data.path"},
        fmt::format("data.target: {} has no column {}{}; columns: {}", nn::quote_input(data.path),
                    nn::quote_input(data.target), did_you_mean(data.target, info.header), columns)};
  for (const std::string& column : data.columns) {
    if (!has(column))
      return Problem{{"data.columns", "data.path"},
                     fmt::format("data.columns: {} has no column {}{}; columns: {}",
                                 nn::quote_input(data.path), nn::quote_input(column),
                                 did_you_mean(column, info.header), columns)};
    if (column == data.target)
      return Problem{
          {"data.columns", "data.target"},
          fmt::format("data.columns lists the target column {}", nn::quote_input(column))};
  }
  return std::nullopt;
}

// The splits leave a training set, test samples, and a validation set when one is asked for;
// a batch fits in the training set; val_loss is monitored only with a validation split.
// `n` samples come from `source` ("200 points", "150 rows of iris.csv").
std::optional<Problem> check_splits(const nn::TrialConfig& config, std::int64_t n,
                                    const std::string& source) {
  const nn::DataConfig& data = config.data;
  // Fold 0 is the largest: it leaves the smallest training set.
  nn::DataConfig first_fold = data;
  first_fold.fold = 0;
  const nn::SplitSizes sizes = nn::split_sizes(n, first_fold);
  const std::int64_t train = sizes.train, val = sizes.validation;
  const std::int64_t train_and_val = train + val;
  const std::string split =
      fmt::format("{} x train_fraction {}", source, format_number(data.train_fraction)) +
      (data.validation_fraction > 0
           ? fmt::format(" x (1 - validation_fraction {})", format_number(data.validation_fraction))
           : "");
  if (train_and_val < 1 || train < 1)
    return Problem{{"data.train_fraction", "data.points", "data.validation_fraction", "data.path"},
                   "the training set is empty (" + split + ")"};
  if (train_and_val >= n)
    return Problem{{"data.train_fraction", "data.points", "data.path"},
                   fmt::format("no samples are left for testing ({} x train_fraction {})", source,
                               format_number(data.train_fraction))};
  if (data.validation_fraction > 0 && val < 1)
    return Problem{{"data.validation_fraction", "data.points", "data.train_fraction", "data.path"},
                   fmt::format("the validation set is empty: validation_fraction {} of {} "
                               "training samples is less than one sample",
                               format_number(data.validation_fraction), train_and_val)};
  if (data.split == nn::SplitMethod::kfold && data.folds > train_and_val) return std::nullopt;
  if (config.train.batch_size > train)
    return Problem{{"train.batch_size", "data.points", "data.train_fraction", "data.path"},
                   fmt::format("train.batch_size {} is larger than the training set of {} "
                               "samples ({})",
                               config.train.batch_size, train, split)};
  if (config.convergence.monitor == nn::Monitor::val_loss && data.validation_fraction <= 0)
    return Problem{{"convergence.monitor", "data.validation_fraction"},
                   "convergence.monitor val_loss needs a validation split "
                   "(data.validation_fraction > 0)"};
  return std::nullopt;
}

// The data settings as nn reads the file: by its absolute path, and, for the counts of
// classes, a stratified holdout split whatever the sweep's.
nn::DataConfig resolved(const nn::DataConfig& data, const CsvInfo& info) {
  nn::DataConfig resolved = data;
  resolved.path = info.absolute.string();
  resolved.split = nn::SplitMethod::holdout;
  resolved.stratify = nn::Stratify::automatic;
  return resolved;
}

// What names a dataset's values in CsvInfo's caches: the choice of columns and their reading.
std::string selection_of(const nn::DataConfig& data) {
  std::string selection =
      fmt::format("{}\n{}\n{}\n{}", nn::to_string(data.task), nn::to_string(data.categorical),
                  nn::to_string(data.missing), data.target);
  for (const std::string& column : data.columns) selection += "\n" + column;
  return selection;
}

// The rows of the file, from the parse of data's selection (once per selection, even where no
// nn::CsvValuesKept keeps the parse).
std::size_t rows_of(const nn::DataConfig& data, const CsvInfo& info) {
  const std::string selection = selection_of(data);
  auto rows = info.rows.find(selection);
  if (rows == info.rows.end())
    rows = info.rows.emplace(selection, nn::csv_rows(resolved(data, info))).first;
  return rows->second;
}

// Regression or classification, and the rows the dataset keeps. For a CSV target it is known
// once the values are read: the cells themselves (numbers or, with data.categorical onehot,
// text; missing cells; finite, two classes at least) are nn's to judge. Building the dataset
// here makes a bad cell fail the sweep at its line and column before anything is written,
// rather than fail every trial later. Each selection of columns is read once.
CsvInfo::Checked check_values(const nn::DataConfig& data,
                              const std::map<std::string, CsvInfo>& csv) {
  if (data.dataset != nn::DatasetKind::csv)
    return {nn::is_regression(data.dataset) ? nn::Task::regression : nn::Task::binary,
            static_cast<std::size_t>(data.points)};
  const CsvInfo& info = csv.at(data.path);
  const std::string selection = selection_of(data);
  auto checked = info.values_checked.find(selection);
  if (checked == info.values_checked.end()) {
    const nn::Dataset d = nn::load_csv_splits(resolved(data, info), 0);
    const auto rows =
        static_cast<std::size_t>(d.train.size() + d.validation.size() + d.test.size());
    checked =
        info.values_checked
            .emplace(
                selection,
                CsvInfo::Checked{
                    d.task, rows, {d.class_counts.begin(), d.class_counts.end()}, d.class_names})
            .first;
  }
  return checked->second;
}

// Cross-validation needs a sample of every fold, and, stratified, a sample of each class in
// every fold; stratify true needs classes.
std::optional<Problem> check_folds(const nn::DataConfig& data, std::int64_t n,
                                   const CsvInfo::Checked& facts) {
  const bool classes = facts.task != nn::Task::regression;
  if (data.stratify == nn::Stratify::yes && !classes)
    return Problem{{"data.split.stratify", "data.target", "data.dataset"},
                   "data.split.stratify true needs classes, and the target is a regression; "
                   "use auto or false"};
  if (data.split != nn::SplitMethod::kfold) return std::nullopt;
  const std::int64_t part = nn::split_sizes(n, data.train_fraction, 0.0).train;
  if (data.folds > part)
    return Problem{{"data.split.folds", "data.train_fraction", "data.points", "data.path"},
                   fmt::format("data.split.folds {} is more than the {} samples left for "
                               "cross-validation after the test share",
                               data.folds, part)};
  if (!nn::stratifies(data, facts.task) || facts.class_counts.empty()) return std::nullopt;
  const std::vector<Eigen::Index> counts(facts.class_counts.begin(), facts.class_counts.end());
  const std::vector<Eigen::Index> in_part = nn::apportion(counts, part);
  const auto smallest = std::min_element(in_part.begin(), in_part.end());
  if (*smallest >= data.folds) return std::nullopt;
  return Problem{{"data.split.folds", "data.train_fraction", "data.split.stratify"},
                 fmt::format("data.split.folds {} is more than the {} samples of the smallest "
                             "class ({}) in the part left for cross-validation: a fold would "
                             "miss that class; use at most {} folds, or stratify: false",
                             data.folds, *smallest,
                             nn::quote_input(facts.class_names.at(
                                 static_cast<std::size_t>(smallest - in_part.begin()))),
                             std::max<Eigen::Index>(*smallest, 2))};
}

// Cross-entropy, an accuracy target and class weights need classes.
std::optional<Problem> check_task(const nn::TrialConfig& config, nn::Task task) {
  const nn::DataConfig& data = config.data;
  if (task != nn::Task::regression) return std::nullopt;
  const bool from_csv = data.dataset == nn::DatasetKind::csv;
  if (config.model.loss == nn::Loss::cross_entropy) {
    if (from_csv)
      return Problem{{"model.loss", "data.target"},
                     fmt::format("model.loss cross_entropy needs classes, but data.target {} "
                                 "of {} holds numbers (a regression target); use mse or auto",
                                 nn::quote_input(data.target), nn::quote_input(data.path))};
    return Problem{{"model.loss", "data.dataset"},
                   fmt::format("model.loss cross_entropy needs classes, but data.dataset {} is "
                               "a regression target; use mse or auto",
                               nn::to_string(data.dataset))};
  }
  const std::string target =
      from_csv ? "column " + nn::quote_input(data.target) + " of " + nn::quote_input(data.path)
               : "data.dataset " + std::string(nn::to_string(data.dataset));
  if (config.convergence.target_metric == nn::TargetMetric::accuracy)
    return Problem{{"convergence.target_metric", "data.dataset", "data.target"},
                   fmt::format("convergence.target_metric accuracy needs a classification task, "
                               "and {} is a regression",
                               target)};
  if (config.train.class_weight != nn::ClassWeight::none)
    return Problem{{"train.class_weight", "data.dataset", "data.target"},
                   fmt::format("train.class_weight {} needs a classification task, and {} is a "
                               "regression; use none",
                               nn::to_string(config.train.class_weight), target)};
  return std::nullopt;
}

}  // namespace

std::optional<Problem> check_consistency(const nn::TrialConfig& config,
                                         const std::map<std::string, CsvInfo>& csv) {
  const nn::DataConfig& data = config.data;
  std::int64_t n = data.points;
  std::string source = fmt::format("{} points", data.points);
  if (data.dataset == nn::DatasetKind::csv) {
    if (auto problem = check_csv_columns(data, csv)) {
      // A problem of the file itself comes first, wherever it is in the file.
      if (const auto it = csv.find(data.path); it != csv.end()) {
        std::size_t rows = 0;
        nn::read_csv_shape(it->second.absolute.string(), rows);
      }
      return problem;
    }
    // The one parse of this selection: the rows now, the values below.
    const std::size_t rows = rows_of(data, csv.at(data.path));
    n = static_cast<std::int64_t>(rows);
    source = fmt::format("{} rows of {}", rows, data.path);
  }
  if (auto problem = check_splits(config, n, source)) return problem;
  const CsvInfo::Checked checked = check_values(data, csv);
  // data.missing drop_rows: the splits are cut from the rows it keeps.
  if (static_cast<std::int64_t>(checked.rows) < n)
    if (auto problem = check_splits(
            config, static_cast<std::int64_t>(checked.rows),
            fmt::format("{} rows of {} without a missing value", checked.rows, data.path))) {
      problem->keys.push_back("data.missing");
      return problem;
    }
  if (auto problem = check_folds(data, static_cast<std::int64_t>(checked.rows), checked))
    return problem;
  return check_task(config, checked.task);
}

}  // namespace sweeps
