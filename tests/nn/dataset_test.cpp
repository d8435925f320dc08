#include "nn/dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <span>

#include "nn/random.h"

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

// Splits: stratified holdout and k-fold cross-validation.

// n samples of `classes` classes, class c taking counts[c] of them, as one-hot (or 0/1)
// targets; x holds each sample's index so a split can be traced back.
struct Labelled {
  Eigen::MatrixXd x, y;
};
Labelled labelled(const std::vector<int>& counts) {
  const int n = std::accumulate(counts.begin(), counts.end(), 0);
  const bool binary = counts.size() == 2;
  Labelled d{Eigen::MatrixXd(1, n),
             Eigen::MatrixXd::Zero(binary ? 1 : static_cast<Eigen::Index>(counts.size()), n)};
  int j = 0;
  for (std::size_t c = 0; c < counts.size(); ++c)
    for (int k = 0; k < counts[c]; ++k, ++j) {
      d.x(0, j) = j;
      if (binary)
        d.y(0, j) = static_cast<double>(c);
      else
        d.y(static_cast<Eigen::Index>(c), j) = 1.0;
    }
  return d;
}

std::vector<Eigen::Index> class_counts(const Split& s) {
  std::vector<Eigen::Index> counts(static_cast<std::size_t>(std::max<Eigen::Index>(s.y.rows(), 2)));
  for (Eigen::Index j = 0; j < s.size(); ++j) {
    Eigen::Index k = 0;
    if (s.y.rows() == 1)
      k = s.y(0, j) > 0.5 ? 1 : 0;
    else
      s.y.col(j).maxCoeff(&k);
    ++counts[static_cast<std::size_t>(k)];
  }
  return counts;
}

std::set<int> samples_of(const Split& s) {
  std::set<int> out;
  for (Eigen::Index j = 0; j < s.size(); ++j) out.insert(static_cast<int>(s.x(0, j)));
  return out;
}

Dataset split(const Labelled& d, Task task, const DataConfig& config, std::uint64_t seed = 7) {
  Rng rng(seed);
  return split_dataset(d.x, d.y, task, config, rng);
}

// Made from x's own room, the splits are the same bits, whatever the cut; x holds more than one
// block of columns and whole pages of them, so blocks given back too early would read as zeros.
TEST(Split, UsingUpTheInputsGivesTheSameSplits) {
  const std::vector<int> counts = {9000, 2500, 700};
  Labelled d = labelled(counts);
  d.x.conservativeResize(20, Eigen::NoChange);
  for (Eigen::Index r = 1; r < 20; ++r)
    for (Eigen::Index j = 0; j < d.x.cols(); ++j) d.x(r, j) = std::sin(0.37 * r + 0.01 * j);
  std::vector<DataConfig> configs(4);
  configs[0].train_fraction = 0.7, configs[0].validation_fraction = 0.2;
  configs[1].split = SplitMethod::kfold, configs[1].folds = 5, configs[1].fold = 3;
  configs[2].stratify = Stratify::no;
  configs[3].train_fraction = 1.0, configs[3].validation_fraction = 0;
  for (const Task task : {Task::multiclass, Task::regression})
    for (const DataConfig& config : configs) {
      const Dataset shared = split(d, task, config);
      Eigen::MatrixXd room = d.x;
      Rng rng(7);
      const Dataset used = split_dataset_consuming(
          Eigen::Map<Eigen::MatrixXd>(room.data(), room.rows(), room.cols()), d.y, task, config,
          rng);
      EXPECT_EQ(used.class_counts, shared.class_counts);
      for (const auto& [a, b] :
           {std::pair(&shared.train, &used.train), std::pair(&shared.validation, &used.validation),
            std::pair(&shared.test, &used.test)}) {
        ASSERT_EQ(a->x.cols(), b->x.cols());
        EXPECT_TRUE(a->x.cwiseEqual(b->x).all());
        EXPECT_TRUE(a->y.cwiseEqual(b->y).all());
      }
    }
}

TEST(Split, StratifiedHoldoutKeepsEveryClassShareWithinOneSample) {
  const std::vector<int> counts = {90, 7, 3};  // a rare class of 3 must still reach training
  const Labelled d = labelled(counts);
  DataConfig config;
  config.train_fraction = 0.7, config.validation_fraction = 0.2;
  const Dataset s = split(d, Task::multiclass, config);
  const SplitSizes sizes = split_sizes(100, 0.7, 0.2);
  ASSERT_EQ(s.train.size(), sizes.train);
  ASSERT_EQ(s.validation.size(), sizes.validation);
  ASSERT_EQ(s.test.size(), sizes.test);
  const auto test = class_counts(s.test), train = class_counts(s.train),
             val = class_counts(s.validation);
  for (std::size_t c = 0; c < counts.size(); ++c) {
    EXPECT_LE(std::abs(test[c] - counts[c] * 0.3), 1.0) << c;
    const double part = static_cast<double>(train[c] + val[c]);
    EXPECT_LE(std::abs(val[c] - part * 0.2), 1.0) << c;
    EXPECT_EQ(train[c] + val[c] + test[c], counts[c]);
  }
  EXPECT_GE(train[2], 1);
}

