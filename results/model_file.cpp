#include "results/model_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/input_error.h"
#include "nn/number.h"
#include "nn/predict.h"
#include "results/csv.h"

namespace results {
namespace {

constexpr std::string_view kFormat = "nnsweep-model 1";
constexpr std::array<std::string_view, 2> kColumnKindNames = {"number", "onehot"};
constexpr std::string_view kZeros = "zeros";  // a onehot column's missing cell: all zeros

// YAML's spellings of the non-finite numbers; finite ones as csv.h writes them (exact).
std::string yaml_number(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  return format_number(value);
}

std::optional<double> parse_yaml_number(const std::string& text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return std::nan("");
  if (text == ".inf" || text == ".Inf" || text == "+.inf") return INFINITY;
  if (text == "-.inf" || text == "-.Inf") return -INFINITY;
  return parse_cell(text);
}

void emit_numbers(YAML::Emitter& out, const double* values, Eigen::Index count) {
  out << YAML::Flow << YAML::BeginSeq;
  for (Eigen::Index i = 0; i < count; ++i) out << yaml_number(values[i]);
  out << YAML::EndSeq;
}

void emit_strings(YAML::Emitter& out, const std::vector<std::string>& values) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& v : values) out << YAML::DoubleQuoted << v;
  out << YAML::EndSeq;
}

// Reading back: every failure names the file and, where yaml-cpp knows it, the position.
class Reader {
 public:
  Reader(std::string file, Weights weights) : file_(std::move(file)), weights_(weights) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    throw nn::InputError(file_, mark.is_null() ? 0 : mark.line + 1,
                         mark.is_null() ? 0 : mark.column + 1, message);
  }
  YAML::Node get(const YAML::Node& map, const std::string& key) const {
    // yaml-cpp throws its own exception for a lookup in a scalar or a list.
    if (!map.IsMap()) fail(map, "model file: expected a map holding '" + key + "'");
    const YAML::Node node = map[key];
    if (!node) fail(map, "model file: missing '" + key + "'");
    return node;
  }
  std::string text(const YAML::Node& map, const std::string& key) const {
    const YAML::Node node = get(map, key);
    if (!node.IsScalar()) fail(node, "model file: '" + key + "' must be a scalar");
    return node.Scalar();
  }
  double number(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, "model file: " + what + " must be a number");
    const auto value = parse_yaml_number(node.Scalar());
    if (!value)
      fail(node,
           "model file: " + what + ": " + nn::quote_input(node.Scalar()) + " is not a number");
    return *value;
  }
  // A trained network's numbers are finite: NaN weights would predict class 0 for every row.
  double finite(const YAML::Node& node, const std::string& what) const {
    const double value = number(node, what);
    if (!std::isfinite(value))
      fail(node, "model file: " + what + ": " + nn::quote_input(node.Scalar()) +
                     " is not a finite number");
    return value;
  }
  std::uint64_t unsigned_number(const YAML::Node& map, const std::string& key) const {
    const YAML::Node node = get(map, key);
    const auto value = node.IsScalar() ? nn::parse_unsigned(node.Scalar()) : std::nullopt;
    if (!value) fail(node, "model file: '" + key + "' must be a whole number");
    return *value;
  }
  std::vector<double> numbers(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence()) fail(node, "model file: " + what + " must be a list of numbers");
    std::vector<double> values;
    for (const auto& item : node) values.push_back(finite(item, what));
    return values;
  }
  // Weights and biases: finite only when the reader asks for it.
  std::vector<double> weights(const YAML::Node& node, const std::string& what) const {
    if (weights_ == Weights::finite) return numbers(node, what);
    if (!node.IsSequence()) fail(node, "model file: " + what + " must be a list of numbers");
    std::vector<double> values;
    for (const auto& item : node) values.push_back(number(item, what));
    return values;
  }
  std::vector<std::string> strings(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence()) fail(node, "model file: " + what + " must be a list");
    std::vector<std::string> values;
    for (const auto& item : node) {
      if (!item.IsScalar()) fail(item, "model file: " + what + " must hold names");
      values.push_back(item.Scalar());
    }
    return values;
  }
  template <typename Enum, std::size_t N>
  Enum name(const YAML::Node& node, const std::array<std::string_view, N>& names,
            const std::string& what) const {
    const auto value = node.IsScalar() ? nn::parse_name<Enum>(node.Scalar(), names) : std::nullopt;
    if (!value) fail(node, "model file: unknown " + what + " " + nn::quote_input(node.Scalar()));
    return *value;
  }

 private:
  std::string file_;
  Weights weights_;
};

