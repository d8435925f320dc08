#include "nn/predict.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/dataset.h"
#include "nn/train.h"

namespace nn {
namespace {

TEST(Predict, FeaturesOfRawPointsEqualTheDatasetsInputs) {
  DataConfig config;
  config.dataset = DatasetKind::spiral;
  config.points = 60;
  config.features = {Feature::x1,         Feature::x2,          Feature::x1_squared,
                     Feature::x2_squared, Feature::x1_times_x2, Feature::sin_x1,
                     Feature::sin_x2};
  const Dataset data = make_dataset(config, 3);
  config.features = {Feature::x1, Feature::x2};
  const Dataset raw = make_dataset(config, 3);
  const std::vector<Feature> all = {Feature::x1,         Feature::x2,          Feature::x1_squared,
                                    Feature::x2_squared, Feature::x1_times_x2, Feature::sin_x1,
                                    Feature::sin_x2};
  EXPECT_EQ(compute_features(all, raw.train.x), data.train.x);
  EXPECT_EQ(compute_features(all, raw.test.x), data.test.x);
}

TEST(Predict, OutputsFollowTheTask) {
  const Mlp binary(2, {3}, 1, Activation::tanh, 0.01, Task::binary);
  Rng rng(1);
  const Eigen::VectorXd p = binary.initial_parameters(Init::glorot, rng);
  Eigen::MatrixXd x(2, 3);
  x << 1, -2, 0.5, 3, 0, -1;
  const Eigen::MatrixXd z = logits(binary, std::span(p.data(), p.size()), x);
  const Eigen::MatrixXd prob = predict(binary, std::span(p.data(), p.size()), x);
  for (Eigen::Index j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(prob(0, j), 1 / (1 + std::exp(-z(0, j))));

  const Mlp multi(2, {3}, 4, Activation::relu, 0.01, Task::multiclass);
  const Eigen::VectorXd q = multi.initial_parameters(Init::he, rng);
  const Eigen::MatrixXd probs = predict(multi, std::span(q.data(), q.size()), x);
  for (Eigen::Index j = 0; j < 3; ++j) EXPECT_NEAR(probs.col(j).sum(), 1.0, 1e-12);
}

TEST(Predict, ManyInputsGoThroughInBlocks) {
  const Mlp net(2, {4}, 1, Activation::sigmoid, 0.01, Task::regression);
  Rng rng(2);
  const Eigen::VectorXd p = net.initial_parameters(Init::glorot, rng);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(2, 3000);
  const Eigen::MatrixXd all = predict(net, std::span(p.data(), p.size()), x);
  ASSERT_EQ(all.cols(), 3000);
  const Eigen::MatrixXd tail = predict(net, std::span(p.data(), p.size()), x.rightCols(10));
  EXPECT_LT((all.rightCols(10) - tail).cwiseAbs().maxCoeff(), 1e-12);
}

// A 2-2-1 network set by hand: hidden unit 0 is tanh(x1), unit 1 tanh(x2 + 0.5); the output
// 2 h0 - h1 + 0.25. On a 2 x 2 grid of [-1, 1]^2 the cell centres are (+-0.5, +-0.5).
TEST(Predict, NeuronOutputsOfAHandSetNetwork) {
  const Mlp net(2, {2}, 1, Activation::tanh, 0.01, Task::regression);
  const std::vector<double> p = {1, 0, 0, 1, 0, 0.5, 2, -1, 0.25};
  ASSERT_EQ(net.parameter_count(), static_cast<Eigen::Index>(p.size()));
  const NeuronOutputs n = neuron_outputs(net, p, {Feature::x1, Feature::x2}, 2, 1.0);
  EXPECT_EQ(n.resolution, 2);
  ASSERT_EQ(n.layers.size(), 2u);
  ASSERT_EQ(n.layers[0].size(), 2u);
  ASSERT_EQ(n.layers[1].size(), 1u);
  const double x1[] = {-0.5, 0.5, -0.5, 0.5}, x2[] = {0.5, 0.5, -0.5, -0.5};  // top row first
  for (std::size_t k = 0; k < 4; ++k) {
    const double h0 = std::tanh(x1[k]), h1 = std::tanh(x2[k] + 0.5);
    EXPECT_NEAR(n.layers[0][0][k], h0, 1e-12) << k;
    EXPECT_NEAR(n.layers[0][1][k], h1, 1e-12) << k;
    EXPECT_NEAR(n.layers[1][0][k], 2 * h0 - h1 + 0.25, 1e-12) << k;
  }
}

// The inputs are the features of each cell; a binary output is its probability, the bits of
// predict() on the same inputs.
TEST(Predict, NeuronOutputsTakeTheFeaturesAndTheTasksOutput) {
  const Mlp net(2, {1}, 1, Activation::linear, 0.01, Task::binary);
  const std::vector<double> p = {1, 1, 0, 3, -1};  // h = x1*x2 + sin(x2); output 3h - 1
  const NeuronOutputs n = neuron_outputs(net, p, {Feature::x1_times_x2, Feature::sin_x2}, 3, 6.0);
  ASSERT_EQ(n.layers[0][0].size(), 9u);
  const double c[] = {-4, 0, 4};
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) {
      const double a = c[k], b = -c[r];
      const double h = a * b + std::sin(b);
      const std::size_t at = static_cast<std::size_t>(3 * r + k);
      EXPECT_NEAR(n.layers[0][0][at], h, 1e-12);
      EXPECT_NEAR(n.layers[1][0][at], 1 / (1 + std::exp(-(3 * h - 1))), 1e-12);
    }
  Eigen::MatrixXd xy(2, 1);
  xy << 4, -4;
  const Eigen::MatrixXd y =
      predict(net, p, compute_features({Feature::x1_times_x2, Feature::sin_x2}, xy));
  EXPECT_EQ(n.layers[1][0][8], y(0, 0));
}

}  // namespace
}  // namespace nn
