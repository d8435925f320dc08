#include "results/playground_link.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "nn/config.h"

namespace results {
namespace {

// Playground's limits (its src/playground.ts and index.html): the points it draws, its
// sliders' ranges, its network's size.
constexpr int kClassifyPoints = 500, kRegressPoints = 1200;
constexpr int kMaxLayers = 6, kMaxUnits = 8, kMaxBatch = 30;
constexpr double kMaxNoise = 0.5, kMinTrain = 0.1, kMaxTrain = 0.9;

// Each nnsweep feature's flag in Playground's hash, in the order of nn::Feature.
constexpr std::array<std::string_view, 7> kFeatureFlags = {
    "x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"};

// What went wrong, or nothing.
using Problem = std::optional<std::string>;

std::optional<double> number(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<int> whole(std::string_view text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Splits "a-b-c" (widths) or "a b c" (features) into parts.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const std::size_t at = text.find(sep);
    if (at != 0) parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

template <typename Enum, std::size_t N>
Problem name(std::string_view text, const std::array<std::string_view, N>& names, Enum& to) {
  const auto v = nn::parse_name<Enum>(text, names);
  if (!v) return fmt::format("\"{}\" is not a value nnsweep knows", text);
  to = *v;
  return std::nullopt;
}

Problem read_hidden(std::string_view text, std::vector<int>& to) {
  to.clear();
  if (text == "none") return std::nullopt;
  for (std::string_view part : split(text, '-')) {
    const auto w = whole(part);
    if (!w || *w < 1) return fmt::format("\"{}\" is not a list of layer widths", text);
    to.push_back(*w);
  }
  return std::nullopt;
}

Problem read_features(std::string_view text, std::vector<nn::Feature>& to) {
  to.clear();
  for (std::string_view part : split(text, ' ')) {
    nn::Feature f{};
    if (Problem p = name(part, nn::kFeatureNames, f)) return p;
    to.push_back(f);
  }
  return std::nullopt;
}

template <typename T, typename Parse>
Problem read_number(std::string_view text, Parse parse, T& to) {
  const auto v = parse(text);
  if (!v) return fmt::format("\"{}\" is not a number", text);
  to = *v;
  return std::nullopt;
}

// Reads one setting into c; settings that are no part of Playground's hash are skipped.
Problem read(std::string_view key, std::string_view v, nn::TrialConfig& c) {
  if (key == "data.dataset") return name(v, nn::kDatasetNames, c.data.dataset);
  if (key == "data.points") return read_number(v, whole, c.data.points);
  if (key == "data.noise") return read_number(v, number, c.data.noise);
  if (key == "data.train_fraction") return read_number(v, number, c.data.train_fraction);
  if (key == "data.validation_fraction") return read_number(v, number, c.data.validation_fraction);
  if (key == "data.features") return read_features(v, c.data.features);
  if (key == "model.hidden") return read_hidden(v, c.model.hidden);
  if (key == "model.activation") return name(v, nn::kActivationNames, c.model.activation);
  if (key == "model.loss") return name(v, nn::kLossNames, c.model.loss);
  if (key == "train.optimizer") return name(v, nn::kOptimizerNames, c.train.optimizer);
  if (key == "train.learning_rate") return read_number(v, number, c.train.learning_rate);
  if (key == "train.batch_size") return read_number(v, whole, c.train.batch_size);
  if (key == "train.regularization")
    return name(v, nn::kRegularizationNames, c.train.regularization);
  if (key == "train.regularization_rate")
    return read_number(v, number, c.train.regularization_rate);
  // The run's length, start and judging (not Playground settings), the CSV's settings (a CSV
  // is refused by its dataset) and the other optimizers' rates (refused by the optimizer).
  constexpr std::array<std::string_view, 12> kLeftOut = {
      "train.epochs",   "train.shuffle", "model.init",   "model.leaky_relu_slope",
      "data.path",      "data.target",   "data.columns", "data.task",
      "train.momentum", "train.beta1",   "train.beta2",  "train.epsilon"};
  for (std::string_view k : kLeftOut)
    if (key == k) return std::nullopt;
  if (key.starts_with("convergence.")) return std::nullopt;
  return std::string("it is not a setting nnsweep knows");
}

bool regression(const nn::TrialConfig& c) {
  return c.data.dataset == nn::DatasetKind::plane || c.data.dataset == nn::DatasetKind::multi_gauss;
}

// What Playground does its own way, said beside the link.
std::vector<std::string> differences(const nn::TrialConfig& c) {
  std::vector<std::string> out;
  const int points = regression(c) ? kRegressPoints : kClassifyPoints;
  if (c.data.points != points)
    out.push_back(fmt::format("Playground draws {} points, the trial {} (data.points)", points,
                              c.data.points));
  if (c.data.validation_fraction > 0)
    out.push_back(
        "Playground has no validation split: the trial's validation points "
        "(data.validation_fraction) are test points there");
  if (c.model.loss == nn::Loss::cross_entropy ||
      (c.model.loss == nn::Loss::automatic && !regression(c)))
    out.push_back(
        "Playground's loss is the squared error, the trial's the cross-entropy "
        "(model.loss)");
  return out;
}

Problem check_data(const nn::TrialConfig& c) {
  const nn::DataConfig& d = c.data;
  if (d.dataset == nn::DatasetKind::csv) return "Playground has only its built-in datasets, no CSV";
  if (d.noise > kMaxNoise)
    return fmt::format("Playground's noise goes up to 50%, the trial's is {:.12g}% (data.noise)",
                       100 * d.noise);
  if (d.train_fraction < kMinTrain - 1e-12 || d.train_fraction > kMaxTrain + 1e-12)
    return fmt::format(
        "Playground trains on 10% to 90% of the points, the trial on {:.12g}% "
        "(data.train_fraction)",
        100 * d.train_fraction);
  return std::nullopt;
}

Problem check_model(const nn::TrialConfig& c) {
  const nn::ModelConfig& m = c.model;
  if (m.hidden.size() > static_cast<std::size_t>(kMaxLayers))
    return fmt::format("Playground has at most {} hidden layers, the trial {} (model.hidden)",
                       kMaxLayers, m.hidden.size());
  for (int w : m.hidden)
    if (w > kMaxUnits)
      return fmt::format(
          "Playground has at most {} neurons in a layer, the trial {} "
          "(model.hidden)",
          kMaxUnits, w);
  using nn::Activation;
  if (m.activation != Activation::relu && m.activation != Activation::tanh &&
      m.activation != Activation::sigmoid && m.activation != Activation::linear)
    return fmt::format("Playground has no {} activation (model.activation)",
                       nn::to_string(m.activation));
  return std::nullopt;
}

Problem check_train(const nn::TrialConfig& c) {
  const nn::TrainConfig& t = c.train;
  if (t.optimizer != nn::Optimizer::sgd)
    return fmt::format("Playground has plain gradient descent only, not {} (train.optimizer)",
                       nn::to_string(t.optimizer));
  if (t.batch_size < 1 || t.batch_size > kMaxBatch)
    return fmt::format(
        "Playground's batch size goes up to {}, the trial's is {} "
        "(train.batch_size)",
        kMaxBatch, t.batch_size);
  return std::nullopt;
}

// Playground's hash, its keys in the order Playground writes them.
std::string hash(const nn::TrialConfig& c) {
  const bool reg = regression(c);
  std::string shape;
  for (int w : c.model.hidden) {
    if (!shape.empty()) shape += ',';
    shape += std::to_string(w);
  }
  const bool penalised = c.train.regularization != nn::Regularization::none;
  std::string out = fmt::format(
      "activation={}&regularization={}&batchSize={}&{}&learningRate={}&regularizationRate={}&"
      "noise={:.12g}&networkShape={}&percTrainData={:.12g}",
      nn::to_string(c.model.activation),
      c.train.regularization == nn::Regularization::l1   ? "L1"
      : c.train.regularization == nn::Regularization::l2 ? "L2"
                                                         : "none",
      c.train.batch_size,
      reg ? fmt::format("regDataset={}",
                        c.data.dataset == nn::DatasetKind::plane ? "reg-plane" : "reg-gauss")
          : fmt::format("dataset={}", nn::to_string(c.data.dataset)),
      c.train.learning_rate, penalised ? c.train.regularization_rate : 0.0, 100 * c.data.noise,
      shape, 100 * c.data.train_fraction);
  for (std::size_t f = 0; f < kFeatureFlags.size(); ++f) {
    bool on = false;
    for (nn::Feature g : c.data.features) on = on || static_cast<std::size_t>(g) == f;
    out += fmt::format("&{}={}", kFeatureFlags[f], on);
  }
  return out + (reg ? "&problem=regression" : "&problem=classification");
}

}  // namespace

PlaygroundLink playground_link(const std::vector<std::pair<std::string, std::string>>& settings) {
  nn::TrialConfig c;
  for (const auto& [key, value] : settings) {
    if (value.empty()) continue;  // does not apply
    if (Problem p = read(key, value, c))
      return {.url = "", .reason = fmt::format("{}={}: {}", key, value, *p)};
  }
  for (const auto check : {check_data, check_model, check_train})
    if (Problem p = check(c)) return {.url = "", .reason = *p};
  return {.url = "https://playground.tensorflow.org/#" + hash(c),
          .reason = "",
          .differences = differences(c)};
}

}  // namespace results