// The widths, checked against the caps a sweep has before a parameter is allocated: a file
// that names widths of 30,000 must not allocate gigabytes first.
std::vector<double> read_widths(const Reader& read, const YAML::Node& node) {
  if (node.IsSequence() && node.size() > static_cast<std::size_t>(nn::kMaxLayers) + 2)
    read.fail(node, fmt::format("model file: {} widths, more than the {} of a network with the "
                                "cap of {} hidden layers",
                                node.size(), nn::kMaxLayers + 2, nn::kMaxLayers));
  const std::vector<double> widths = read.numbers(node, "network.widths");
  if (widths.size() < 2) read.fail(node, "model file: widths needs inputs and outputs");
  for (std::size_t l = 0; l < widths.size(); ++l) {
    const double w = widths[l];
    const int cap = l == 0                   ? nn::kMaxCsvColumns
                    : l + 1 == widths.size() ? nn::kMaxClasses
                                             : nn::kMaxWidth;
    if (!(w >= 1 && w == std::floor(w)))
      read.fail(node[l], "model file: widths must be positive whole numbers, got " +
                             nn::quote_input(node[l].Scalar()));
    if (w > cap)
      read.fail(node[l], fmt::format("model file: a width of {} is more than the cap of {}",
                                     node[l].Scalar(), cap));
  }
  return widths;
}

// The output layer must match the task and its classes, or predict would write rows of
// another width than its header, or look up a class that is not there.
void check_outputs(const Reader& read, const YAML::Node& net, const ModelFile& m) {
  const std::size_t classes = m.class_names.size();
  const YAML::Node at = net["classes"] ? net["classes"] : net;
  switch (m.task) {
    case nn::Task::regression:
      if (m.outputs != 1)
        read.fail(net["widths"], fmt::format("model file: a regression network has 1 output, "
                                             "this one {}",
                                             m.outputs));
      if (classes != 0) read.fail(at, "model file: a regression network has no classes");
      return;
    case nn::Task::binary:
      if (classes != 2)
        read.fail(at, fmt::format("model file: a binary network needs 2 classes, got {}", classes));
      if (m.outputs != 1)
        read.fail(net["widths"], fmt::format("model file: a binary network has 1 output, this "
                                             "one {}",
                                             m.outputs));
      return;
    case nn::Task::multiclass:
      if (classes < 3)
        read.fail(at, fmt::format("model file: a multiclass network needs 3 classes or more, "
                                  "got {}",
                                  classes));
      if (static_cast<std::size_t>(m.outputs) != classes)
        read.fail(net["widths"], fmt::format("model file: {} outputs for {} classes; a multiclass "
                                             "network has one output per class",
                                             m.outputs, classes));
      return;
  }
}

}  // namespace

nn::Precision ModelFile::precision() const {
  for (const auto& [key, value] : origin.config)
    if (key == "train.precision" && value == nn::to_string(nn::Precision::float32))
      return nn::Precision::float32;
  return nn::Precision::float64;
}

nn::Mlp ModelFile::mlp() const {
  return nn::Mlp(network_inputs, hidden, outputs, activation, leaky_relu_slope, task,
                 nn::Loss::automatic, precision());
}

