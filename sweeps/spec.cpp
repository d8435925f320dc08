#include "sweeps/spec.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

#include "nn/input_error.h"
#include "nn/input_file.h"
#include "sweeps/canonical.h"
#include "sweeps/consistency.h"
#include "sweeps/grid.h"
#include "sweeps/halving.h"
#include "sweeps/random_search.h"
#include "sweeps/setting.h"
#include "sweeps/suggest.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {

struct Sweep::Impl {
  std::filesystem::path file;
  std::string name;
  std::uint64_t seed = 42;
  int repeats = 1;
  int folds = 1;  // data.split.folds under kfold; every configuration trains once per fold
  nn::TrialConfig base;
  Grid grid;
  RandomSamples random;
  results::PivotSpec report;
  CurvesSpec curves;
  Counts counts;
  std::uint64_t size = 0;
  std::vector<Axis> axes;
  std::vector<Param> random_params;
  std::vector<std::string> include_places;  // "line 12" or "<argument 2> column 5", per entry
  std::vector<std::string> param_keys;
  std::vector<const Setting*> param_settings;
  std::map<std::string, std::string> absolute_paths;  // as written -> absolute
  std::map<std::string, std::string> written_paths;   // absolute -> as written
  std::optional<Halving> halving;
  std::string canonical_yaml;
  std::string hash;
};

namespace {

const std::vector<std::string> kTopKeys = {
    "name",    "seed",    "repeats", "data",   "model",  "train",      "convergence", "grid",
    "exclude", "include", "random",  "report", "curves", "max_trials", "halving"};
constexpr std::size_t kMaxAxisValues = 100'000;
constexpr std::uint64_t kMaxSweepFileBytes = 16ull << 20;
const std::vector<std::string> kSections = {"data", "model", "train", "convergence"};

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += std::string(sep);
    out += s;
  }
  return out;
}

std::string default_name(const std::string& file) {
  std::string name = std::filesystem::path(file).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '-';
  return name.empty() ? "sweep" : name;
}

// Everything parsed from the file, before it is turned into a Grid and samples.
struct Parsed {
  std::map<std::string, YAML::Mark> base_marks;  // settings given in the sections
  std::vector<GridAxis> axes;
  std::vector<MatrixEntry> exclude, include;
  std::vector<RandomParam> random;
  std::uint64_t samples = 0;
  RandomMethod method = RandomMethod::pseudo;
  YAML::Mark samples_mark, size_mark;
  std::optional<std::uint64_t> max_trials;
  std::map<std::string, YAML::Mark> report_marks;  // rows, cols given in the file
};

class Loader {
 public:
  Loader(Reader& reader, Sweep::Impl& sweep) : r_(reader), s_(sweep) {}

  void top_level(const YAML::Node& root) {
    if (!root.IsMap())
      r_.fail(root.IsNull() ? YAML::Mark() : root.Mark(),
              "a sweep file is a map of settings (name, seed, data, model, train, grid, ...), "
              "got " +
                  describe_node(root));
    std::map<std::string, Reader::Entry> by_key;
    for (Reader::Entry& e : r_.entries(root, "the sweep file")) {
      if (std::find(kTopKeys.begin(), kTopKeys.end(), e.key) == kTopKeys.end())
        r_.fail(e.key_node, "unknown key " + nn::quote_input(e.key) + top_level_hint(e.key));
      by_key.emplace(e.key, std::move(e));
    }
    // Fixed order: exclude and include need the axes, random needs the seed.
    for (const std::string& key : kTopKeys) {
      auto it = by_key.find(key);
      if (it == by_key.end()) continue;
      const Reader::Entry& e = it->second;
      if (key == "name")
        name(e.value);
      else if (key == "seed")
        s_.seed = r_.unsigned_integer(e.value, "seed");
      else if (key == "repeats")
        repeats(e.value);
      else if (key == "grid")
        grid(e);
      else if (key == "exclude")
        matrix(e, p_.exclude);
      else if (key == "include")
        matrix(e, p_.include);
      else if (key == "random")
        random(e);
      else if (key == "report")
        report(e.value);
      else if (key == "curves")
        curves(e.value);
      else if (key == "max_trials")
        max_trials(e.value);
      else if (key == "halving")
        s_.halving = read_halving(r_, e.value);
      else
        section(e);
    }
    // Where a sweep that is too large is reported: its biggest factor.
    for (const char* key : {"repeats", "random", "grid"})
      if (by_key.count(key)) p_.size_mark = by_key.at(key).key_node.Mark();
  }

  Parsed& parsed() { return p_; }

 private:
  std::string top_level_hint(const std::string& key) const {
    std::string hint = did_you_mean(key, kTopKeys);
    if (!hint.empty()) return hint;
    if (const Setting* s = find_setting(key))
      return fmt::format(" (settings go inside their section: '{}:' then '{}:')", s->section(),
                         s->field());
    for (const Setting& s : settings())
      if (s.field() == key)
        return fmt::format(" (did you mean '{}' inside '{}:'?)", key, s.section());
    return "; top-level keys: " + join(kTopKeys);
  }

  void name(const YAML::Node& node) {
    const std::string text = r_.scalar(node, "name");
    const bool ok =
        !text.empty() && text.size() <= 100 && text.front() != '.' &&
        std::all_of(text.begin(), text.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!ok)
      r_.fail(node, "name " + nn::quote_input(text) +
                        " must be 1-100 letters, digits, '-', '_' or '.' (it names "
                        "the output folder), not starting with '.'");
    s_.name = text;
  }

  void repeats(const YAML::Node& node) {
    const std::int64_t n = r_.integer(node, "repeats");
    if (n < 1 || n > 1'000'000)
      r_.fail(node, "repeats must be a whole number from 1 to 1000000, got " + node.Scalar());
    s_.repeats = static_cast<int>(n);
  }

