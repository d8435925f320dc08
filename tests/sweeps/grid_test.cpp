#include "sweeps/grid.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <chrono>
#include <set>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

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
      "grid:\n"
      "  train.learning_rate: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
      "0.01]\n"
      "  train.momentum: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  model.leaky_relu_slope: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]\n"
      "  train.beta1: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.beta2: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  convergence.tolerance: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
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
      "grid:\n"
      "  model.activation: [relu, tanh, sigmoid, linear]\n"
      "  train.learning_rate: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, "
      "0.01]\n"
      "  train.momentum: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.beta1: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.beta2: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "  train.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
      "  convergence.tolerance: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]\n"
      "exclude: [{model.activation: linear}, {model.activation: relu, train.epochs: 10}]\n",
      options);
  ASSERT_EQ(s.size(), 2'900'000u);               // 4e6 points - 1e6 linear - 1e5 relu at 10 epochs
  EXPECT_EQ(s.trial(8).config.train.epochs, 9);  // relu's tenth epoch value is excluded
  EXPECT_EQ(s.trial(9).config.train.epochs, 1);
  EXPECT_EQ(s.trial(9).config.convergence.tolerance, 0.2);
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

}  // namespace
}  // namespace sweeps
