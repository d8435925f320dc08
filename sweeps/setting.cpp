#include "sweeps/setting.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nn/input_error.h"
#include "nn/train.h"
#include "sweeps/canonical.h"
#include "sweeps/suggest.h"
#include "sweeps/yaml_reader.h"

namespace sweeps {
namespace {

using nn::TrialConfig;

// One field of a TrialConfig, reached through its section: c.*section.*member.
template <typename Section, typename T>
struct Field {
  Section TrialConfig::*section;
  T Section::*member;
  T& operator()(TrialConfig& c) const { return c.*section.*member; }
  const T& operator()(const TrialConfig& c) const { return c.*section.*member; }
};
// Clang before 17 cannot deduce an aggregate's template arguments (C++20's P1816), which the
// fuzz build with Debian's clang 14 needs: spell the deduction out.
template <typename Section, typename T>
Field(Section TrialConfig::*, T Section::*) -> Field<Section, T>;

template <typename Section, typename T>
Setting common(std::string key, ValueKind kind, Field<Section, T> field) {
  Setting s;
  s.key = std::move(key);
  s.kind = kind;
  s.copy = [field](const TrialConfig& from, TrialConfig& to) { field(to) = field(from); };
  return s;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Bounds {
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;
  bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  std::string describe() const {
    if (hi == kInf) return (lo_open ? "> " : ">= ") + format_number(lo);
    return std::string("in ") + (lo_open ? "(" : "[") + format_number(lo) + ", " +
           format_number(hi) + (hi_open ? ")" : "]");
  }
};

template <typename Section>
Setting number(std::string key, Field<Section, double> field, Bounds bounds) {
  Setting s = common(key, ValueKind::number, field);
  s.read = [key, field, bounds](Reader& r, const YAML::Node& node, TrialConfig& c) {
    const double v = r.number(node, key);
    if (!bounds.contains(v))
      r.fail(node, key + " must be " + bounds.describe() + ", got " + node.Scalar());
    field(c) = v;
  };
  s.text = [field](const TrialConfig& c) { return format_number(field(c)); };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) { out << format_number(field(c)); };
  s.set_number = [field](TrialConfig& c, double v) { field(c) = v; };
  return s;
}

template <typename Section>
Setting integer(std::string key, Field<Section, int> field, int min,
                int max = std::numeric_limits<int>::max()) {
  Setting s = common(key, ValueKind::integer, field);
  s.read = [key, field, min, max](Reader& r, const YAML::Node& node, TrialConfig& c) {
    const std::int64_t v = r.integer(node, key);
    if (v < min)
      r.fail(node, key + " must be a whole number >= " + std::to_string(min) + ", got " +
                       nn::quote_input(node.Scalar()));
    if (v > max)
      r.fail(node, key + " is " + node.Scalar() + ", more than the cap of " + std::to_string(max) +
                       " (README, \"Limits\")");
    field(c) = static_cast<int>(v);
  };
  s.text = [field](const TrialConfig& c) { return std::to_string(field(c)); };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) { out << field(c); };
  s.set_number = [field](TrialConfig& c, double v) { field(c) = static_cast<int>(v); };
  return s;
}

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += std::string(n);
  }
  return out;
}

// Parses a name from `names`, failing with the valid spellings and the nearest one.
template <typename Enum, std::size_t N>
Enum parse_enum(Reader& r, const YAML::Node& node, const std::string& key,
                const std::array<std::string_view, N>& names) {
  const std::string text = r.scalar(node, key);
  if (auto v = nn::parse_name<Enum>(text, names)) return *v;
  r.fail(node, "unknown " + key + " " + nn::quote_input(text) +
                   did_you_mean(text, std::vector<std::string>(names.begin(), names.end())) +
                   "; valid: " + join(names));
}

template <typename Section, typename Enum, std::size_t N>
Setting name(std::string key, Field<Section, Enum> field,
             const std::array<std::string_view, N>& names) {
  Setting s = common(key, ValueKind::name, field);
  s.read = [key, field, &names](Reader& r, const YAML::Node& node, TrialConfig& c) {
    field(c) = parse_enum<Enum>(r, node, key, names);
  };
  s.text = [field, &names](const TrialConfig& c) {
    return std::string(nn::name_of(field(c), names));
  };
  s.emit = [field, &names](YAML::Emitter& out, const TrialConfig& c) {
    out << std::string(nn::name_of(field(c), names));
  };
  return s;
}

