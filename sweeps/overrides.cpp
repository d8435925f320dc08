#include "sweeps/overrides.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <cctype>

#include "nn/input_error.h"
#include "sweeps/setting.h"
#include "sweeps/yaml_reader.h"

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

namespace sweeps {
namespace {

// One dot-separated name of an override's key and its 0-based column in the argument.
struct KeyPart {
  std::string name;
  int column = 0;
};

std::vector<KeyPart> key_parts(const SpecOverride& o) {
  const std::string_view key = std::string_view(o.text).substr(0, o.text.find('='));
  std::vector<KeyPart> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = std::min(key.find('.', start), key.size());
    parts.push_back({std::string(key.substr(start, dot - start)), static_cast<int>(start)});
    if (dot == key.size()) return parts;
    start = dot + 1;
  }
}

std::string joined(std::span<const KeyPart> parts) {
  std::string out;
  for (const KeyPart& p : parts) {
    if (!out.empty()) out += '.';
    out += p.name;
  }
  return out;
}

// The value of `key` in `map`, or an undefined node.
YAML::Node find_entry(const YAML::Node& map, const std::string& key, YAML::Node* key_node) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      if (key_node) *key_node = it->first;
      return it->second;
    }
  return YAML::Node(YAML::NodeType::Undefined);
}

// Puts one override into the tree, keeping the file's order of keys. `whole_from`: from this
// part on the key is one dotted name (a setting key under grid, random.params or a section).
class Placer {
 public:
  Placer(Reader& reader, const SpecOverride& o) : reader_(reader), o_(o) {}

  void place(YAML::Node map, std::span<const KeyPart> parts, std::size_t whole_from,
             const YAML::Node& value) {
    const std::string rest = joined(parts);
    YAML::Node key_node;
    if (YAML::Node found = find_entry(map, rest, &key_node); found.IsDefined()) {
      // Assigning to the handles re-points the map's own key and value, in place: messages
      // about either name the argument.
      key_node = key(parts);
      found = value;
      return;
    }
    YAML::Node first = find_entry(map, parts.front().name, &key_node);
    if (parts.size() > 1 && first.IsMap())
      return place(first, parts.subspan(1), whole_from ? whole_from - 1 : 0, value);
    if (whole_from == 0 || parts.size() == 1) return void(map.force_insert(key(parts), value));
    // A new (or replaced non-map) level: an empty map that points at the next name.
    YAML::Node level = reader_.load_argument("{}", parts[1].column, o_.origin());
    if (first.IsDefined()) {
      key_node = key(parts.first(1));
      first = level;
    } else {
      map.force_insert(key(parts.first(1)), level);
    }
    place(level, parts.subspan(1), whole_from - 1, value);
  }

 private:
  YAML::Node key(std::span<const KeyPart> parts) {
    return reader_.load_argument(joined(parts), parts.front().column, o_.origin());
  }

  Reader& reader_;
  const SpecOverride& o_;
};

constexpr std::size_t kNever = 1000;  // no part groups the rest: every dot is a level

// The override's key as the tree's path: where the rest of it is one setting key.
std::vector<KeyPart> path_of(const SpecOverride& o, std::size_t& whole_from) {
  std::vector<KeyPart> parts = key_parts(o);
  const std::string& top = parts.front().name;
  whole_from = kNever;
  if (top == "exclude" || top == "include") {
    if (parts.size() > 1)
      throw nn::InputError(
          o.origin(), 1, parts[1].column + 1,
          fmt::format("{} is a list and is replaced whole: {}=[{{...}}, ...]", top, top));
  } else if (top == "grid" || top == "data" || top == "model" || top == "train" ||
             top == "convergence") {
    whole_from = 1;
  } else if (top == "random" && parts.size() > 2) {
    // random.params.KEY, or random.KEY for short: KEY is a setting's key (it has a dot), never a
    // field of random (samples, method).
    if (parts[1].name != "params") parts.insert(parts.begin() + 1, {"params", parts[1].column});
    whole_from = 2;
  }
  return parts;
}

}  // namespace

SpecOverride parse_spec_override(std::string_view text, int argument) {
  SpecOverride o{std::string(text), argument};
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos)
    throw nn::InputError(
        o.origin(), 1, 1,
        fmt::format("{} is not KEY=VALUE, e.g. train.epochs=50", nn::quote_input(text)));
  if (eq == 0) throw nn::InputError(o.origin(), 1, 1, "the key before '=' is empty");
  for (const KeyPart& part : key_parts(o)) {
    const auto bad = std::find_if(part.name.begin(), part.name.end(), [](char c) {
      return !std::isalnum(static_cast<unsigned char>(c)) && c != '_';
    });
    if (part.name.empty() || bad != part.name.end())
      throw nn::InputError(
          o.origin(), 1, part.column + 1 + static_cast<int>(bad - part.name.begin()),
          fmt::format("{} is not a key: names of letters, digits and '_' joined by dots, "
                      "e.g. train.learning_rate",
                      nn::quote_input(text.substr(0, eq))));
  }
  return o;
}

void apply_spec_overrides(YAML::Node& root, std::span<const SpecOverride> overrides,
                          Reader& reader) {
  if (overrides.empty()) return;
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return;  // the sweep's own check says what is wrong with the file
  for (const SpecOverride& o : overrides) {
    std::size_t whole_from = 0;
    const std::vector<KeyPart> parts = path_of(o, whole_from);
    const std::size_t eq = o.text.find('=');
    const YAML::Node value = reader.load_argument(std::string_view(o.text).substr(eq + 1),
                                                  static_cast<int>(eq + 1), o.origin());
    Placer(reader, o).place(root, parts, whole_from, value);
  }
}

}  // namespace sweeps
