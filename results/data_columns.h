// Which of trials.csv's parameter columns are data settings. They tell data configurations
// apart: the best trial of each is the one report.html draws and `--save-models best` keeps.
// The settings table that knows each column's role lives in sweeps/, which results/ does not
// see; the runner hands its answer down as this.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace results {

struct DataColumns {
  std::function<bool(std::string_view key)> is_data;  // empty: no column is a data setting
  std::string dataset;                                // the column that names the dataset

  bool contains(std::string_view key) const { return is_data && is_data(key); }
};

}  // namespace results