// Hidden-layer widths: [8, 8] is written "8-8" in tables; no hidden layer is "none".
template <typename Section>
Setting widths(std::string key, Field<Section, std::vector<int>> field) {
  Setting s = common(key, ValueKind::int_list, field);
  s.read = [key, field](Reader& r, const YAML::Node& node, TrialConfig& c) {
    std::vector<int> widths;
    for (const YAML::Node& item : r.sequence(node, key)) {
      const std::int64_t w = r.integer(item, key);
      if (w < 1)
        r.fail(item, key + ": a layer width must be a whole number >= 1, got " +
                         nn::quote_input(item.Scalar()));
      if (w > nn::kMaxWidth)
        r.fail(item, key + ": a layer width of " + item.Scalar() + " is more than the cap of " +
                         std::to_string(nn::kMaxWidth) + " (README, \"Limits\")");
      if (widths.size() == static_cast<std::size_t>(nn::kMaxLayers))
        r.fail(node, key + " has " + std::to_string(node.size()) +
                         " hidden layers, more than the cap of " + std::to_string(nn::kMaxLayers) +
                         " (README, \"Limits\")");
      widths.push_back(static_cast<int>(w));
    }
    field(c) = std::move(widths);
  };
  s.text = [field](const TrialConfig& c) {
    std::string out;
    for (int w : field(c)) {
      if (!out.empty()) out += "-";
      out += std::to_string(w);
    }
    return out.empty() ? std::string("none") : out;
  };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) {
    out << YAML::Flow << YAML::BeginSeq;
    for (int w : field(c)) out << w;
    out << YAML::EndSeq;
  };
  return s;
}

template <typename Section>
Setting features(std::string key, Field<Section, std::vector<nn::Feature>> field) {
  Setting s = common(key, ValueKind::name_list, field);
  s.read = [key, field](Reader& r, const YAML::Node& node, TrialConfig& c) {
    std::vector<nn::Feature> list;
    for (const YAML::Node& item : r.sequence(node, key)) {
      const auto f = parse_enum<nn::Feature>(r, item, key, nn::kFeatureNames);
      if (std::find(list.begin(), list.end(), f) != list.end())
        r.fail(item, key + ": feature " + nn::quote_input(item.Scalar()) + " is listed twice");
      list.push_back(f);
    }
    if (list.empty()) r.fail(node, key + " must name at least one feature");
    field(c) = std::move(list);
  };
  s.text = [field](const TrialConfig& c) {
    std::string out;
    for (nn::Feature f : field(c)) {
      if (!out.empty()) out += " ";
      out += std::string(nn::to_string(f));
    }
    return out;
  };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) {
    out << YAML::Flow << YAML::BeginSeq;
    for (nn::Feature f : field(c)) out << std::string(nn::to_string(f));
    out << YAML::EndSeq;
  };
  return s;
}

template <typename Section>
Setting text(std::string key, Field<Section, std::string> field) {
  Setting s = common(key, ValueKind::text, field);
  s.read = [key, field](Reader& r, const YAML::Node& node, TrialConfig& c) {
    field(c) = r.scalar(node, key);
  };
  s.text = [field](const TrialConfig& c) { return field(c); };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) {
    out << YAML::DoubleQuoted << field(c);
  };
  return s;
}

// The CSV file: kept as written (normalised), so ids do not depend on where the checkout
// lives; it must exist, relative to the sweep file's folder.
Setting csv_path() {
  Setting s = text("data.path", Field{&TrialConfig::data, &nn::DataConfig::path});
  s.path = true;
  s.read = [](Reader& r, const YAML::Node& node, TrialConfig& c) {
    const std::string written = r.scalar(node, "data.path");
    c.data.path = written.empty()  // no file: only a csv dataset needs one
                      ? written
                      : std::filesystem::path(written).lexically_normal().generic_string();
    if (!written.empty()) r.csv(c.data.path, node);
  };
  return s;
}