  // A section's fields; a dotted field ("split.method") may also be written nested, as
  // `split: {method: kfold}`.
  void section(const Reader::Entry& e) { fields(e.value, e.key, "section '" + e.key + "'"); }

  void fields(const YAML::Node& map, const std::string& prefix, const std::string& what) {
    std::vector<std::string> allowed = fields_under(prefix);
    for (const std::string& field : fields_under(prefix))
      if (const auto dot = field.find('.'); dot != std::string::npos)
        if (std::find(allowed.begin(), allowed.end(), field.substr(0, dot)) == allowed.end())
          allowed.push_back(field.substr(0, dot));
    for (const Reader::Entry& field : r_.entries(map, what, allowed)) {
      const std::string key = prefix + "." + field.key;
      const Setting* setting = find_setting(key);
      if (!setting) {
        fields(field.value, key, "'" + key + "'");
        continue;
      }
      setting->read(r_, field.value, s_.base);
      p_.base_marks[setting->key] = field.value.Mark();
    }
  }

  // The rest of every setting key that starts with `prefix` and a dot.
  static std::vector<std::string> fields_under(const std::string& prefix) {
    std::vector<std::string> out;
    for (const std::string& key : setting_keys())
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
          key[prefix.size()] == '.')
        out.push_back(key.substr(prefix.size() + 1));
    return out;
  }

  const Setting& setting_key(const Reader::Entry& e, const std::string& where) {
    if (const Setting* s = find_setting(e.key)) {
      if (s->role == Role::analysis)
        r_.fail(e.key_node, e.key +
                                " is an analysis setting: it changes how the loss curves are read, "
                                "not what is trained, so it cannot vary in " +
                                where + "; set it once under '" + std::string(s->section()) +
                                ":' (nnsweep report DIR re-reads a finished run)");
      if (s->per_sweep)
        r_.fail(e.key_node, e.key +
                                " decides how many trainings each configuration has, so it "
                                "cannot vary in " +
                                where + "; set it once under '" + std::string(s->section()) + ":'");
      return *s;
    }
    if (std::find(kSections.begin(), kSections.end(), e.key) != kSections.end())
      r_.fail(e.key_node, where + " keys are dotted settings like '" + e.key + "." +
                              section_fields(e.key).front() + "', got " + nn::quote_input(e.key));
    r_.fail(e.key_node, "unknown setting " + nn::quote_input(e.key) + " in " + where +
                            did_you_mean(e.key, setting_keys()));
  }

  void grid(const Reader::Entry& top) {
    for (const Reader::Entry& e : r_.entries(top.value, "grid")) {
      const Setting& setting = setting_key(e, "grid");
      if (!e.value.IsSequence())
        r_.fail(e.value,
                "grid axis " + e.key + " must be a list of values, got " + describe_node(e.value));
      if (e.value.size() == 0) r_.fail(e.value, "grid axis " + e.key + " has no values");
      if (e.value.size() > kMaxAxisValues)
        r_.fail(e.value, fmt::format("grid axis {} has {} values, more than the {} an axis may "
                                     "list",
                                     e.key, e.value.size(), kMaxAxisValues));
      GridAxis axis{&setting, {}, e.key_node.Mark()};
      std::unordered_set<std::string> seen;  // a hash set: a long axis is checked in linear time
      const bool list_valued = setting.kind == ValueKind::int_list ||
                               setting.kind == ValueKind::name_list ||
                               setting.kind == ValueKind::text_list;
      for (const YAML::Node& item : e.value) {
        if (list_valued && !item.IsSequence())
          r_.fail(item,
                  "grid axis " + e.key + " takes a list of lists, e.g. " +
                      (setting.kind == ValueKind::int_list ? "[[8, 8], [4]]" : "[[x1, x2], [x1]]") +
                      ", got " + describe_node(item));
        Assignment value = read_assignment(r_, setting, item);
        if (!seen.insert(value.text).second)
          r_.fail(item, "grid axis " + e.key + " lists the value " + nn::quote_input(value.text) +
                            " twice");
        axis.values.push_back(std::move(value));
      }
      p_.axes.push_back(std::move(axis));
    }
  }

  bool is_axis(const Setting& s) const {
    return std::any_of(p_.axes.begin(), p_.axes.end(),
                       [&](const GridAxis& a) { return a.setting == &s; });
  }

  // `exclude` or `include` (top.key): a list of maps; exclude may name grid axes only.
  void matrix(const Reader::Entry& top, std::vector<MatrixEntry>& out) {
    const bool exclude = top.key == "exclude";
    if (!top.value.IsSequence())
      r_.fail(top.value, top.key + " must be a list of maps like [{model.activation: relu}], got " +
                             describe_node(top.value));
    std::vector<std::string> axis_keys;
    for (const GridAxis& a : p_.axes) axis_keys.push_back(a.setting->key);
    for (const YAML::Node& item : top.value) {
      MatrixEntry entry{{}, item.Mark()};
      const auto fields = r_.entries(item, "an " + top.key + " entry");
      if (fields.empty()) r_.fail(item, "an " + top.key + " entry must name at least one setting");
      for (const Reader::Entry& e : fields) {
        const Setting& setting = setting_key(e, top.key);
        if (exclude && !is_axis(setting))
          r_.fail(
              e.key_node,
              "exclude can only name grid axes, and " + nn::quote_input(e.key) + " is not one" +
                  (axis_keys.empty() ? " (there is no grid)" : " (axes: " + join(axis_keys) + ")"));
        entry.values.push_back(read_assignment(r_, setting, e.value));
      }
      out.push_back(std::move(entry));
    }
  }

  void random(const Reader::Entry& top) {
    const auto fields = r_.entries(top.value, "random", {"samples", "params", "method"});
    const Reader::Entry* samples = nullptr;
    const Reader::Entry* params = nullptr;
    for (const Reader::Entry& e : fields)
      if (e.key == "method")
        random_method(e.value);
      else
        (e.key == "samples" ? samples : params) = &e;
    if (!samples) r_.fail(top.key_node, "random needs 'samples', the number of draws");
    if (!params) r_.fail(top.key_node, "random needs 'params', the settings to draw");
    const std::int64_t n = r_.integer(samples->value, "random.samples");
    if (n < 1)
      r_.fail(samples->value, "random.samples must be >= 1, got " + samples->value.Scalar());
    p_.samples = static_cast<std::uint64_t>(n);
    p_.samples_mark = samples->value.Mark();
    const std::vector<std::string> names(kDistributionNames.begin(), kDistributionNames.end());
    const auto entries = r_.entries(params->value, "random.params");
    if (entries.empty()) r_.fail(params->value, "random.params names no setting to draw");
    for (const Reader::Entry& e : entries) {
      const Setting& setting = setting_key(e, "random.params");
      if (is_axis(setting))
        r_.fail(e.key_node, e.key + " is a grid axis; it cannot also be drawn at random");
      for (const MatrixEntry& inc : p_.include)
        for (const Assignment& a : inc.values)
          if (a.setting == &setting)
            r_.fail(e.key_node, e.key + " is set by include (" + r_.where(a.mark) +
                                    "); it cannot also be drawn at random");
      if (!setting.controller.empty()) {
        const Setting& controller = *find_setting(setting.controller);
        if (is_axis(controller))
          r_.fail(e.key_node, e.key + " applies only for some values of " + controller.key +
                                  ", which the grid varies; draw " + controller.key +
                                  " in random too (choice), or make " + e.key + " an axis");
        for (const MatrixEntry& inc : p_.include)
          for (const Assignment& a : inc.values)
            if (a.setting == &controller)
              r_.fail(e.key_node, e.key + " applies only for some values of " + controller.key +
                                      ", which include sets (" + r_.where(a.mark) + "); draw " +
                                      controller.key + " in random too (choice)");
      }
      const auto dist = r_.entries(e.value, "random.params." + e.key, names);
      if (dist.size() != 1)
        r_.fail(e.value,
                "random.params." + e.key + " needs exactly one distribution: " + join(names));
      p_.random.push_back(distribution(setting, dist.front(), e.key_node.Mark()));
    }
  }

  void random_method(const YAML::Node& node) {
    const std::string text = r_.scalar(node, "random.method");
    const std::vector<std::string> names(kRandomMethodNames.begin(), kRandomMethodNames.end());
    const auto method = nn::parse_name<RandomMethod>(text, kRandomMethodNames);
    if (!method)
      r_.fail(node, "unknown random.method " + nn::quote_input(text) + did_you_mean(text, names) +
                        "; valid: " + join(names));
    p_.method = *method;
  }

  RandomParam distribution(const Setting& setting, const Reader::Entry& d, YAML::Mark mark) {
    RandomParam p;
    p.setting = &setting;
    p.mark = mark;
    p.distribution = *nn::parse_name<Distribution>(d.key, kDistributionNames);
    const std::string what = "random.params." + setting.key + "." + d.key;
    if (p.distribution == Distribution::choice) {
      if (!d.value.IsSequence() || d.value.size() == 0)
        r_.fail(d.value, what + " must be a non-empty list of values");
      for (const YAML::Node& item : d.value) {
        Assignment value = read_assignment(r_, setting, item);
        for (const Assignment& earlier : p.choices)
          if (earlier.text == value.text)
            r_.fail(item, what + " lists the value " + value.text + " twice");
        p.choices.push_back(std::move(value));
      }
      return p;
    }
    const bool integer = p.distribution == Distribution::int_uniform;
    if (setting.kind != (integer ? ValueKind::integer : ValueKind::number))
      r_.fail(d.key_node,
              d.key + " draws " + (integer ? "whole numbers" : "real numbers") + " but " +
                  setting.key + " takes " +
                  (setting.kind == ValueKind::integer  ? "whole numbers (int_uniform)"
                   : setting.kind == ValueKind::number ? "real numbers (uniform, log_uniform)"
                                                       : "other values (use choice)"));
    if (!d.value.IsSequence() || d.value.size() != 2)
      r_.fail(d.value, what + " must be a range [low, high]");
    // Each end must itself be a valid value, so every draw in between is.
    nn::TrialConfig ends[2];
    setting.read(r_, d.value[0], ends[0]);
    setting.read(r_, d.value[1], ends[1]);
    p.lo = r_.number(d.value[0], what);
    p.hi = r_.number(d.value[1], what);
    if (p.lo > p.hi) r_.fail(d.value, what + ": the low end is above the high end");
    if (!integer && p.lo == p.hi)
      r_.fail(d.value, what +
                           ": a range of real numbers needs two different ends (for a fixed "
                           "value, set it in the base configuration)");
    if (!std::isfinite(p.hi - p.lo))
      r_.fail(d.value, what + ": the range is too wide to draw from");
    if (p.distribution == Distribution::log_uniform && p.lo <= 0)
      r_.fail(d.value[0], what + ": the low end must be > 0");
    return p;
  }

  void report(const YAML::Node& node) {
    for (const Reader::Entry& e : r_.entries(node, "report", {"rows", "cols", "cell"})) {
      const std::string value = r_.scalar(e.value, "report." + e.key);
      if (e.key == "cell") {
        const std::vector<std::string> cells(kReportCells.begin(), kReportCells.end());
        if (std::find(cells.begin(), cells.end(), value) == cells.end())
          r_.fail(e.value, "unknown report.cell " + nn::quote_input(value) +
                               did_you_mean(value, cells) + "; valid: " + join(cells));
        s_.report.cell = value;
      } else {
        if (!find_setting(value))
          r_.fail(e.value, "report." + e.key +
                               " must be a setting like train.learning_rate, "
                               "got " +
                               nn::quote_input(value) + did_you_mean(value, setting_keys()));
        (e.key == "rows" ? s_.report.rows : s_.report.cols) = value;
        p_.report_marks[e.key] = e.value.Mark();
      }
    }
  }

  void curves(const YAML::Node& node) {
    if (node.IsScalar()) {
      const std::string v = node.Scalar();
      if (v == "off" || v == "false" || v == "no") return void(s_.curves.enabled = false);
      if (v == "on" || v == "true" || v == "yes") return void(s_.curves = {});
    }
    if (!node.IsMap())
      r_.fail(node, "curves must be off, on or {every: K}, got " + describe_node(node));
    for (const Reader::Entry& e : r_.entries(node, "curves", {"every"})) {
      const std::int64_t every = r_.integer(e.value, "curves.every");
      if (every < 1 || every > 1'000'000'000)
        r_.fail(e.value, "curves.every must be a whole number >= 1, got " + e.value.Scalar());
      s_.curves = {.enabled = true, .every = static_cast<int>(every)};
    }
  }

  void max_trials(const YAML::Node& node) {
    const std::uint64_t n = r_.unsigned_integer(node, "max_trials");
    if (n < 1) r_.fail(node, "max_trials must be >= 1");
    p_.max_trials = n;
  }

  Reader& r_;
  Sweep::Impl& s_;
  Parsed p_;
};

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
    return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

