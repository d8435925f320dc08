// Values checked one at a time: ranges, names and list shapes of each setting.
#include "sweeps/setting.h"

#include <gtest/gtest.h>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

TEST(Setting, EveryConfigFieldHasOneSettingInSectionOrder) {
  EXPECT_EQ(settings().size(), 45u);
  EXPECT_EQ(settings().front().key, "data.dataset");
  EXPECT_EQ(settings().back().key, "convergence.target");
  EXPECT_EQ(find_setting("train.learning_rate")->kind, ValueKind::number);
  EXPECT_EQ(find_setting("train.lr"), nullptr);
  // float64 was the only precision before train.precision: it keeps earlier trial ids.
  EXPECT_EQ(find_setting("train.precision")->neutral, "float64");
}

TEST(Setting, RefusesOutOfRangeValues) {
  EXPECT_EQ(error_of("train: {learning_rate: -0.1}\n"),
            "s.yaml:1:24: error: train.learning_rate must be > 0, got -0.1");
  EXPECT_EQ(error_of("train: {batch_size: 0}\n"),
            "s.yaml:1:21: error: train.batch_size must be a whole number >= 1, got '0'");
  EXPECT_EQ(error_of("data: {noise: 1.5}\n"),
            "s.yaml:1:15: error: data.noise must be in [0, 1], got 1.5");
  EXPECT_EQ(error_of("data: {train_fraction: 1}\n"),
            "s.yaml:1:24: error: data.train_fraction must be in (0, 1), got 1");
  EXPECT_EQ(error_of("model: {hidden: [8, 0]}\n"),
            "s.yaml:1:21: error: model.hidden: a layer width must be a whole number >= 1, got '0'");
}

TEST(Setting, RefusesUnknownNamesListingTheValidOnes) {
  EXPECT_EQ(error_of("model: {activation: relux}\n"),
            "s.yaml:1:21: error: unknown model.activation 'relux' (did you mean 'relu'?); valid: "
            "relu, tanh, sigmoid, linear, leaky_relu, elu, softplus");
  EXPECT_EQ(error_of("data: {dataset: moons}\n"),
            "s.yaml:1:17: error: unknown data.dataset 'moons'; valid: circle, xor, gauss, "
            "spiral, plane, multi_gauss, csv");
  EXPECT_EQ(error_of("train: {optimizer: rmsprop}\n"),
            "s.yaml:1:20: error: unknown train.optimizer 'rmsprop'; valid: sgd, momentum, adam");
  EXPECT_EQ(error_of("data: {features: [x1, x3]}\n"),
            "s.yaml:1:23: error: unknown data.features 'x3' (did you mean 'x1'?); valid: x1, x2, "
            "x1^2, x2^2, x1*x2, sin(x1), sin(x2)");
}

TEST(Setting, RefusesAScalarWhereAListBelongs) {
  EXPECT_EQ(error_of("model:\n  hidden: 8\n"),
            "s.yaml:2:11: error: model.hidden: expected a list like [a, b], got '8'");
}

std::string param(const Sweep& s, const std::string& key) {
  for (const Param& p : s.params(s.trial(0).config))
    if (p.key == key) return p.value;
  return "missing";
}

TEST(Setting, WritesListsAsCompactText) {
  const Sweep s = parse("model: {hidden: [8, 8]}\ndata: {features: [x1, x2, sin(x1)]}\n");
  EXPECT_EQ(param(s, "model.hidden"), "8-8");
  EXPECT_EQ(param(s, "data.features"), "x1 x2 sin(x1)");
  EXPECT_EQ(param(parse("model: {hidden: []}\n"), "model.hidden"), "none");
}

}  // namespace
}  // namespace sweeps