Eigen::MatrixXd ModelFile::network_input(const Eigen::MatrixXd& raw) const {
  if (builtin) return nn::compute_features(features, raw);
  Eigen::MatrixXd x = nn::encode_columns(columns, raw);
  for (Eigen::Index f = 0; f < x.rows(); ++f)
    x.row(f) = (x.row(f).array() - feature_mean[static_cast<std::size_t>(f)]) /
               feature_scale[static_cast<std::size_t>(f)];
  return x;
}

ModelFile make_model(ModelOrigin origin, const nn::TrialConfig& trial, const nn::Dataset& data,
                     std::vector<double> parameters) {
  ModelFile m;
  m.origin = std::move(origin);
  m.task = data.task;
  m.builtin = trial.data.dataset != nn::DatasetKind::csv;
  if (m.builtin) {
    m.inputs = {"x1", "x2"};
    m.features = trial.data.features;
  } else {
    m.columns = data.columns;
    if (m.columns.empty())  // a dataset built without encodings: every feature a number
      for (const std::string& name : data.feature_names) m.columns.push_back({.name = name});
    for (const nn::ColumnEncoding& column : m.columns) m.inputs.push_back(column.name);
    m.feature_mean.assign(data.feature_mean.begin(), data.feature_mean.end());
    m.feature_scale.assign(data.feature_scale.begin(), data.feature_scale.end());
  }
  m.class_names = data.class_names;
  m.hidden = trial.model.hidden;
  m.network_inputs = data.inputs();
  m.outputs = data.outputs();
  m.activation = trial.model.activation;
  m.leaky_relu_slope = trial.model.leaky_relu_slope;
  m.parameters = std::move(parameters);
  return m;
}

namespace {

void emit_origin(YAML::Emitter& out, const ModelOrigin& o) {
  out << YAML::Key << "trial_id" << YAML::Value << YAML::DoubleQuoted << o.trial_id;
  out << YAML::Key << "trial_index" << YAML::Value << o.trial_index;
  out << YAML::Key << "sweep" << YAML::Value << YAML::DoubleQuoted << o.sweep;
  out << YAML::Key << "seed" << YAML::Value << o.seed;
  out << YAML::Key << "data_seed" << YAML::Value << o.data_seed;
  out << YAML::Key << "outcome" << YAML::Value << o.outcome;
  if (o.epoch >= 0) {
    out << YAML::Key << "weights_epoch" << YAML::Value << o.epoch;
    out << YAML::Key << "weights_from" << YAML::Value
        << std::string(kWeightsFromNames[static_cast<std::size_t>(o.from)]);
  }
  out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : o.config)
    out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
  out << YAML::EndMap;
}