// Every configuration the sweep can produce, seen through the settings the consistency rules
// read; the first problem throws at the value most likely at fault.
void check_combinations(const Sweep::Impl& s, const Parsed& p, const Reader& reader) {
  const auto& csv = reader.csv_files();
  const bool random_couples = std::any_of(p.random.begin(), p.random.end(),
                                          [](const RandomParam& r) { return couples(*r.setting); });
  const std::uint64_t samples = random_couples ? s.random.size() : 1;
  nn::TrialConfig config;
  s.grid.for_each_projection(
      [](const Setting& setting) { return couples(setting); }, s.base,
      [&](const nn::TrialConfig& combination, const std::vector<const Assignment*>& applied) {
        for (std::uint64_t sample = 0; sample < samples; ++sample) {
          config = combination;
          if (random_couples) s.random.apply(sample, config);
          const std::optional<Problem> problem = check_consistency(config, csv);
          if (!problem) continue;
          // Blame the first culprit the file gave a value to: a random parameter, a grid or
          // include value (the last one applied wins, as in the configuration), or the base.
          std::vector<std::string> varied;
          for (const Assignment* a : applied)
            if (couples(*a->setting)) varied.push_back(a->setting->key + "=" + a->text);
          if (random_couples)
            for (std::size_t i = 0; i < s.random.params().size(); ++i)
              varied.push_back(s.random.params()[i].setting->key + "=" + s.random.text(sample, i));
          for (const std::string& key : problem->keys) {
            for (const RandomParam& r : s.random.params())
              if (random_couples && r.setting->key == key) reader.fail(r.mark, problem->message);
            for (auto a = applied.rbegin(); a != applied.rend(); ++a)
              if ((*a)->setting->key == key)
                reader.fail((*a)->mark, problem->message + "; in the combination " + join(varied));
            if (auto m = p.base_marks.find(key); m != p.base_marks.end())
              reader.fail(m->second,
                          problem->message +
                              (varied.empty() ? "" : "; in the combination " + join(varied)));
          }
          reader.fail(YAML::Mark::null_mark(), problem->message);
        }
      });
}