template <typename Section>
Setting text_list(std::string key, Field<Section, std::vector<std::string>> field) {
  Setting s = common(key, ValueKind::text_list, field);
  s.read = [key, field](Reader& r, const YAML::Node& node, TrialConfig& c) {
    std::vector<std::string> list;
    for (const YAML::Node& item : r.sequence(node, key)) {
      std::string name = r.scalar(item, key);
      if (std::find(list.begin(), list.end(), name) != list.end())
        r.fail(item, key + ": " + nn::quote_input(name) + " is listed twice");
      list.push_back(std::move(name));
    }
    field(c) = std::move(list);
  };
  // Space-separated like features; an empty list (every other column) is written "all".
  s.text = [field](const TrialConfig& c) {
    std::string out;
    for (const std::string& n : field(c)) {
      if (!out.empty()) out += " ";
      out += n;
    }
    return out.empty() ? std::string("all") : out;
  };
  s.emit = [field](YAML::Emitter& out, const TrialConfig& c) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const std::string& n : field(c)) out << YAML::DoubleQuoted << n;
    out << YAML::EndSeq;
  };
  return s;
}

// Attributes of a row, composed around the constructors above:
// couples(stream(integer("data.points", ...))).
Setting applies_when(Setting s, std::string controller, bool (*applies)(const TrialConfig&)) {
  s.controller = std::move(controller);
  s.applies_to = applies;
  return s;
}
Setting analysis(Setting s) {
  s.role = Role::analysis;
  return s;
}
Setting stream(Setting s) {
  s.stream = true;
  return s;
}
Setting couples(Setting s) {
  s.couples = true;
  return s;
}
// A setting added after the identity scheme: its value that behaves as before it existed.
Setting neutral(Setting s, std::string value) {
  s.neutral = std::move(value);
  return s;
}
Setting per_sweep(Setting s) {
  s.per_sweep = true;
  return s;
}
Setting budget(Setting s) {
  s.budget = true;
  return s;
}

bool builtin_data(const TrialConfig& c) {
  return c.data.dataset != nn::DatasetKind::csv;
}
bool csv_data(const TrialConfig& c) {
  return c.data.dataset == nn::DatasetKind::csv;
}
bool kfold(const TrialConfig& c) {
  return c.data.split == nn::SplitMethod::kfold;
}
bool holdout(const TrialConfig& c) {
  return c.data.split == nn::SplitMethod::holdout;
}
bool leaky_relu(const TrialConfig& c) {
  return c.model.activation == nn::Activation::leaky_relu;
}
bool momentum(const TrialConfig& c) {
  return c.train.optimizer == nn::Optimizer::momentum;
}
bool adam(const TrialConfig& c) {
  return c.train.optimizer == nn::Optimizer::adam;
}
bool penalised(const TrialConfig& c) {
  return c.train.regularization != nn::Regularization::none;
}
constexpr std::string_view kPatience = "train.early_stopping.patience";
bool early_stopping(const TrialConfig& c) {
  return c.train.early_stopping_patience > 0;
}

// data: which samples, how many, how they split. The built-in generators and a CSV file take
// different settings, so most rows apply to one kind of dataset only.
std::vector<Setting> data_settings() {
  using nn::DataConfig;
  const std::string dataset(keys::dataset), split = "data.split.method";
  return {
      couples(stream(name(std::string(keys::dataset),
                          Field{&TrialConfig::data, &DataConfig::dataset}, nn::kDatasetNames))),
      applies_when(
          couples(stream(integer("data.points", Field{&TrialConfig::data, &DataConfig::points}, 1,
                                 nn::kMaxPoints))),
          dataset, builtin_data),
      applies_when(stream(number("data.noise", Field{&TrialConfig::data, &DataConfig::noise},
                                 {.lo = 0, .hi = 1})),
                   dataset, builtin_data),
      couples(stream(number("data.train_fraction",
                            Field{&TrialConfig::data, &DataConfig::train_fraction},
                            {.lo = 0, .hi = 1, .lo_open = true, .hi_open = true}))),
      applies_when(
          couples(stream(number("data.validation_fraction",
                                Field{&TrialConfig::data, &DataConfig::validation_fraction},
                                {.lo = 0, .hi = 1, .hi_open = true}))),
          split, holdout),
      applies_when(
          stream(features("data.features", Field{&TrialConfig::data, &DataConfig::features})),
          dataset, builtin_data),
      applies_when(couples(stream(csv_path())), dataset, csv_data),
      applies_when(
          couples(stream(text("data.target", Field{&TrialConfig::data, &DataConfig::target}))),
          dataset, csv_data),
      applies_when(couples(stream(
                       text_list("data.columns", Field{&TrialConfig::data, &DataConfig::columns}))),
                   dataset, csv_data),
      applies_when(
          couples(stream(neutral(
              name("data.task", Field{&TrialConfig::data, &DataConfig::task}, nn::kTaskChoiceNames),
              "auto"))),
          dataset, csv_data),
  };
}

