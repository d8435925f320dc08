#include "sweeps/grid.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <chrono>
#include <map>
#include <set>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

std::string key_of(const Sweep& s, std::uint64_t i) {
  const Trial t = s.trial(i);
  return fmt::format("{} {} {} r{}", nn::to_string(t.config.model.activation),
                     t.config.train.learning_rate, t.config.train.epochs, t.repeat);
}

TEST(Grid, EnumeratesInMixedRadixWithEpochsInnermostAndRepeatsFastest) {
  const Sweep s = parse(
      "repeats: 2\n"
      "grid:\n"
      "  train.epochs: [50, 200]\n"
      "  model.activation: [relu, tanh]\n"
      "  train.learning_rate: [0.1, 1]\n");
  ASSERT_EQ(s.size(), 16u);
  ASSERT_EQ(s.axes().size(), 3u);
  EXPECT_EQ(s.axes()[0].key, "model.activation");
  EXPECT_EQ(s.axes()[2].key, "train.epochs");
  EXPECT_EQ(key_of(s, 0), "relu 0.1 50 r0");
  EXPECT_EQ(key_of(s, 1), "relu 0.1 50 r1");
  EXPECT_EQ(key_of(s, 2), "relu 0.1 200 r0");
  EXPECT_EQ(key_of(s, 4), "relu 1 50 r0");
  EXPECT_EQ(key_of(s, 8), "tanh 0.1 50 r0");
  EXPECT_EQ(key_of(s, 15), "tanh 1 200 r1");
}

