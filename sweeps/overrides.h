// Settings changed on the command line: `--set section.field=value`. Only analysis settings
// (convergence.*) can be changed on a finished run: they are read from the curves, never
// trained with, so `nnsweep report DIR --set ...` judges the run again without training.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sweeps {

class Reader;

struct Override {
  std::string key;    // a setting's dotted key, e.g. convergence.learned_below
  std::string value;  // its value as YAML text, e.g. 0.3
  std::string text() const { return key + '=' + value; }
};

// `KEY=VALUE`. Throws nn::InputError naming `--set` when the text has no `=`, the key is not a
// setting, or the setting is a training setting (changing it needs training).
Override parse_override(std::string_view text);

// `spec_yaml` (a sweep file or a manifest's resolved spec) with each override put in the
// sweep's base settings, later ones winning; the result parses as a sweep whose validation
// checks the values. Throws nn::InputError when `spec_yaml` is not a map.
std::string apply_overrides(std::string_view spec_yaml, std::span<const Override> overrides,
                            const std::string& file);

// A change to the sweep file on the command line of `run` or `plan`: `KEY=VALUE`, the value in
// YAML. KEY is a dotted path into the file: `train.epochs`, `name`, `report.rows`. Under `grid`
// and `random` the rest after the first dot is one setting key (`grid.train.learning_rate`,
// `random.train.learning_rate`, the latter a parameter in random.params); `exclude` and
// `include` are lists, replaced whole. An override replaces the value at its path (or adds it);
// it never appends to a list or deletes.
struct SpecOverride {
  std::string text;  // as given
  int argument = 0;  // 1-based position among the command's arguments
  std::string origin() const { return "<argument " + std::to_string(argument) + ">"; }
};

// Checks the form (a `=`, a key of dot-separated names); what the key and value mean is checked
// with the sweep. Throws nn::InputError naming `<argument N>:1:COL`.
SpecOverride parse_spec_override(std::string_view text, int argument);

// Puts each override into `root`, the sweep file's tree (later ones win). Values and new keys are
// parsed through `reader`, so every later message about them names the argument and column.
void apply_spec_overrides(YAML::Node& root, std::span<const SpecOverride> overrides,
                          Reader& reader);

}  // namespace sweeps