// data, continued: how the samples split, and how a CSV's text and empty cells are read.
std::vector<Setting> data_handling_settings() {
  using nn::DataConfig;
  const std::string dataset(keys::dataset), split = "data.split.method";
  return {
      // The method and the fold count fix how many trainings a configuration has, so they are
      // set once (per_sweep), never varied.
      per_sweep(couples(stream(
          neutral(name(split, Field{&TrialConfig::data, &DataConfig::split}, nn::kSplitMethodNames),
                  "holdout")))),
      per_sweep(applies_when(
          couples(stream(integer("data.split.folds", Field{&TrialConfig::data, &DataConfig::folds},
                                 2, nn::kMaxFolds))),
          split, kfold)),
      couples(
          stream(neutral(name("data.split.stratify",
                              Field{&TrialConfig::data, &DataConfig::stratify}, nn::kStratifyNames),
                         "auto"))),
      stream(neutral(name("data.split.resample", Field{&TrialConfig::data, &DataConfig::resample},
                          nn::kResampleNames),
                     "false")),
      // Text feature columns and empty cells: both change the dataset's inputs or rows.
      applies_when(couples(stream(neutral(
                       name("data.categorical", Field{&TrialConfig::data, &DataConfig::categorical},
                            nn::kCategoricalNames),
                       "error"))),
                   dataset, csv_data),
      applies_when(couples(stream(
                       neutral(name("data.missing", Field{&TrialConfig::data, &DataConfig::missing},
                                    nn::kMissingNames),
                               "error"))),
                   dataset, csv_data),
  };
}

// model: the network's shape, activation, loss and initialisation.
std::vector<Setting> model_settings() {
  using nn::ModelConfig;
  const std::string activation(keys::activation);
  return {
      stream(widths("model.hidden", Field{&TrialConfig::model, &ModelConfig::hidden})),
      name(activation, Field{&TrialConfig::model, &ModelConfig::activation}, nn::kActivationNames),
      neutral(couples(name("model.loss", Field{&TrialConfig::model, &ModelConfig::loss},
                           nn::kLossNames)),
              "auto"),
      stream(name("model.init", Field{&TrialConfig::model, &ModelConfig::init}, nn::kInitNames)),
      applies_when(number("model.leaky_relu_slope",
                          Field{&TrialConfig::model, &ModelConfig::leaky_relu_slope},
                          {.lo = 0, .hi = 1, .hi_open = true}),
                   activation, leaky_relu),
  };
}

// train: the optimizer and its parameters, batches, epochs, regularisation.
std::vector<Setting> train_settings() {
  using nn::TrainConfig;
  const std::string optimizer = "train.optimizer", regularization = "train.regularization";
  return {
      name("train.optimizer", Field{&TrialConfig::train, &TrainConfig::optimizer},
           nn::kOptimizerNames),
      number(std::string(keys::learning_rate),
             Field{&TrialConfig::train, &TrainConfig::learning_rate}, {.lo = 0, .lo_open = true}),
      couples(integer("train.batch_size", Field{&TrialConfig::train, &TrainConfig::batch_size}, 1)),
      budget(integer("train.epochs", Field{&TrialConfig::train, &TrainConfig::epochs}, 1,
                     nn::kMaxEpochs)),
      neutral(name("train.shuffle", Field{&TrialConfig::train, &TrainConfig::shuffle},
                   nn::kShuffleNames),
              "every_epoch"),
      applies_when(number("train.momentum", Field{&TrialConfig::train, &TrainConfig::momentum},
                          {.lo = 0, .hi = 1, .hi_open = true}),
                   optimizer, momentum),
      applies_when(number("train.beta1", Field{&TrialConfig::train, &TrainConfig::beta1},
                          {.lo = 0, .hi = 1, .hi_open = true}),
                   optimizer, adam),
      applies_when(number("train.beta2", Field{&TrialConfig::train, &TrainConfig::beta2},
                          {.lo = 0, .hi = 1, .hi_open = true}),
                   optimizer, adam),
      applies_when(number("train.epsilon", Field{&TrialConfig::train, &TrainConfig::epsilon},
                          {.lo = 0, .lo_open = true}),
                   optimizer, adam),
      name("train.regularization", Field{&TrialConfig::train, &TrainConfig::regularization},
           nn::kRegularizationNames),
      applies_when(number("train.regularization_rate",
                          Field{&TrialConfig::train, &TrainConfig::regularization_rate}, {.lo = 0}),
                   regularization, penalised),
      neutral(
          couples(name("train.class_weight", Field{&TrialConfig::train, &TrainConfig::class_weight},
                       nn::kClassWeightNames)),
          "none"),
      // train.early_stopping: 0 epochs of patience is off, the behaviour from before it.
      neutral(integer(std::string(kPatience),
                      Field{&TrialConfig::train, &TrainConfig::early_stopping_patience}, 0,
                      nn::kMaxEpochs),
              "0"),
      applies_when(
          neutral(
              number("train.early_stopping.min_delta",
                     Field{&TrialConfig::train, &TrainConfig::early_stopping_min_delta}, {.lo = 0}),
              "0"),
          std::string(kPatience), early_stopping),
      // float64, the only precision before the setting existed, keeps every earlier trial id.
      neutral(name("train.precision", Field{&TrialConfig::train, &TrainConfig::precision},
                   nn::kPrecisionNames),
              "float64"),
  };
}