// The base configuration, section by section, every setting with its value.
void emit_base(YAML::Emitter& out, const nn::TrialConfig& base) {
  for (const std::string& section : kSections) {
    out << YAML::Key << section << YAML::Value << YAML::BeginMap;
    for (const Setting& setting : settings())
      if (setting.section() == section) {
        out << YAML::Key << std::string(setting.field()) << YAML::Value;
        setting.emit(out, base);
      }
    out << YAML::EndMap;
  }
}

void emit_grid(YAML::Emitter& out, const Grid& grid) {
  if (grid.axes().empty()) return;
  out << YAML::Key << "grid" << YAML::Value << YAML::BeginMap;
  for (const GridAxis& axis : grid.axes()) {
    out << YAML::Key << axis.setting->key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const Assignment& a : axis.values) a.setting->emit(out, a.value);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

// `exclude` or `include`: a list of flow maps, one per entry.
void emit_entries(YAML::Emitter& out, const char* key, const std::vector<MatrixEntry>& entries) {
  if (entries.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const MatrixEntry& entry : entries) {
    out << YAML::Flow << YAML::BeginMap;
    for (const Assignment& a : entry.values) {
      out << YAML::Key << a.setting->key << YAML::Value;
      a.setting->emit(out, a.value);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_random(YAML::Emitter& out, const RandomSamples& random) {
  if (random.params().empty()) return;
  out << YAML::Key << "random" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "samples" << YAML::Value << random.size();
  // Only a method other than the default is written, so that the hash of earlier sweeps stays.
  if (random.method() != RandomMethod::pseudo)
    out << YAML::Key << "method" << YAML::Value
        << std::string(kRandomMethodNames[static_cast<std::size_t>(random.method())]);
  out << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
  for (const RandomParam& r : random.params()) {
    out << YAML::Key << r.setting->key << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << std::string(kDistributionNames[static_cast<std::size_t>(r.distribution)])
        << YAML::Value << YAML::Flow << YAML::BeginSeq;
    if (r.distribution == Distribution::choice)
      for (const Assignment& a : r.choices) a.setting->emit(out, a.value);
    else
      out << format_number(r.lo) << format_number(r.hi);
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
}

void emit_outputs(YAML::Emitter& out, const results::PivotSpec& report, const CurvesSpec& curves) {
  out << YAML::Key << "report" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "rows" << YAML::Value << report.rows;
  out << YAML::Key << "cols" << YAML::Value << report.cols;
  out << YAML::Key << "cell" << YAML::Value << report.cell;
  out << YAML::EndMap;
  out << YAML::Key << "curves" << YAML::Value;
  if (curves.enabled)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "every" << YAML::Value << curves.every
        << YAML::EndMap;
  else
    out << "off";
}

// The resolved spec as YAML: defaults filled in, values canonical, axes in enumeration order.
std::string emit_canonical(const Sweep::Impl& s, const Parsed& p) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << s.name;
  out << YAML::Key << "seed" << YAML::Value << s.seed;
  out << YAML::Key << "repeats" << YAML::Value << s.repeats;
  emit_base(out, s.base);
  emit_grid(out, s.grid);
  emit_entries(out, "exclude", p.exclude);
  emit_entries(out, "include", p.include);
  emit_random(out, s.random);
  emit_outputs(out, s.report, s.curves);
  if (s.halving) {
    // Only when present, so the hash of every sweep without it stays what it was.
    out << YAML::Key << "halving" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "metric" << YAML::Value << s.halving->metric;
    out << YAML::Key << "min_epochs" << YAML::Value << s.halving->min_epochs;
    out << YAML::Key << "eta" << YAML::Value << s.halving->eta;
    out << YAML::Key << "brackets" << YAML::Value << s.halving->brackets;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

// Whether a setting applies to some configuration of the sweep: to the base, or under a value
// its controller takes on an axis, in an include entry or as a random choice.
bool can_apply(const Setting& setting, const Sweep::Impl& s, const Parsed& p) {
  if (setting.applies(s.base)) return true;
  auto any = [&](const std::vector<Assignment>& values) {
    return std::any_of(values.begin(), values.end(), [&](const Assignment& a) {
      if (a.setting->key != setting.controller) return false;
      nn::TrialConfig config = s.base;
      a.apply(config);
      return setting.applies(config);
    });
  };
  for (const GridAxis& a : p.axes)
    if (any(a.values)) return true;
  for (const MatrixEntry& e : p.include)
    if (any(e.values)) return true;
  for (const RandomParam& r : p.random)
    if (any(r.choices)) return true;
  return false;
}

// The report's rows and columns where the file does not name them: the sweep's own axes (or
// sampled settings), the two with the most values, ties by file order.
void choose_pivot(Sweep::Impl& s, const Parsed& p, const Reader& reader) {
  std::vector<std::pair<std::string, std::size_t>> varied;
  for (const GridAxis& a : p.axes) varied.emplace_back(a.setting->key, a.values.size());
  for (const RandomParam& r : p.random)
    varied.emplace_back(r.setting->key, r.distribution == Distribution::choice ? r.choices.size()
                                                                               : s.random.size());
  std::stable_sort(varied.begin(), varied.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const bool rows_given = p.report_marks.count("rows"), cols_given = p.report_marks.count("cols");
  auto pick = [&](const std::string& other) {
    for (const auto& [key, values] : varied)
      if (key != other) return key;
    // One axis: one column, of a setting every trial has.
    return std::string(other == keys::activation ? keys::learning_rate : keys::activation);
  };
  if (!rows_given) s.report.rows = pick(cols_given ? s.report.cols : std::string());
  if (!cols_given) s.report.cols = pick(s.report.rows);
  for (const auto& [role, mark] : p.report_marks) {
    const std::string& key = role == "rows" ? s.report.rows : s.report.cols;
    if (std::find(s.param_keys.begin(), s.param_keys.end(), key) == s.param_keys.end())
      reader.fail(mark, "report." + role + ": " + key +
                            " is not a column of this sweep's trials (an analysis setting, or "
                            "one that applies to none of its trials)");
  }
}

// The trial limit: a value the caller set wins over the file's `max_trials`, which wins over the
// default.
std::uint64_t trial_limit(const LoadOptions& options, const Parsed& p) {
  return options.max_trials != LoadOptions::kDefaultMaxTrials
             ? options.max_trials
             : p.max_trials.value_or(options.max_trials);
}

// The grid and the random samples, built from the parsed entries (copies: the entries stay for
// the canonical YAML).
void build_enumeration(Sweep::Impl& s, const Parsed& p, const Reader& reader, std::uint64_t limit) {
  s.grid = Grid(p.axes, p.exclude, p.include, s.base, reader);
  if (p.random.empty()) return;
  // The samples are drawn and kept up front, so a count beyond the limit must stop here.
  if (p.samples > limit)
    reader.fail(p.samples_mark, fmt::format("random.samples {} is more than max_trials {}; "
                                            "raise max_trials if you mean it",
                                            p.samples, limit));
  s.random = RandomSamples(p.random, p.samples, p.method, s.seed, s.base, reader, p.samples_mark);
}

void count_trials(Sweep::Impl& s) {
  s.counts.grid_points = s.grid.product();
  s.counts.excluded = s.grid.product() - s.grid.survivors() - s.grid.collapsed();
  s.counts.collapsed = s.grid.collapsed();
  if (s.grid.axes().empty()) s.counts.excluded = 0;
  s.counts.included = s.grid.added();
  s.counts.samples = s.random.size();
  s.counts.configurations = saturating_multiply(s.grid.size(), s.random.size());
  if (s.base.data.split == nn::SplitMethod::kfold) s.folds = s.base.data.folds;
  s.size = saturating_multiply(s.counts.configurations, static_cast<std::uint64_t>(s.repeats) *
                                                            static_cast<std::uint64_t>(s.folds));
}

// Where a sweep that is too large is reported: a factor given on the command line if there is
// one (the widest axis there), since that is what made it large; else the file's biggest factor.
YAML::Mark size_mark(const Sweep::Impl& s, const Parsed& p, const Reader& reader) {
  const GridAxis* widest = nullptr;
  for (const GridAxis& a : s.grid.axes())
    if (reader.from_command_line(a.mark) && (!widest || a.values.size() > widest->values.size()))
      widest = &a;
  if (widest) return widest->mark;
  if (s.random.size() > 1 && reader.from_command_line(p.samples_mark)) return p.samples_mark;
  return p.size_mark;
}

// A sweep with no trials, or more than the limit, is refused; the message for the latter
// shows how the count comes about, so the user sees which factor to cut.
void check_size(const Sweep::Impl& s, const Parsed& p, const Reader& reader, std::uint64_t limit) {
  if (s.size == 0)
    reader.fail(p.exclude.empty() ? YAML::Mark() : p.exclude.front().mark,
                "the sweep has no trials: exclude removes every combination");
  if (s.size <= limit) return;
  std::vector<std::string> factors;
  for (const GridAxis& a : s.grid.axes()) factors.push_back(std::to_string(a.values.size()));
  std::string how = factors.empty() ? "" : "grid " + join(factors, " x ");
  if (s.counts.excluded) how += fmt::format(" - {} excluded", s.counts.excluded);
  if (s.counts.included) how += fmt::format(" + {} included", s.counts.included);
  if (s.random.size() > 1)
    how += fmt::format("{}{} random samples", how.empty() ? "" : ", x ", s.random.size());
  how += fmt::format(", x {} repeats", s.repeats);
  if (s.folds > 1) how += fmt::format(" x {} folds", s.folds);
  const std::string count = s.size == std::numeric_limits<std::uint64_t>::max()
                                ? "more than 2^64"
                                : std::to_string(s.size);
  reader.fail(size_mark(s, p, reader),
              fmt::format("the sweep has {} trials ({}), more than max_trials {}; "
                          "raise max_trials if you mean it",
                          count, how, limit));
}

// The axes and random parameters as text, for `nnsweep plan`.
void describe_axes(Sweep::Impl& s) {
  for (const GridAxis& a : s.grid.axes()) {
    Sweep::Axis axis{a.setting->key, {}};
    for (const Assignment& v : a.values) axis.values.push_back(v.text);
    s.axes.push_back(std::move(axis));
  }
  for (const RandomParam& r : s.random.params()) {
    std::string spec(kDistributionNames[static_cast<std::size_t>(r.distribution)]);
    std::vector<std::string> values;
    if (r.distribution == Distribution::choice)
      for (const Assignment& a : r.choices) values.push_back(a.text);
    else
      values = {format_number(r.lo), format_number(r.hi)};
    s.random_params.push_back({r.setting->key, spec + " [" + join(values) + "]"});
  }
}

// The columns of trials.csv: every training setting that applies to some trial.
void choose_param_columns(Sweep::Impl& s, const Parsed& p) {
  for (const Setting& setting : settings()) {
    if (setting.role == Role::analysis || !can_apply(setting, s, p)) continue;
    s.param_keys.push_back(setting.key);
    s.param_settings.push_back(&setting);
  }
}

void index_csv_paths(Sweep::Impl& s, const Reader& reader) {
  for (const auto& [written, info] : reader.csv_files()) {
    s.absolute_paths[written] = info.absolute.string();
    s.written_paths[info.absolute.string()] = written;
  }
}

// Halving trains every configuration to rungs of train.epochs: the budget must be one number,
// at least the first rung (and the first rung of the last bracket), and a val_* metric needs a
// validation split in every configuration.
void check_halving(const Sweep::Impl& s, const Parsed& p, const Reader& reader) {
  const Halving& h = *s.halving;
  const auto refuse_budget = [&](const YAML::Mark& mark, const std::string& where) {
    reader.fail(mark, "train.epochs cannot vary (" + where +
                          ") in a sweep with halving: halving chooses each configuration's "
                          "epochs, up to train.epochs; set it once under 'train:'");
  };
  for (const GridAxis& a : p.axes)
    if (a.setting->budget) refuse_budget(a.mark, "a grid axis");
  for (const MatrixEntry& e : p.include)
    for (const Assignment& a : e.values)
      if (a.setting->budget) refuse_budget(a.mark, "set by include");
  for (const RandomParam& r : p.random)
    if (r.setting->budget) refuse_budget(r.mark, "drawn at random");
  const int epochs = s.base.train.epochs;
  if (h.min_epochs > epochs)
    reader.fail(h.min_epochs_mark, fmt::format("halving.min_epochs {} is above train.epochs {}: "
                                               "the first rung cannot train longer than the budget",
                                               h.min_epochs, epochs));
  if (h.brackets > static_cast<int>(h.ladder(epochs).size()))
    reader.fail(h.brackets_mark,
                fmt::format("halving.brackets {} is more than the {} rungs from min_epochs {} to "
                            "train.epochs {} (eta {}): bracket b starts at rung b",
                            h.brackets, h.ladder(epochs).size(), h.min_epochs, epochs, h.eta));
  if (!h.needs_validation()) return;
  const auto has_validation = [](const nn::TrialConfig& c) {
    return c.data.split == nn::SplitMethod::kfold || c.data.validation_fraction > 0;
  };
  const auto fail = [&] {
    reader.fail(h.metric_mark, "halving.metric " + h.metric +
                                   " needs a validation split: set data.validation_fraction "
                                   "above 0 (or data.split.method: kfold), or rank by train_" +
                                   h.metric.substr(4));
  };
  const auto split = [](const Setting& setting) {
    return setting.key == "data.validation_fraction" || setting.key == "data.split.method";
  };
  s.grid.for_each_projection(split, s.base,
                             [&](const nn::TrialConfig& c, const std::vector<const Assignment*>&) {
                               if (!has_validation(c)) fail();
                             });
  if (std::any_of(p.random.begin(), p.random.end(),
                  [&](const RandomParam& r) { return split(*r.setting); }))
    for (std::uint64_t sample = 0; sample < s.random.size(); ++sample) {
      nn::TrialConfig c = s.base;
      s.random.apply(sample, c);
      if (!has_validation(c)) fail();
    }
}

}  // namespace

Sweep parse_sweep(std::string_view text, const std::string& file,
                  const std::filesystem::path& base_dir, const LoadOptions& options) {
  Reader reader(file, base_dir);
  auto impl = std::make_shared<Sweep::Impl>();
  Sweep::Impl& s = *impl;
  s.file = file;
  s.name = default_name(file);
  Loader loader(reader, s);
  YAML::Node root = reader.load(text);
  apply_spec_overrides(root, options.overrides, reader);
  loader.top_level(root);
  const Parsed& p = loader.parsed();

  const std::uint64_t limit = trial_limit(options, p);
  build_enumeration(s, p, reader, limit);
  count_trials(s);
  check_size(s, p, reader, limit);
  check_combinations(s, p, reader);
  if (s.halving) check_halving(s, p, reader);

  describe_axes(s);
  for (const MatrixEntry& entry : p.include) s.include_places.push_back(reader.where(entry.mark));
  choose_param_columns(s, p);
  index_csv_paths(s, reader);
  choose_pivot(s, p, reader);
  s.canonical_yaml = emit_canonical(s, p);
  s.hash = hex16(stable_hash(s.canonical_yaml));
  return Sweep(std::move(impl));
}

Sweep load_sweep(const std::filesystem::path& file, const LoadOptions& options) {
  // Sweep files are small: a cap of 16 MiB stops /dev/zero-like inputs early.
  const std::string text = nn::read_input_file(file.string(), "sweep file", kMaxSweepFileBytes);
  const std::filesystem::path folder = file.parent_path();
  return parse_sweep(text, file.string(), folder.empty() ? "." : folder, options);
}

Sweep::Sweep(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const std::string& Sweep::name() const {
  return impl_->name;
}
std::uint64_t Sweep::seed() const {
  return impl_->seed;
}
// The trials of one configuration: its repeats, each once per fold.
std::uint64_t replicates(const Sweep::Impl& s) {
  return static_cast<std::uint64_t>(s.repeats) * static_cast<std::uint64_t>(s.folds);
}

int Sweep::folds() const {
  return impl_->folds;
}
int Sweep::repeats() const {
  return impl_->repeats;
}
std::uint64_t Sweep::size() const {
  return impl_->size;
}
const results::PivotSpec& Sweep::report() const {
  return impl_->report;
}
const CurvesSpec& Sweep::curves() const {
  return impl_->curves;
}
std::string Sweep::hash() const {
  return impl_->hash;
}
std::string Sweep::canonical_yaml() const {
  return impl_->canonical_yaml;
}
const std::filesystem::path& Sweep::file() const {
  return impl_->file;
}
const std::vector<Sweep::Axis>& Sweep::axes() const {
  return impl_->axes;
}
std::uint64_t Sweep::sibling_run() const {
  std::uint64_t epochs = 1;
  for (const GridAxis& axis : impl_->grid.axes())
    if (axis.setting->budget) epochs = axis.values.size();
  return epochs * replicates(*impl_);
}
const Sweep::Counts& Sweep::counts() const {
  return impl_->counts;
}
std::vector<std::string> Sweep::collapse_notes() const {
  const Grid& grid = impl_->grid;
  std::vector<std::string> notes = grid.collapse_reasons();
  for (const Grid::CollapsedInclude& c : grid.collapsed_includes()) {
    const std::string& at = impl_->include_places[c.entry];
    notes.push_back(
        c.into ? fmt::format("the include entry at {} gives the same trial as the one at {}", at,
                             impl_->include_places[*c.into])
               : fmt::format("the include entry at {} gives a trial the grid already has", at));
  }
  return notes;
}
const std::optional<Halving>& Sweep::halving() const {
  return impl_->halving;
}
const std::vector<Param>& Sweep::random_params() const {
  return impl_->random_params;
}
namespace {

// Per parameter: the samples' positions in their ranges, and how many values each can take.
struct UnitColumns {
  std::vector<std::vector<double>> columns;
  std::vector<std::size_t> values;
};

UnitColumns unit_columns(const RandomSamples& random) {
  UnitColumns out;
  for (std::size_t p = 0; p < random.params().size(); ++p) {
    const RandomParam& r = random.params()[p];
    out.columns.push_back(random.unit_values(p));
    out.values.push_back(r.distribution == Distribution::choice ? r.choices.size()
                         : r.distribution == Distribution::int_uniform
                             ? static_cast<std::size_t>(r.hi - r.lo + 1)
                             : 0);
  }
  return out;
}

// The joint figure costs samples^2 x parameters: a prefix of the samples is enough to compare.
constexpr std::size_t kJointPoints = 2048;

}  // namespace

Sweep::RandomSpread Sweep::random_spread() const {
  RandomSpread out;
  const RandomSamples& random = impl_->random;
  if (random.params().empty()) return out;
  out.method = kRandomMethodNames[static_cast<std::size_t>(random.method())];
  const UnitColumns own = unit_columns(random);
  // The pseudo-random samples of the same seed, drawn only here: a run never needs them.
  bool twin = true;
  UnitColumns pseudo = own;
  if (random.method() != RandomMethod::pseudo) try {
      const Reader reader(impl_->file.string(), ".");
      pseudo = unit_columns(RandomSamples(random.params(), random.size(), RandomMethod::pseudo,
                                          impl_->seed, impl_->base, reader, {}));
    } catch (const nn::InputError&) {
      twin = false;  // too few distinct pseudo-random draws: nothing to compare with
    }
  for (std::size_t p = 0; p < own.columns.size(); ++p) {
    RandomSpread::Row row{random.params()[p].setting->key, spread_of(own.columns[p], own.values[p]),
                          std::nullopt};
    if (twin) row.pseudo = spread_of(pseudo.columns[p], pseudo.values[p]);
    out.params.push_back(std::move(row));
  }
  out.joint_points = std::min<std::size_t>(random.size(), kJointPoints);
  out.joint = centred_l2_discrepancy(own.columns, kJointPoints);
  if (twin) out.joint_pseudo = centred_l2_discrepancy(pseudo.columns, kJointPoints);
  return out;
}

const std::vector<std::string>& Sweep::param_keys() const {
  return impl_->param_keys;
}

struct TrialCache::State {
  std::uint64_t configuration = UINT64_MAX;
  nn::TrialConfig config;
  std::vector<Param> params;
  // Hash states before the repeat.
  std::uint64_t id_state = 0, training_state = 0, seed_state = 0, data_state = 0;
};

TrialCache::TrialCache() = default;
TrialCache::~TrialCache() = default;
TrialCache::TrialCache(TrialCache&&) noexcept = default;
TrialCache& TrialCache::operator=(TrialCache&&) noexcept = default;

// Index order: index = (configuration x repeats + repeat) x folds + fold, and configuration =
// sample x combinations + combination, so folds vary fastest, then repeats, then the grid's
// combinations (whose innermost axis is train.epochs), then the random samples.
Trial Sweep::trial(std::uint64_t index) const {
  TrialCache cache;
  return trial(index, cache);
}

Trial Sweep::trial(std::uint64_t index, TrialCache& trials) const {
  if (!trials.state_) trials.state_ = std::make_unique<TrialCache::State>();
  TrialCache::State& cache = *trials.state_;
  const Impl& s = *impl_;
  if (index >= s.size)
    throw std::out_of_range(fmt::format("trial {} of a sweep of {}", index, s.size));
  Trial t;
  t.index = index;
  const std::uint64_t replicate = index % replicates(s);
  t.repeat = static_cast<int>(replicate / static_cast<std::uint64_t>(s.folds));
  t.fold = static_cast<int>(replicate % static_cast<std::uint64_t>(s.folds));
  const std::uint64_t configuration = index / replicates(s);
  if (cache.configuration != configuration) {
    cache.configuration = configuration;
    cache.config = s.base;
    s.grid.apply(configuration % s.grid.size(), cache.config);
    s.random.apply(configuration / s.grid.size(), cache.config);
    // Ids and seeds come from the configuration with csv paths as written, so they do not
    // depend on where the sweep file lives (sweeps/canonical.h says what each text holds):
    // id = hash(scheme and seed lines + identity + repeat line), seed = hash(seed line + stream
    // + repeat line), data seed = hash(seed line + data settings).
    const CanonicalTexts texts = canonical_texts(cache.config);
    const std::uint64_t seeded = fnv1a(kFnvBasis, fmt::format("sweep seed: {}\n", s.seed));
    const std::uint64_t scheme =
        fnv1a(kFnvBasis, fmt::format("id scheme: {}\nsweep seed: {}\n", kIdScheme, s.seed));
    cache.id_state = fnv1a(scheme, texts.identity);
    cache.training_state = fnv1a(scheme, texts.training);
    cache.seed_state = fnv1a(seeded, texts.stream);
    cache.data_state = fnv1a(seeded, texts.data);
    // The CSV columns, from the same texts (paths still as written in the sweep file).
    cache.params.clear();
    cache.params.reserve(s.param_settings.size());
    for (const Setting* setting : s.param_settings)
      cache.params.push_back(
          {setting->key, texts.values[static_cast<std::size_t>(setting - settings().data())]});
    if (auto it = s.absolute_paths.find(cache.config.data.path); it != s.absolute_paths.end())
      cache.config.data.path = it->second;
  }
  // The folds of a repeat start from the same weights and batch order (the seed), on data cut
  // from one fold assignment (the data seed); resampling draws that assignment per repeat.
  const std::string repeat = fmt::format("repeat: {}\n", t.repeat);
  const std::string replica = s.folds > 1 ? repeat + fmt::format("fold: {}\n", t.fold) : repeat;
  t.id = hex16(mix64(fnv1a(cache.id_state, replica)));
  t.seed = mix64(fnv1a(cache.seed_state, repeat));
  t.training = mix64(fnv1a(cache.training_state, replica));
  t.data_seed = cache.config.data.resample == nn::Resample::yes
                    ? mix64(fnv1a(cache.data_state, repeat))
                    : mix64(cache.data_state);
  t.config = cache.config;
  t.config.data.fold = t.fold;
  t.params = cache.params;
  return t;
}

std::vector<Param> Sweep::params(const nn::TrialConfig& config) const {
  std::vector<Param> out;
  out.reserve(impl_->param_settings.size());
  for (const Setting* setting : impl_->param_settings) {
    if (!setting->applies(config)) {
      out.push_back({setting->key, {}});
      continue;
    }
    std::string value = setting->text(config);
    if (setting->path)
      if (auto it = impl_->written_paths.find(value); it != impl_->written_paths.end())
        value = it->second;
    out.push_back({setting->key, std::move(value)});
  }
  return out;
}

}  // namespace sweeps
