// What trials.csv's parameter columns are, for the tables: which are data settings (they tell
// data configurations apart: the best trial of each is the one report.html draws and
// `--save-models best` keeps) and which were drawn at random (random search: importance.csv cuts
// them into quantile bins). The settings table and the sweep that know live in sweeps/, which
// results/ does not see; the runner hands their answer down as this.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace results {

struct ColumnRoles {
  std::function<bool(std::string_view key)> is_data;  // empty: no column is a data setting
  std::string dataset;                                // the column that names the dataset
  // Empty when the sweep is not known: then a numeric column with more distinct values than a
  // grid axis plausibly has is taken as sampled (importance.h).
  std::function<bool(std::string_view key)> is_sampled;

  bool data(std::string_view key) const { return is_data && is_data(key); }
};

}  // namespace results
