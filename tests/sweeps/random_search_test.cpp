#include "sweeps/random_search.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <map>
#include <set>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

const char* kRandom =
    "seed: 7\n"
    "random:\n"
    "  samples: 50\n"
    "  params:\n"
    "    train.learning_rate: {log_uniform: [1e-4, 1]}\n"
    "    train.batch_size: {int_uniform: [1, 20]}\n"
    "    model.activation: {choice: [relu, tanh]}\n"
    "    data.noise: {uniform: [0, 0.5]}\n";

TEST(RandomSearch, DrawsTheSameSamplesEveryTime) {
  const Sweep a = parse(kRandom), b = parse(kRandom);
  ASSERT_EQ(a.size(), 50u);
  for (std::uint64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.trial(i).id, b.trial(i).id);
}

TEST(RandomSearch, DrawsWithinTheRangesRoundedToSixDigits) {
  const Sweep s = parse(kRandom);
  std::set<nn::Activation> activations;
  for (std::uint64_t i = 0; i < s.size(); ++i) {
    const nn::TrialConfig c = s.trial(i).config;
    EXPECT_GE(c.train.learning_rate, 1e-4);
    EXPECT_LE(c.train.learning_rate, 1);
    EXPECT_LE(fmt::format("{}", c.train.learning_rate).size(), 12u);
    EXPECT_GE(c.train.batch_size, 1);
    EXPECT_LE(c.train.batch_size, 20);
    EXPECT_GE(c.data.noise, 0);
    EXPECT_LE(c.data.noise, 0.5);
    activations.insert(c.model.activation);
  }
  EXPECT_EQ(activations.size(), 2u);
}

TEST(RandomSearch, DependsOnTheSweepSeed) {
  std::string other = kRandom;
  other.replace(other.find("seed: 7"), 7, "seed: 8");
  EXPECT_NE(parse(kRandom).trial(0).id, parse(other).trial(0).id);
}

TEST(RandomSearch, KeepsEarlierSamplesWhenMoreAreAsked) {
  std::string more = kRandom;
  more.replace(more.find("samples: 50"), 11, "samples: 80");
  const Sweep a = parse(kRandom), b = parse(more);
  for (std::uint64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.trial(i).id, b.trial(i).id);
}

TEST(RandomSearch, NeverRepeatsASample) {
  const Sweep s = parse(
      "random: {samples: 6, params: {model.activation: {choice: [relu, tanh, "
      "sigmoid]}, train.optimizer: {choice: [sgd, adam]}}}\n");
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < s.size(); ++i) ids.insert(s.trial(i).id);
  EXPECT_EQ(ids.size(), 6u);
}

TEST(RandomSearch, GivesUpWhenTheLastSamplesAreTooRareToFind) {
  // 100000 whole numbers, all asked for: collecting the last ones takes ~12 draws a sample.
  const std::string error = testing::error_of(
      "random: {samples: 100000, params: {train.epochs: {int_uniform: [1, "
      "100000]}}}\n");
  EXPECT_NE(error.find("distinct samples in 1001000 draws; ask for fewer"), std::string::npos)
      << error;
}

TEST(RandomSearch, MultipliesWithTheGridSampleMajor) {
  const Sweep s = parse(
      "repeats: 2\n"
      "grid: {model.activation: [relu, tanh]}\n"
      "random: {samples: 3, params: {train.learning_rate: {log_uniform: [0.001, 1]}}}\n");
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s.counts().samples, 3u);
  // index = (sample x combinations + combination) x repeats + repeat
  EXPECT_EQ(s.trial(0).config.train.learning_rate, s.trial(3).config.train.learning_rate);
  EXPECT_NE(s.trial(0).config.train.learning_rate, s.trial(4).config.train.learning_rate);
  EXPECT_EQ(s.trial(2).config.model.activation, nn::Activation::tanh);
  ASSERT_EQ(s.random_params().size(), 1u);
  EXPECT_EQ(s.random_params()[0].value, "log_uniform [0.001, 1]");
}

TEST(RandomSearch, DoesNotDrawAParameterWhereItDoesNotApply) {
  const Sweep s = parse(
      "random:\n  samples: 30\n  params:\n"
      "    train.optimizer: {choice: [sgd, momentum]}\n"
      "    train.momentum: {uniform: [0.1, 0.9]}\n");
  ASSERT_EQ(s.size(), 30u);
  int sgd = 0;
  for (std::uint64_t i = 0; i < s.size(); ++i) {
    std::map<std::string, std::string> p;
    for (const Param& q : s.trial(i).params) p[q.key] = q.value;
    if (p["train.optimizer"] == "sgd") {
      ++sgd;
      EXPECT_EQ(p["train.momentum"], "") << i;
    } else {
      EXPECT_NE(p["train.momentum"], "") << i;
    }
  }
  // Samples differ: sgd without a momentum exists once.
  EXPECT_EQ(sgd, 1);
}

TEST(RandomSearch, RefusesAParameterWhoseControllerTheGridVaries) {
  EXPECT_EQ(error_of("grid:\n  train.optimizer: [sgd, adam]\n"
                     "random:\n  samples: 3\n  params:\n    train.beta1: {uniform: [0.5, 0.9]}\n"),
            "s.yaml:6:5: error: train.beta1 applies only for some values of train.optimizer, which "
            "the grid varies; draw train.optimizer in random too (choice), or make train.beta1 an "
            "axis");
}

}  // namespace
}  // namespace sweeps
