#include "runner/judge_again.h"

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>

#include "nn/input_error.h"
#include "nn/number.h"
#include "nn/outcome.h"
#include "results/atomic_file.h"
#include "results/tables.h"
#include "sweeps/setting.h"
#include "sweeps/spec.h"

namespace runner {

namespace fs = std::filesystem;

std::vector<std::string> merge_overrides(std::span<const std::string> earlier,
                                         std::span<const sweeps::Override> added) {
  std::vector<sweeps::Override> all;
  for (const std::string& text : earlier) all.push_back(sweeps::parse_override(text));
  all.insert(all.end(), added.begin(), added.end());
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::size_t last = i;
    for (std::size_t j = 0; j < all.size(); ++j)
      if (all[j].key == all[i].key) last = j;
    bool first = true;
    for (std::size_t j = 0; j < i; ++j) first = first && all[j].key != all[i].key;
    if (first) kept.push_back(all[last].text());
  }
  return kept;
}

namespace {

// The overrides as an error message shows them: each quoted (control bytes escaped, as every
// message shows text from the command line).
std::string shown(std::span<const std::string> overrides) {
  std::string text;
  for (const std::string& o : overrides) {
    if (!text.empty()) text += ' ';
    text += nn::quote_input(o);
  }
  return text;
}

}  // namespace

nn::ConvergenceConfig convergence_with(const std::string& spec_yaml,
                                       std::span<const std::string> overrides, const fs::path& dir,
                                       const std::string& file) {
  std::vector<sweeps::Override> parsed;
  for (const std::string& text : overrides) parsed.push_back(sweeps::parse_override(text));
  const std::string spec = sweeps::apply_overrides(spec_yaml, parsed, file);
  try {
    const sweeps::Sweep sweep = sweeps::parse_sweep(spec, file, dir);
    return sweep.size() > 0 ? sweep.trial(0).config.convergence : nn::ConvergenceConfig{};
  } catch (const nn::InputError& e) {
    // The spec was valid when it ran: what fails now is a value given with --set.
    throw nn::InputError("--set", 0, 0, fmt::format("{}: {}", shown(overrides), e.what()));
  }
}

namespace {

// nn::is_penalised of a trials.csv row's settings.
bool penalised(const results::Params& params) {
  nn::TrainConfig train;
  for (const auto& [key, value] : params) {
    if (key == sweeps::keys::regularization)
      train.regularization = nn::parse_name<nn::Regularization>(value, nn::kRegularizationNames)
                                 .value_or(nn::Regularization::none);
    if (key == sweeps::keys::regularization_rate)
      train.regularization_rate = nn::parse_number(value).value_or(0);
  }
  return nn::is_penalised(train);
}

}  // namespace

namespace {

// What the rows of a finished run are, as far as the convergence settings care.
struct RunShape {
  bool regression = false;          // a row without accuracy
  bool without_validation = false;  // a row without a validation loss
};

RunShape shape_of(const fs::path& dir) {
  RunShape shape;
  const fs::path path = dir / "trials.csv";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nn::InputError(path.string(), 0, 0, "cannot read trials.csv");
  results::read_trials(in, path.string(), [&](results::TrialRecord&& r) {
    if (r.outcome == results::Outcome::error) return;
    shape.regression = shape.regression || std::isnan(r.initial.train_accuracy);
    shape.without_validation = shape.without_validation || std::isnan(r.initial.val_loss);
  });
  return shape;
}

// The spec's name and convergence section over a built-in dataset that every convergence
// setting accepts: the values are checked without the run's data.
std::string convergence_only(const std::string& spec_yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(spec_yaml);
  } catch (const YAML::Exception& e) {
    throw nn::InputError(file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  YAML::Node out;
  out["name"] = "judged_again";
  out["data"]["dataset"] = "circle";
  out["data"]["validation_fraction"] = 0.2;
  if (root.IsMap() && root["convergence"]) out["convergence"] = root["convergence"];
  YAML::Emitter text;
  text << out;
  return std::string(text.c_str()) + "\n";
}

}  // namespace

nn::ConvergenceConfig convergence_for_run(const fs::path& dir, const std::string& spec_yaml,
                                          std::span<const std::string> overrides,
                                          const std::string& file) {
  const nn::ConvergenceConfig rules =
      convergence_with(convergence_only(spec_yaml, file), overrides, dir, file);
  const RunShape shape = shape_of(dir);
  const std::string given = shown(overrides);
  if (rules.target_metric == nn::TargetMetric::accuracy && shape.regression)
    throw nn::InputError("--set", 0, 0,
                         fmt::format("{}: convergence.target_metric accuracy needs "
                                     "classification, and this run has regression trials",
                                     given));
  if (rules.monitor == nn::Monitor::val_loss && shape.without_validation)
    throw nn::InputError("--set", 0, 0,
                         fmt::format("{}: convergence.monitor val_loss needs a validation "
                                     "split, and this run has trials without one",
                                     given));
  return rules;
}

results::RejudgeCount judge_rows_again(const fs::path& dir, const nn::ConvergenceConfig& rules) {
  const fs::path trials_path = dir / "trials.csv", curves_path = dir / "curves.csv";
  results::put_in_trial_order(dir, false);
  std::ifstream trials(trials_path, std::ios::binary);
  std::ifstream curves(curves_path, std::ios::binary);
  if (!curves)
    throw nn::InputError(curves_path.string(), 0, 0,
                         "no curves.csv: outcomes are judged from the curves, so a run made with "
                         "`curves: off` cannot be judged again");
  results::RejudgeCount count;
  results::replace_file(
      dir, "trials.csv",
      [&](std::ostream& out) {
        count = results::rejudge(trials, trials_path.string(), curves, curves_path.string(), rules,
                                 penalised, out);
      },
      results::Sync::file);
  return count;
}

}  // namespace runner
