#include "nn/predict.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace nn
