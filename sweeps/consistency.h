// Rules that couple several settings of one configuration, so no single value can be checked
// alone: a CSV dataset needs a file and a target column it has; the splits must leave training
// and test samples; a batch must fit in the training set; val_loss can only be monitored with
// a validation split; cross-entropy needs classes (a CSV target's kind is known once its
// values are read, which happens here). Split sizes follow nn/dataset.cpp: train+validation =
// floor(n x train_fraction), validation = floor(that x validation_fraction).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nn/config.h"
#include "sweeps/setting.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {

struct Problem {
  std::vector<std::string> keys;  // the settings to blame, the most likely culprit first
  std::string message;
};

// Whether `setting` takes part in any rule (the others never need re-checking).
bool couples(const Setting& setting);

// `csv` holds the sweep's CSV files by path as written (Reader::csv_files()).
std::optional<Problem> check_consistency(const nn::TrialConfig& config,
                                         const std::map<std::string, CsvInfo>& csv);

}  // namespace sweeps
