#include "sweeps/overrides.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nn/input_error.h"
#include "sweeps/setting.h"

namespace sweeps {

Override parse_override(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw nn::InputError("--set", 0, 0,
                         fmt::format("{}: expected SETTING=VALUE, e.g. convergence.target=0.3",
                                     nn::quote_input(text)));
  Override o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  const Setting* s = find_setting(o.key);
  if (!s)
    throw nn::InputError("--set", 0, 0, fmt::format("unknown setting {}", nn::quote_input(o.key)));
  if (s->role != Role::analysis)
    throw nn::InputError(
        "--set", 0, 0,
        fmt::format("{} is a training setting: changing it changes what is trained, so run the "
                    "sweep again with it; only the convergence.* settings judge a finished run",
                    o.key));
  return o;
}

std::string apply_overrides(std::string_view spec_yaml, std::span<const Override> overrides,
                            const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(spec_yaml));
  } catch (const YAML::Exception& e) {
    throw nn::InputError(file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  if (!root.IsMap()) throw nn::InputError(file, 0, 0, "the sweep is not a map of settings");
  for (const Override& o : overrides) {
    const Setting& s = setting(o.key);
    YAML::Node value;
    try {
      value = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      throw nn::InputError("--set", 0, 0,
                           fmt::format("{}: the value is not YAML: {}", o.key, e.msg));
    }
    root[std::string(s.section())][std::string(s.field())] = value;
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace sweeps