// convergence: how a finished curve is judged (analysis only: not part of a trial's identity).
std::vector<Setting> convergence_settings() {
  using nn::ConvergenceConfig;
  return {
      analysis(couples(name("convergence.monitor",
                            Field{&TrialConfig::convergence, &ConvergenceConfig::monitor},
                            nn::kMonitorNames))),
      analysis(number("convergence.divergence_factor",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::divergence_factor},
                      {.lo = 1, .hi = nn::kStopFactor, .lo_open = true})),
      analysis(number("convergence.window",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::window},
                      {.lo = 0, .hi = 0.5, .lo_open = true})),
      analysis(number("convergence.learned_below",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::learned_below},
                      {.lo = 0, .hi = 1, .lo_open = true})),
      analysis(number("convergence.still_falling",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::still_falling},
                      {.lo = 0, .hi = 1, .lo_open = true, .hi_open = true})),
      analysis(number("convergence.stall",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::stall},
                      {.lo = 0, .hi = 1, .lo_open = true, .hi_open = true})),
      analysis(number("convergence.overfit_rise",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::overfit_rise},
                      {.lo = 0, .lo_open = true})),
      analysis(couples(name("convergence.target_metric",
                            Field{&TrialConfig::convergence, &ConvergenceConfig::target_metric},
                            nn::kTargetMetricNames))),
      analysis(number("convergence.target",
                      Field{&TrialConfig::convergence, &ConvergenceConfig::target},
                      {.lo = 0, .hi = 1, .lo_open = true})),
  };
}

// The table, section by section; its order is the order of the canonical text and of the
// columns.
std::vector<Setting> make_settings() {
  std::vector<Setting> table;
  for (auto section : {data_settings, data_handling_settings, model_settings, train_settings,
                       convergence_settings})
    for (Setting& setting : section()) table.push_back(std::move(setting));
  return table;
}

}  // namespace

Assignment read_assignment(Reader& reader, const Setting& setting, const YAML::Node& node) {
  Assignment a;
  a.setting = &setting;
  setting.read(reader, node, a.value);
  a.text = setting.text(a.value);
  a.mark = node.Mark();
  return a;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

const Setting* find_setting(std::string_view key) {
  for (const Setting& s : settings())
    if (s.key == key) return &s;
  return nullptr;
}

const Setting& setting(std::string_view key) {
  const Setting* s = find_setting(key);
  if (!s) throw std::logic_error("no setting " + std::string(key));
  return *s;
}

const Setting& budget_setting() {
  static const Setting& budget = *std::find_if(settings().begin(), settings().end(),
                                               [](const Setting& s) { return s.budget; });
  return budget;
}

std::vector<std::string> setting_keys() {
  std::vector<std::string> keys;
  for (const Setting& s : settings()) keys.push_back(s.key);
  return keys;
}

std::vector<std::string> section_fields(std::string_view section) {
  std::vector<std::string> fields;
  for (const Setting& s : settings())
    if (s.section() == section) fields.emplace_back(s.field());
  return fields;
}

}  // namespace sweeps
