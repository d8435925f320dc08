// The settings a sweep file can name, one per dotted key ("train.learning_rate"), in the fixed
// order of canonical text and CSV columns. Each row reads a YAML value into its field of a
// TrialConfig (checking type and range, throwing nn::InputError at the value), gives the
// field's canonical text, copies it between configs, writes it as YAML, and carries every
// attribute the rest of the code asks about a setting (its role, when it applies, what it
// couples with). No other code compares setting keys: adding a field to nn/config.h means
// adding one row to setting.cpp.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "nn/config.h"

namespace sweeps {

class Reader;

enum class ValueKind { number, integer, name, int_list, name_list, text, text_list };

// What a setting is to a trial. A training setting changes what is trained and is part of the
// trial's identity; an analysis setting only reads the curves afterwards (the convergence
// rules), so changing it re-derives the tables without training anything.
enum class Role { training, analysis };

struct Setting {
  std::string key;  // "section.field"
  ValueKind kind;
  Role role = Role::training;
  // The setting whose value decides whether this one applies (empty: it always applies), and
  // the decision. A setting that does not apply to a configuration changes nothing there: it
  // is left out of the trial's identity, its cell in trials.csv is empty, and combinations that
  // differ only in it are one trial. A controller always applies itself.
  std::string controller;
  bool (*applies_to)(const nn::TrialConfig&) = nullptr;
  // Part of a trial's random streams (initial weights, batch order): the data, the network's
  // shape and its initialisation. Trials that differ only in other settings (rates, optimizer,
  // epochs, ...) start from the same weights and see the same batches.
  bool stream = false;
  // The length of a training: trials that differ only in it share one training (epoch
  // siblings), so the grid enumerates it innermost.
  bool budget = false;
  // Read by the rules that couple several settings (sweeps/consistency.h).
  bool couples = false;
  // Set once for the whole sweep (in its section, or by an override), never a grid axis, an
  // include value or a random choice: it decides how many trainings each configuration has.
  bool per_sweep = false;
  // A file path, written relative to the sweep file.
  bool path = false;
  // Only for a setting added after the identity scheme: the text of the value that reproduces
  // the behaviour from before it existed. That value stays out of the identity, so adding the
  // setting moves no earlier trial (empty: always part of the identity).
  std::string neutral;
  std::function<void(Reader&, const YAML::Node&, nn::TrialConfig&)> read;
  std::function<std::string(const nn::TrialConfig&)> text;
  std::function<void(const nn::TrialConfig& from, nn::TrialConfig& to)> copy;
  std::function<void(YAML::Emitter&, const nn::TrialConfig&)> emit;
  // number and integer kinds: stores a drawn value (already checked against the range).
  std::function<void(nn::TrialConfig&, double)> set_number;

  std::string_view section() const { return std::string_view(key).substr(0, key.find('.')); }
  std::string_view field() const { return std::string_view(key).substr(key.find('.') + 1); }
  bool applies(const nn::TrialConfig& config) const { return !applies_to || applies_to(config); }
};

// One setting's value as the sweep file gives it (a grid value, an include entry's value...):
// held in the setting's field of `value`, with its canonical text and where it was written.
struct Assignment {
  const Setting* setting = nullptr;
  nn::TrialConfig value;
  std::string text;
  YAML::Mark mark;
  void apply(nn::TrialConfig& config) const { setting->copy(value, config); }
};
Assignment read_assignment(Reader& reader, const Setting& setting, const YAML::Node& node);

const std::vector<Setting>& settings();
// The keys other code names directly, spelled once here.
namespace keys {
inline constexpr std::string_view dataset = "data.dataset";
inline constexpr std::string_view learning_rate = "train.learning_rate";
inline constexpr std::string_view activation = "model.activation";
inline constexpr std::string_view regularization = "train.regularization";
inline constexpr std::string_view regularization_rate = "train.regularization_rate";
}  // namespace keys
// The settings of the data section (what a dataset is made from).
inline bool is_data(const Setting& s) {
  return s.section() == "data";
}

// nullptr when no setting has that key.
const Setting* find_setting(std::string_view key);
// The row of a key that settings() holds (REQUIRES it does).
const Setting& setting(std::string_view key);
// The setting that is the length of a training (budget).
const Setting& budget_setting();
std::vector<std::string> setting_keys();
// The field names of one section ("data" -> dataset, points, ...).
std::vector<std::string> section_fields(std::string_view section);

}  // namespace sweeps
