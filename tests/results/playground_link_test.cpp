#include "results/playground_link.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace results {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

// A classification trial Playground can run: squared error, plain gradient descent.
Settings playable() {
  return {{"data.dataset", "spiral"},     {"data.noise", "0.1"},
          {"data.train_fraction", "0.7"}, {"data.features", "x1 x2 x1^2 sin(x2)"},
          {"model.hidden", "8-8-4"},      {"model.activation", "relu"},
          {"model.loss", "mse"},          {"model.init", "glorot"},
          {"train.optimizer", "sgd"},     {"train.learning_rate", "0.003"},
          {"train.batch_size", "25"},     {"train.epochs", "400"},
          {"train.regularization", "l2"}, {"train.regularization_rate", "0.001"},
          {"convergence.target", "0.2"}};
}

Settings with(Settings s, const std::string& key, const std::string& value) {
  for (auto& [k, v] : s)
    if (k == key) {
      v = value;
      return s;
    }
  s.emplace_back(key, value);
  return s;
}

TEST(PlaygroundLink, CarriesEverySettingInPlaygroundsHash) {
  const PlaygroundLink link = playground_link(playable());
  ASSERT_TRUE(link.ok()) << link.reason;
  EXPECT_EQ(link.url,
            "https://playground.tensorflow.org/#activation=relu&regularization=L2&batchSize=25&"
            "dataset=spiral&learningRate=0.003&regularizationRate=0.001&noise=10&"
            "networkShape=8,8,4&percTrainData=70&x=true&y=true&xSquared=true&ySquared=false&"
            "xTimesY=false&sinX=false&sinY=true&problem=classification");
}

TEST(PlaygroundLink, RegressionDatasetsAreItsRegressionProblems) {
  Settings s = with(with(playable(), "data.dataset", "multi_gauss"), "data.points", "1200");
  s = with(with(s, "model.loss", "auto"), "model.hidden", "none");
  s = with(with(s, "train.regularization", "none"), "train.regularization_rate", "");
  const PlaygroundLink link = playground_link(s);
  ASSERT_TRUE(link.ok()) << link.reason;
  EXPECT_NE(link.url.find("&regDataset=reg-gauss&"), std::string::npos) << link.url;
  EXPECT_NE(link.url.find("&networkShape=&"), std::string::npos) << link.url;
  EXPECT_NE(link.url.find("regularization=none&"), std::string::npos) << link.url;
  EXPECT_NE(link.url.find("regularizationRate=0&"), std::string::npos) << link.url;
  EXPECT_TRUE(link.url.ends_with("&problem=regression")) << link.url;
  EXPECT_EQ(link.url.find("dataset=multi"), std::string::npos) << link.url;
}

TEST(PlaygroundLink, MissingSettingsAreNnsweepsDefaults) {
  const PlaygroundLink link = playground_link({{"model.loss", "mse"}});
  ASSERT_TRUE(link.ok()) << link.reason;
  EXPECT_EQ(link.url,
            "https://playground.tensorflow.org/#activation=tanh&regularization=none&batchSize=10&"
            "dataset=circle&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&"
            "percTrainData=50&x=true&y=true&xSquared=false&ySquared=false&xTimesY=false&"
            "sinX=false&sinY=false&problem=classification");
}

// Each refusal names the setting that Playground cannot express.
TEST(PlaygroundLink, RefusesWhatPlaygroundCannotExpressAndSaysWhy) {
  const std::vector<std::pair<Settings, std::string>> cases = {
      {with(playable(), "data.dataset", "csv"), "CSV"},
      {with(playable(), "data.noise", "0.6"), "data.noise"},
      {with(playable(), "data.train_fraction", "0.95"), "data.train_fraction"},
      {with(playable(), "model.hidden", "4-4-4-4-4-4-4"), "at most 6 hidden layers"},
      {with(playable(), "model.hidden", "16"), "at most 8 neurons"},
      {with(playable(), "model.activation", "elu"), "no elu activation"},
      {with(playable(), "train.optimizer", "adam"), "train.optimizer"},
      {with(playable(), "train.batch_size", "64"), "train.batch_size"},
      {with(playable(), "train.learning_rate", "fast"), "train.learning_rate=fast"},
      {with(playable(), "data.features", "x1 x3"), "data.features"},
      {with(playable(), "model.dropout", "0.5"), "model.dropout"},
  };
  for (const auto& [settings, says] : cases) {
    const PlaygroundLink link = playground_link(settings);
    EXPECT_FALSE(link.ok()) << says;
    EXPECT_TRUE(link.url.empty());
    EXPECT_NE(link.reason.find(says), std::string::npos) << link.reason;
  }
}

// What Playground does its own way is said beside the link, not a reason to give none.
TEST(PlaygroundLink, SaysWhatPlaygroundDoesItsOwnWay) {
  EXPECT_TRUE(playground_link(playable()).differences.empty());
  const std::vector<std::pair<Settings, std::string>> cases = {
      {with(playable(), "data.points", "800"), "data.points"},
      {with(playable(), "data.validation_fraction", "0.2"), "data.validation_fraction"},
      {with(playable(), "model.loss", "cross_entropy"), "model.loss"},
      {with(playable(), "model.loss", "auto"), "model.loss"},
  };
  for (const auto& [settings, says] : cases) {
    const PlaygroundLink link = playground_link(settings);
    ASSERT_TRUE(link.ok()) << link.reason;
    ASSERT_EQ(link.differences.size(), 1u) << says;
    EXPECT_NE(link.differences.front().find(says), std::string::npos) << says;
  }
}

}  // namespace
}  // namespace results
