#include "nn/dataset.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nn {
namespace {

class GeneratorTest : public ::testing::TestWithParam<DatasetKind> {};

TEST_P(GeneratorTest, SameSeedSameDataBitForBit) {
  DataConfig c;
  c.dataset = GetParam();
  c.noise = 0.2;
  const Dataset a = make_dataset(c, 5), b = make_dataset(c, 5), other = make_dataset(c, 6);
  EXPECT_EQ(a.train.x, b.train.x);
  EXPECT_EQ(a.test.y, b.test.y);
  EXPECT_NE(a.train.x, other.train.x);
}

TEST_P(GeneratorTest, CountsRangesAndSplits) {
  DataConfig c;
  c.dataset = GetParam();
  c.points = 400;
  c.train_fraction = 0.7;
  c.validation_fraction = 0.25;
  const Dataset d = make_dataset(c, 1);
  EXPECT_EQ(d.train.size() + d.validation.size() + d.test.size(), 400);
  EXPECT_EQ(d.train.size() + d.validation.size(), 280);  // floor(400 * 0.7)
  EXPECT_EQ(d.validation.size(), 70);                    // floor(280 * 0.25)
  EXPECT_EQ(d.inputs(), 2);
  EXPECT_EQ(d.outputs(), 1);
  const Points p = generate_points(c.dataset, 400, 0.0, 1);
  const double bound =
      is_regression(c.dataset) ? 6.0 : (c.dataset == DatasetKind::gauss ? 1e9 : 5.3);
  EXPECT_LE(p.xy.cwiseAbs().maxCoeff(), bound);
  if (is_regression(c.dataset)) {
    EXPECT_EQ(d.task, Task::regression);
    EXPECT_LE(p.target.cwiseAbs().maxCoeff(), 1.2 + 1e-12);
  } else {
    EXPECT_EQ(d.task, Task::binary);
    // Balanced labels at noise 0 (xor: the quadrants by chance, so loosely).
    const double positives = p.target.sum();
    EXPECT_NEAR(positives, 200, c.dataset == DatasetKind::xor_ ? 40 : 1) << to_string(c.dataset);
    EXPECT_TRUE((p.target.array() == 0.0 || p.target.array() == 1.0).all());
  }
}

INSTANTIATE_TEST_SUITE_P(Builtin, GeneratorTest,
                         ::testing::Values(DatasetKind::circle, DatasetKind::xor_,
                                           DatasetKind::gauss, DatasetKind::spiral,
                                           DatasetKind::plane, DatasetKind::multi_gauss),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Dataset, CircleLabelsFollowTheRadiusAtNoiseZero) {
  const Points p = generate_points(DatasetKind::circle, 300, 0.0, 3);
  for (Eigen::Index j = 0; j < 300; ++j) {
    const double r = p.xy.col(j).norm();
    EXPECT_EQ(p.target(j), r < 2.5 ? 1.0 : 0.0);
    EXPECT_TRUE(r <= 2.5 || (r >= 3.5 && r <= 5.0));
  }
}

TEST(Dataset, XorLabelsAreTheQuadrantsAwayFromTheAxes) {
  const Points p = generate_points(DatasetKind::xor_, 300, 0.0, 3);
  for (Eigen::Index j = 0; j < 300; ++j) {
    EXPECT_GE(std::abs(p.xy(0, j)), 0.3);
    EXPECT_EQ(p.target(j), p.xy(0, j) * p.xy(1, j) >= 0 ? 1.0 : 0.0);
  }
}

TEST(Dataset, PlaneTargetIsTheScaledSum) {
  const Points p = generate_points(DatasetKind::plane, 50, 0.0, 3);
  for (Eigen::Index j = 0; j < 50; ++j)
    EXPECT_DOUBLE_EQ(p.target(j), (p.xy(0, j) + p.xy(1, j)) / 10.0);
}

TEST(Dataset, FeaturesAreComputedFromThePoints) {
  DataConfig c;
  c.features = {Feature::x1_squared, Feature::x1_times_x2, Feature::sin_x2};
  c.train_fraction = 0.99;
  const Dataset d = make_dataset(c, 2);
  ASSERT_EQ(d.inputs(), 3);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x1^2", "x1*x2", "sin(x2)"}));
  EXPECT_GE(d.train.x.row(0).minCoeff(), 0.0);             // a square
  EXPECT_LE(d.train.x.row(2).cwiseAbs().maxCoeff(), 1.0);  // a sine
}

TEST(Dataset, NoiseFlipsCircleLabels) {
  const Points clean = generate_points(DatasetKind::circle, 500, 0.0, 8);
  const Points noisy = generate_points(DatasetKind::circle, 500, 0.5, 8);
  int flipped = 0;
  for (Eigen::Index j = 0; j < 500; ++j) {
    const double r = noisy.xy.col(j).norm();
    flipped += noisy.target(j) != (r < 2.5 ? 1.0 : 0.0);
  }
  EXPECT_GT(flipped, 10);
  EXPECT_EQ(clean.target.size(), 500);
}

}  // namespace
}  // namespace nn