TEST(Grid, ExcludeRemovesEveryCombinationMatchingAllItsValues) {
  const Sweep s = parse(
      "grid:\n"
      "  model.activation: [relu, tanh, linear]\n"
      "  train.learning_rate: [0.1, 3]\n"
      "exclude:\n"
      "  - {model.activation: linear, train.learning_rate: 3}\n"
      "  - {model.activation: relu}\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(key_of(s, 0), "tanh 0.1 200 r0");
  EXPECT_EQ(key_of(s, 1), "tanh 3 200 r0");
  EXPECT_EQ(key_of(s, 2), "linear 0.1 200 r0");
  EXPECT_EQ(s.counts().grid_points, 6u);
  EXPECT_EQ(s.counts().excluded, 3u);
}

// The example of GitHub's "Expanding or adding matrix configurations", with fruit = activation,
// animal = optimizer, color = regularization, shape = init.
TEST(Grid, IncludeExtendsMatchingCombinationsOrAddsNewOnesAsGitHubActions) {
  const Sweep s = parse(
      "train: {optimizer: momentum}\n"
      "grid:\n"
      "  model.activation: [relu, tanh]\n"
      "  train.optimizer: [sgd, adam]\n"
      "include:\n"
      "  - {train.regularization: l1}\n"
      "  - {train.regularization: l2, train.optimizer: sgd}\n"
      "  - {model.activation: relu, model.init: he}\n"
      "  - {model.activation: sigmoid}\n"
      "  - {model.activation: sigmoid, train.optimizer: sgd}\n");
  std::vector<std::string> got;
  for (std::uint64_t i = 0; i < s.size(); ++i) {
    const nn::TrialConfig c = s.trial(i).config;
    got.push_back(fmt::format("{} {} {} {}", nn::to_string(c.model.activation),
                              nn::to_string(c.train.optimizer),
                              nn::to_string(c.train.regularization), nn::to_string(c.model.init)));
  }
  const std::vector<std::string> want = {"relu sgd l2 he",
                                         "relu adam l1 he",
                                         "tanh sgd l2 auto",
                                         "tanh adam l1 auto",
                                         "sigmoid momentum none auto",
                                         "sigmoid sgd none auto"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(s.counts().included, 2u);
}

TEST(Grid, IncludeReaddsAnExcludedCombination) {
  const Sweep s = parse(
      "grid: {model.activation: [relu, tanh], train.learning_rate: [0.1, 1]}\n"
      "exclude: [{model.activation: relu, train.learning_rate: 1}]\n"
      "include: [{model.activation: relu, train.learning_rate: 1, model.hidden: [3]}]\n");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.trial(3).config.model.hidden, std::vector<int>{3});
  EXPECT_EQ(s.trial(3).config.model.activation, nn::Activation::relu);
}

TEST(Grid, WithoutAxesEachIncludeIsOneCombination) {
  const Sweep s = parse("include: [{train.learning_rate: 0.1}, {train.learning_rate: 0.3}]\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.trial(1).config.train.learning_rate, 0.3);
}

TEST(Grid, PlansTenMillionPointsLazilyAndFast) {
  LoadOptions options;
  options.max_trials = 10'000'000;
  const auto start = std::chrono::steady_clock::now();
  const Sweep s = parse(
      // adam and leaky_relu, so that every axis applies to every point.
      "model: {activation: leaky_relu}\ntrain: {optimizer: adam}\n"
      "grid:\n"
      "  train.learning_rate: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
      "0.01]\n"
      "  train.epsilon: [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]\n"
      "  model.leaky_relu_slope: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]\n"
      "  train.beta1: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.beta2: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  data.noise: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n",
      options);
  ASSERT_EQ(s.size(), 10'000'000u);
  const Trial last = s.trial(s.size() - 1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(last.config.train.epochs, 10);
  EXPECT_EQ(last.config.train.learning_rate, 0.01);
  EXPECT_LT(seconds, 1.0);
}

TEST(Grid, FindsTheIthSurvivorOfAnExcludingGridOfMillions) {
  LoadOptions options;
  options.max_trials = 10'000'000;
  const Sweep s = parse(
      "train: {optimizer: adam}\n"
      "grid:\n"
      "  model.activation: [relu, tanh, sigmoid, linear]\n"
      "  train.learning_rate: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
      "0.01]\n"
      "  train.epsilon: [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]\n"
      "  train.beta1: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.beta2: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
      "  data.noise: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "exclude: [{model.activation: linear}, {model.activation: relu, train.epochs: 10}]\n",
      options);
  ASSERT_EQ(s.size(), 2'900'000u);               // 4e6 points - 1e6 linear - 1e5 relu at 10 epochs
  EXPECT_EQ(s.trial(8).config.train.epochs, 9);  // relu's tenth epoch value is excluded
  EXPECT_EQ(s.trial(9).config.train.epochs, 1);
  EXPECT_EQ(s.trial(9).config.data.noise, 0.2);
  const Trial last = s.trial(s.size() - 1);
  EXPECT_EQ(last.config.model.activation, nn::Activation::sigmoid);
  EXPECT_EQ(last.config.train.epochs, 10);
}

TEST(Grid, GivesDistinctIdsToEveryTrial) {
  const Sweep s = parse(
      "repeats: 3\n"
      "grid: {model.hidden: [[8, 8], [4], []], train.batch_size: [1, 10]}\n"
      "include: [{train.learning_rate: 0.5}]\n");
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < s.size(); ++i) ids.insert(s.trial(i).id);
  EXPECT_EQ(ids.size(), s.size());
}

// The values of `key` trial by trial, "-" where the cell is empty (the setting does not apply).
std::vector<std::string> column(const Sweep& s, const std::string& key) {
  std::vector<std::string> out;
  for (std::uint64_t i = 0; i < s.size(); ++i)
    for (const Param& p : s.trial(i).params)
      if (p.key == key) out.push_back(p.value.empty() ? "-" : p.value);
  return out;
}

TEST(Grid, CollapsesCombinationsThatDifferOnlyInASettingThatDoesNotApply) {
  const Sweep s = parse(
      "grid:\n"
      "  train.momentum: [0.5, 0.9]\n"
      "  train.optimizer: [sgd, momentum, adam]\n");
  ASSERT_EQ(s.size(), 4u);  // sgd, momentum 0.5, momentum 0.9, adam
  EXPECT_EQ(s.counts().collapsed, 2u);
  EXPECT_EQ(s.axes()[0].key, "train.optimizer");  // the controller moves first
  EXPECT_EQ(column(s, "train.optimizer"),
            (std::vector<std::string>{"sgd", "momentum", "momentum", "adam"}));
  EXPECT_EQ(column(s, "train.momentum"), (std::vector<std::string>{"-", "0.5", "0.9", "-"}));
  EXPECT_EQ(
      s.collapse_notes(),
      (std::vector<std::string>{"train.momentum does not apply with train.optimizer sgd, adam"}));
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < s.size(); ++i) ids.insert(s.trial(i).id);
  EXPECT_EQ(ids.size(), 4u);
}

TEST(Grid, CollapsesAnAxisTheBaseMakesInapplicable) {
  const Sweep s = parse("grid:\n  train.beta1: [0.5, 0.9]\n  train.learning_rate: [0.1, 1]\n");
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(column(s, "train.beta1"), (std::vector<std::string>{}));  // never applies: no column
  EXPECT_EQ(s.collapse_notes(),
            (std::vector<std::string>{"train.beta1 does not apply with train.optimizer sgd"}));
}

// Trial i is found from i alone: the enumeration equals the full grid, in its order, with the
// duplicates (an inapplicable axis away from its first value) left out.
TEST(Grid, CollapsedEnumerationIsTheFullGridWithoutItsDuplicates) {
  const std::string axes =
      "  train.beta2: [0.9, 0.99]\n"
      "  train.regularization_rate: [0.001, 0.01, 0.1]\n"
      "  train.optimizer: [sgd, momentum, adam]\n"
      "  train.learning_rate: [0.1, 1]\n"
      "  train.regularization: [none, l2]\n"
      "  train.momentum: [0.5, 0.9]\n"
      "  train.epochs: [5, 10]\n";
  for (const std::string extra : {"", "exclude: [{train.optimizer: adam, train.beta2: 0.99}]\n"}) {
    const Sweep s = parse("repeats: 2\ngrid:\n" + axes + extra);
    std::vector<std::string> expected;
    const std::string full_spec = "model: {activation: relu}\ngrid:\n" + axes + extra;
    // Brute force: every point of the full product, in order, kept when no setting that does
    // not apply holds other than its axis's first value.
    const std::vector<std::vector<std::string>> values = {{"sgd", "momentum", "adam"},
                                                          {"none", "l2"},
                                                          {"0.9", "0.99"},
                                                          {"0.001", "0.01", "0.1"},
                                                          {"0.1", "1"},
                                                          {"0.5", "0.9"},
                                                          {"5", "10"}};
    for (const auto& o : values[0])
      for (const auto& r : values[1])
        for (const auto& b2 : values[2])
          for (const auto& rr : values[3])
            for (const auto& lr : values[4])
              for (const auto& m : values[5])
                for (const auto& e : values[6]) {
                  if (o != "adam" && b2 != "0.9") continue;
                  if (r == "none" && rr != "0.001") continue;
                  if (o != "momentum" && m != "0.5") continue;
                  if (!extra.empty() && o == "adam" && b2 == "0.99") continue;
                  const std::string key =
                      fmt::format("{} {} {} {} {} {} {}", o, r, o == "adam" ? b2 : "-",
                                  r == "none" ? "-" : rr, lr, o == "momentum" ? m : "-", e);
                  expected.push_back(key);
                  expected.push_back(key);  // two repeats
                }
    std::vector<std::string> got;
    TrialCache cache;
    for (std::uint64_t i = 0; i < s.size(); ++i) {
      const Trial t = s.trial(i, cache);
      std::map<std::string, std::string> p;
      for (const Param& q : t.params) p[q.key] = q.value.empty() ? "-" : q.value;
      got.push_back(fmt::format("{} {} {} {} {} {} {}", p["train.optimizer"],
                                p["train.regularization"], p["train.beta2"],
                                p["train.regularization_rate"], p["train.learning_rate"],
                                p["train.momentum"], p["train.epochs"]));
      EXPECT_EQ(t.index, i);
    }
    EXPECT_EQ(got, expected) << extra;
    EXPECT_EQ(s.counts().configurations * 2, s.size());
    EXPECT_EQ(s.counts().grid_points - s.counts().excluded - s.counts().collapsed,
              s.counts().configurations);
  }
}

TEST(Grid, ExcludeMatchesBeforeCollapsing) {
  // Excluding (sgd, momentum 0.5) removes the point that stands for every sgd combination.
  const Sweep s = parse(
      "grid:\n  train.optimizer: [sgd, momentum]\n  train.momentum: [0.5, 0.9]\n"
      "exclude: [{train.optimizer: sgd, train.momentum: 0.5}]\n");
  EXPECT_EQ(column(s, "train.optimizer"), (std::vector<std::string>{"momentum", "momentum"}));
  EXPECT_EQ(s.counts().excluded, 1u);
  EXPECT_EQ(s.counts().collapsed, 1u);
}

TEST(Grid, AnIncludeEntryThatGivesAnExistingTrialAddsNothingAndIsNamed) {
  const Sweep s = parse(
      "grid:\n  train.optimizer: [sgd, momentum]\n  train.momentum: [0.5, 0.9]\n"
      "include:\n"
      "  - {train.optimizer: sgd, train.momentum: 0.7}\n"     // sgd: the grid has it
      "  - {train.optimizer: adam, train.momentum: 0.1}\n"    // new
      "  - {train.optimizer: adam, train.momentum: 0.2}\n");  // the same as the one before
  EXPECT_EQ(s.size(), 4u);  // sgd, momentum 0.5, momentum 0.9, adam
  EXPECT_EQ(s.collapse_notes(),
            (std::vector<std::string>{
                "train.momentum does not apply with train.optimizer sgd",
                "the include entry at line 5 gives a trial the grid already has",
                "the include entry at line 7 gives the same trial as the one at line 6"}));
}

TEST(Grid, RefusesAnAnalysisSettingAsAnAxis) {
  EXPECT_EQ(error_of("grid:\n  convergence.stall: [0.1, 0.2]\n"),
            "s.yaml:2:3: error: convergence.stall is an analysis setting: it changes how the "
            "loss curves are read, not what is trained, so it cannot vary in grid; set it once "
            "under 'convergence:' (nnsweep report DIR re-reads a finished run)");
}

TEST(Grid, RefusesAnIncludeThatSetsTheControllerOfAnAxis) {
  EXPECT_EQ(error_of("grid:\n  train.momentum: [0.5, 0.9]\n"
                     "include: [{train.optimizer: momentum}]\n"),
            "s.yaml:3:29: error: include sets train.optimizer, which decides whether the grid "
            "axis train.momentum applies; make train.optimizer a grid axis instead");
}

}  // namespace
}  // namespace sweeps
