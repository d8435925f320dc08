// What a convergence table pivots on and what fills its cells: the sweep file's `report:`
// section (sweeps/ reads it into this type, as it reads the training settings into nn/'s
// configs) or `nnsweep report --rows/--cols/--cell`. A plain struct with no dependencies, so the
// layer that parses it and the layer that draws it share one type.
#pragma once

#include <string>

namespace results {

struct PivotSpec {
  std::string rows = "train.learning_rate";  // a setting: one table row per value
  std::string cols = "model.activation";     // a setting: one column per value
  std::string cell = "outcome";  // outcome, success_rate or a metric of trial_metric_names()
};

}  // namespace results
