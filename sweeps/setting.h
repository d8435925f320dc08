// The settings a sweep file can name, one per dotted key ("train.learning_rate"), in the fixed
// order of canonical text and CSV columns. Each reads a YAML value into its field of a
// TrialConfig (checking type and range, throwing nn::InputError at the value), gives the
// field's canonical text, copies it between configs and writes it as YAML. The table is
// immutable; adding a field to nn/config.h means adding one line to setting.cpp.
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

struct Setting {
  std::string key;  // "section.field"
  ValueKind kind;
  std::function<void(Reader&, const YAML::Node&, nn::TrialConfig&)> read;
  std::function<std::string(const nn::TrialConfig&)> text;
  std::function<void(const nn::TrialConfig& from, nn::TrialConfig& to)> copy;
  std::function<void(YAML::Emitter&, const nn::TrialConfig&)> emit;
  // number and integer kinds: stores a drawn value (already checked against the range).
  std::function<void(nn::TrialConfig&, double)> set_number;

  std::string_view section() const { return std::string_view(key).substr(0, key.find('.')); }
  std::string_view field() const { return std::string_view(key).substr(key.find('.') + 1); }
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
// nullptr when no setting has that key.
const Setting* find_setting(std::string_view key);
std::vector<std::string> setting_keys();
// The field names of one section ("data" -> dataset, points, ...).
std::vector<std::string> section_fields(std::string_view section);

}  // namespace sweeps