// How each CSV column becomes inputs, one entry per input column; left out when every column
// is a number without a fill for missing cells, so such a model reads as before encodings.
void emit_encoding(YAML::Emitter& out, const std::vector<nn::ColumnEncoding>& columns) {
  if (std::all_of(columns.begin(), columns.end(), [](const nn::ColumnEncoding& c) {
        return c.kind == nn::ColumnKind::number && !c.fill_missing;
      }))
    return;
  out << YAML::Key << "encoding" << YAML::Value << YAML::BeginSeq;
  for (const nn::ColumnEncoding& column : columns) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value
        << std::string(kColumnKindNames[static_cast<std::size_t>(column.kind)]);
    if (column.kind == nn::ColumnKind::onehot) {
      out << YAML::Key << "categories" << YAML::Value;
      emit_strings(out, column.categories);
    }
    if (column.fill_missing)
      out << YAML::Key << "missing" << YAML::Value
          << (column.kind == nn::ColumnKind::number ? yaml_number(column.fill)
                                                    : std::string(kZeros));
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

// The inputs, and how they become the network's: features of the 2-D point, or standardization.
void emit_inputs(YAML::Emitter& out, const ModelFile& m) {
  out << YAML::Key << "inputs" << YAML::Value;
  emit_strings(out, m.inputs);
  if (m.builtin) {
    std::vector<std::string> names;
    for (nn::Feature f : m.features) names.emplace_back(nn::to_string(f));
    out << YAML::Key << "features" << YAML::Value;
    emit_strings(out, names);
  } else {
    emit_encoding(out, m.columns);
    out << YAML::Key << "standardization" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "mean" << YAML::Value;
    emit_numbers(out, m.feature_mean.data(), static_cast<Eigen::Index>(m.feature_mean.size()));
    out << YAML::Key << "scale" << YAML::Value;
    emit_numbers(out, m.feature_scale.data(), static_cast<Eigen::Index>(m.feature_scale.size()));
    out << YAML::EndMap;
  }
}

void emit_network(YAML::Emitter& out, const ModelFile& m, const nn::Mlp& mlp) {
  out << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "task" << YAML::Value << std::string(nn::to_string(m.task));
  emit_inputs(out, m);
  if (!m.class_names.empty()) {
    out << YAML::Key << "classes" << YAML::Value;
    emit_strings(out, m.class_names);
  }
  out << YAML::Key << "widths" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (int l = 0; l <= mlp.layers(); ++l) out << mlp.width(l);
  out << YAML::EndSeq;
  out << YAML::Key << "activation" << YAML::Value << std::string(nn::to_string(m.activation));
  out << YAML::Key << "leaky_relu_slope" << YAML::Value << yaml_number(m.leaky_relu_slope);
  out << YAML::EndMap;
}

void emit_layers(YAML::Emitter& out, const ModelFile& m, const nn::Mlp& mlp) {
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (int l = 0; l < mlp.layers(); ++l) {
    const auto w = mlp.weights(m.parameters.data(), l);
    const auto b = mlp.biases(m.parameters.data(), l);
    out << YAML::BeginMap << YAML::Key << "weights" << YAML::Value << YAML::BeginSeq;
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      const Eigen::RowVectorXd row = w.row(i);
      emit_numbers(out, row.data(), row.size());
    }
    out << YAML::EndSeq << YAML::Key << "biases" << YAML::Value;
    emit_numbers(out, b.data(), b.size());
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string format_model(const ModelFile& m) {
  const nn::Mlp mlp = m.mlp();
  YAML::Emitter out;
  out << YAML::Comment(
      "nnsweep model: a trained network and the configuration it was trained with.\n"
      "Predict with: nnsweep predict THIS_FILE DATA.csv (see the README, \"Saved models\")");
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << std::string(kFormat);
  emit_origin(out, m.origin);
  emit_network(out, m, mlp);
  emit_layers(out, m, mlp);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

namespace {

ModelOrigin read_origin(const Reader& read, const YAML::Node& root) {
  ModelOrigin o;
  o.trial_id = read.text(root, "trial_id");
  o.trial_index = read.unsigned_number(root, "trial_index");
  o.sweep = read.text(root, "sweep");
  o.seed = read.unsigned_number(root, "seed");
  o.data_seed = read.unsigned_number(root, "data_seed");
  o.outcome = read.text(root, "outcome");
  if (root["weights_epoch"]) {
    const std::uint64_t epoch = read.unsigned_number(root, "weights_epoch");
    if (epoch > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
      read.fail(root["weights_epoch"], "model file: weights_epoch is out of range");
    o.epoch = static_cast<int>(epoch);
    o.from =
        read.name<WeightsFrom>(read.get(root, "weights_from"), kWeightsFromNames, "weights_from");
  }
  const YAML::Node config = read.get(root, "config");
  if (!config.IsMap()) read.fail(config, "model file: 'config' must be a map");
  for (const auto& item : config) {
    if (!item.first.IsScalar() || !item.second.IsScalar())
      read.fail(item.first, "model file: 'config' holds 'setting: value' lines");
    o.config.emplace_back(item.first.Scalar(), item.second.Scalar());
    // The precision predict computes in (ModelFile::precision): one it has kernels for.
    if (item.first.Scalar() == "train.precision")
      read.name<nn::Precision>(item.second, nn::kPrecisionNames, "train.precision");
  }
  return o;
}

// One column's encoding: {type: number, missing: MEAN} or {type: onehot, categories: [...],
// missing: zeros}, `missing` only where the model accepts a missing cell. Categories must be
// sorted and unique (predict looks them up by bisection) and within the cap of a sweep.
nn::ColumnEncoding read_column(const Reader& read, const YAML::Node& node, std::string name) {
  nn::ColumnEncoding c{.name = std::move(name)};
  c.kind = read.name<nn::ColumnKind>(read.get(node, "type"), kColumnKindNames, "encoding type");
  const YAML::Node missing = node["missing"];
  c.fill_missing = static_cast<bool>(missing);
  if (c.kind == nn::ColumnKind::number) {
    if (missing) c.fill = read.finite(missing, "encoding.missing");
    return c;
  }
  if (missing && !(missing.IsScalar() && missing.Scalar() == kZeros))
    read.fail(missing, "model file: a onehot column's missing is 'zeros'");
  const YAML::Node categories = read.get(node, "categories");
  if (categories.IsSequence() && categories.size() > static_cast<std::size_t>(nn::kMaxCategories))
    read.fail(categories, fmt::format("model file: {} categories, more than the cap of {}",
                                      categories.size(), nn::kMaxCategories));
  c.categories = read.strings(categories, "encoding.categories");
  if (c.categories.empty()) read.fail(categories, "model file: a onehot column needs categories");
  for (std::size_t i = 1; i < c.categories.size(); ++i)
    if (!(c.categories[i - 1] < c.categories[i]))
      read.fail(categories[i], "model file: categories must be sorted and unique");
  return c;
}

// The columns' encodings; without an `encoding` entry every input is a number column.
void read_encoding(const Reader& read, const YAML::Node& net, ModelFile& m) {
  const YAML::Node encoding = net["encoding"];
  if (!encoding) {
    for (const std::string& name : m.inputs) m.columns.push_back({.name = name});
    return;
  }
  if (!encoding.IsSequence() || encoding.size() != m.inputs.size())
    read.fail(encoding, "model file: encoding needs one entry per input");
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    if (!encoding[i].IsMap()) read.fail(encoding[i], "model file: an encoding entry is a map");
    m.columns.push_back(read_column(read, encoding[i], m.inputs[i]));
  }
  if (nn::encoded_width(m.columns) > nn::kMaxCsvColumns)
    read.fail(encoding, fmt::format("model file: the encoding makes more than {} inputs",
                                    nn::kMaxCsvColumns));
}

// The inputs and how they become the network's: the features of a built-in dataset's point,
// or the standardization of a CSV's columns.
void read_inputs(const Reader& read, const YAML::Node& net, ModelFile& m) {
  m.inputs = read.strings(read.get(net, "inputs"), "network.inputs");
  m.builtin = static_cast<bool>(net["features"]);
  if (m.builtin) {
    for (const auto& name : read.strings(net["features"], "network.features")) {
      const auto feature = nn::parse_name<nn::Feature>(name, nn::kFeatureNames);
      if (!feature)
        read.fail(net["features"], "model file: unknown feature " + nn::quote_input(name));
      m.features.push_back(*feature);
    }
    if (m.inputs != std::vector<std::string>{"x1", "x2"})
      read.fail(net["inputs"], "model file: a built-in dataset's inputs are [x1, x2]");
    return;
  }
  read_encoding(read, net, m);
  const auto width = static_cast<std::size_t>(nn::encoded_width(m.columns));
  const YAML::Node s = read.get(net, "standardization");
  m.feature_mean = read.numbers(read.get(s, "mean"), "standardization.mean");
  m.feature_scale = read.numbers(read.get(s, "scale"), "standardization.scale");
  if (m.feature_mean.size() != width || m.feature_scale.size() != width)
    read.fail(s, "model file: standardization needs one mean and scale per network input");
  for (std::size_t i = 0; i < m.feature_scale.size(); ++i)
    if (!(m.feature_scale[i] > 0))
      read.fail(s["scale"][i], "model file: standardization.scale must be > 0, got " +
                                   nn::quote_input(s["scale"][i].Scalar()));
}

void read_network(const Reader& read, const YAML::Node& net, ModelFile& m) {
  m.task = read.name<nn::Task>(read.get(net, "task"), nn::kTaskNames, "task");
  read_inputs(read, net, m);
  if (net["classes"]) m.class_names = read.strings(net["classes"], "network.classes");
  const std::vector<double> widths = read_widths(read, read.get(net, "widths"));
  m.network_inputs = static_cast<int>(widths.front());
  m.outputs = static_cast<int>(widths.back());
  for (std::size_t l = 1; l + 1 < widths.size(); ++l)
    m.hidden.push_back(static_cast<int>(widths[l]));
  const auto expected_inputs = m.builtin ? m.features.size() : m.feature_mean.size();
  if (static_cast<std::size_t>(m.network_inputs) != expected_inputs)
    read.fail(net["widths"], "model file: the first width must equal the number of inputs");
  check_outputs(read, net, m);
  m.activation =
      read.name<nn::Activation>(read.get(net, "activation"), nn::kActivationNames, "activation");
  m.leaky_relu_slope = read.finite(read.get(net, "leaky_relu_slope"), "leaky_relu_slope");
}

// Layer `l`'s weights (one row per output) and biases into `m.parameters`.
void read_layer(const Reader& read, const YAML::Node& layer, const nn::Mlp& mlp, int l,
                ModelFile& m) {
  auto w = mlp.weights(m.parameters.data(), l);
  auto b = mlp.biases(m.parameters.data(), l);
  const YAML::Node rows = read.get(layer, "weights");
  if (!rows.IsSequence() || static_cast<Eigen::Index>(rows.size()) != w.rows())
    read.fail(rows, fmt::format("model file: layer {} needs {} rows of weights", l + 1, w.rows()));
  for (Eigen::Index i = 0; i < w.rows(); ++i) {
    const auto row = read.weights(rows[static_cast<std::size_t>(i)], "weights");
    if (static_cast<Eigen::Index>(row.size()) != w.cols())
      read.fail(rows[static_cast<std::size_t>(i)],
                fmt::format("model file: layer {} needs {} weights per row", l + 1, w.cols()));
    for (Eigen::Index j = 0; j < w.cols(); ++j) w(i, j) = row[static_cast<std::size_t>(j)];
  }
  const auto biases = read.weights(read.get(layer, "biases"), "biases");
  if (static_cast<Eigen::Index>(biases.size()) != b.size())
    read.fail(layer["biases"],
              fmt::format("model file: layer {} needs {} biases", l + 1, b.size()));
  for (Eigen::Index i = 0; i < b.size(); ++i) b(i) = biases[static_cast<std::size_t>(i)];
}

}  // namespace

ModelFile parse_model(const std::string& text, const std::string& file, Weights weights) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw nn::InputError(file, e.mark.is_null() ? 0 : e.mark.line + 1,
                         e.mark.is_null() ? 0 : e.mark.column + 1, "model file: " + e.msg);
  }
  const Reader read(file, weights);
  if (!root.IsMap() || !root["format"] || root["format"].Scalar() != kFormat)
    throw nn::InputError(file, 0, 0,
                         fmt::format("not an nnsweep model file (no 'format: {}')", kFormat));
  ModelFile m;
  m.origin = read_origin(read, root);
  read_network(read, read.get(root, "network"), m);

  const nn::Mlp mlp = m.mlp();
  m.parameters.assign(static_cast<std::size_t>(mlp.parameter_count()), 0.0);
  const YAML::Node layers = read.get(root, "layers");
  if (!layers.IsSequence() || static_cast<int>(layers.size()) != mlp.layers())
    read.fail(layers, fmt::format("model file: expected {} layers", mlp.layers()));
  for (int l = 0; l < mlp.layers(); ++l)
    read_layer(read, layers[static_cast<std::size_t>(l)], mlp, l, m);
  return m;
}

}  // namespace results
