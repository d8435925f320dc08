// Settings changed on the command line: `--set section.field=value`. Only analysis settings
// (convergence.*) can be changed on a finished run: they are read from the curves, never
// trained with, so `nnsweep report DIR --set ...` judges the run again without training.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sweeps {

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

}  // namespace sweeps