TEST(Split, UnstratifiedHoldoutIsTheShuffleCutInThree) {
  // stratify false gives the split nnsweep made before stratification: the shuffled order cut
  // into validation, training and test.
  const Labelled d = labelled({60, 40});
  DataConfig config;
  config.stratify = Stratify::no;
  config.validation_fraction = 0.2;
  const Dataset s = split(d, Task::binary, config);
  std::vector<Eigen::Index> order(100);
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  Rng rng(7);
  shuffle(std::span(order), rng);
  for (Eigen::Index j = 0; j < s.validation.size(); ++j)
    EXPECT_EQ(s.validation.x(0, j), order[static_cast<std::size_t>(j)]);
  for (Eigen::Index j = 0; j < s.train.size(); ++j)
    EXPECT_EQ(s.train.x(0, j), order[static_cast<std::size_t>(j + s.validation.size())]);
}

TEST(Split, RegressionIsNotStratifiedByDefault) {
  const Labelled d = labelled({50, 50});
  DataConfig automatic, never;
  never.stratify = Stratify::no;
  const Dataset a = split(d, Task::regression, automatic), b = split(d, Task::regression, never);
  EXPECT_EQ(a.train.x, b.train.x);
  EXPECT_EQ(a.test.x, b.test.x);
  EXPECT_FALSE(stratifies(automatic, Task::regression));
  EXPECT_TRUE(stratifies(automatic, Task::binary));
}

TEST(Split, KFoldValidatesEachSampleOnceAndKeepsTheTestShareApart) {
  const Labelled d = labelled({40, 25, 18});
  DataConfig config;
  config.split = SplitMethod::kfold;
  config.folds = 5;
  config.train_fraction = 0.8;
  std::set<int> validated, test;
  Eigen::Index largest = 0, smallest = 1000;
  for (int f = 0; f < 5; ++f) {
    config.fold = f;
    const Dataset s = split(d, Task::multiclass, config);
    const std::set<int> val = samples_of(s.validation), train = samples_of(s.train);
    for (int j : val) EXPECT_TRUE(validated.insert(j).second) << "validated twice: " << j;
    for (int j : val) EXPECT_FALSE(train.count(j)) << j;
    if (f == 0) test = samples_of(s.test);
    EXPECT_EQ(samples_of(s.test), test) << "the test share is the same for every fold";
    EXPECT_EQ(s.train.size() + s.validation.size() + s.test.size(), 83);
    EXPECT_EQ(s.validation.size(), split_sizes(83, config).validation);
    largest = std::max(largest, s.validation.size());
    smallest = std::min(smallest, s.validation.size());
    const auto per_class = class_counts(s.validation);
    // Each class: its count in the cross-validated part over 5, rounded either way.
    EXPECT_GE(per_class[2], 2);
    EXPECT_LE(per_class[2], 3);
  }
  EXPECT_EQ(validated.size(), 83u - test.size());
  EXPECT_LE(largest - smallest, 1);
}

TEST(Split, FoldsAreTheSameForEveryFoldOfOneSeedAndMoveWithTheSeed) {
  const Labelled d = labelled({30, 30});
  DataConfig config;
  config.split = SplitMethod::kfold;
  config.folds = 3;
  const Dataset a = split(d, Task::binary, config, 1), b = split(d, Task::binary, config, 1),
                c = split(d, Task::binary, config, 2);
  EXPECT_EQ(a.validation.x, b.validation.x);
  EXPECT_NE(a.validation.x, c.validation.x);
}

TEST(Split, ApportionRoundsEachShareOneWayOrTheOther) {
  EXPECT_EQ(apportion({90, 7, 3}, 70), (std::vector<Eigen::Index>{63, 5, 2}));
  EXPECT_EQ(apportion({1, 1, 1}, 2), (std::vector<Eigen::Index>{1, 1, 0}));
  const std::vector<Eigen::Index> shares = apportion({13, 29, 58}, 37);
  EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), Eigen::Index{0}), 37);
  const double exact[] = {13 * 0.37, 29 * 0.37, 58 * 0.37};
  for (std::size_t c = 0; c < 3; ++c) EXPECT_LT(std::abs(shares[c] - exact[c]), 1.0);
}

}  // namespace
}  // namespace nn
