#include "results/curve_bands.h"

#include <gtest/gtest.h>

#include <cmath>

namespace results {
namespace {

CurvePoint point(const std::string& id, int epoch, double train, double test) {
  CurvePoint p;
  p.trial_id = id;
  p.metrics.epoch = epoch;
  p.metrics.train_loss = train;
  p.metrics.test_loss = test;
  return p;
}

TEST(CurveBands, MedianMinAndMaxOverALinesTrials) {
  CurveBands bands(1, 1, 2);
  for (const char* id : {"a", "b", "c"}) bands.add_trial(id, 0, 0, std::nullopt);
  const double losses[3][3] = {{1, 0.5, 0.25}, {2, 1, 0.5}, {4, 3, 2}};
  int t = 0;
  for (const char* id : {"a", "b", "c"}) {
    for (int e = 0; e <= 2; ++e) bands.add(point(id, e, losses[t][e], 10 * losses[t][e]));
    ++t;
  }
  const auto panels = bands.panels({"p"}, {"l"});
  ASSERT_EQ(panels.size(), 1u);
  const CurveLine& line = panels[0].lines[0];
  ASSERT_EQ(line.train.size(), 3u);
  EXPECT_EQ(line.train[1].epoch, 1);
  EXPECT_EQ(line.train[1].median, 1);
  EXPECT_EQ(line.train[1].low, 0.5);
  EXPECT_EQ(line.train[1].high, 3);
  EXPECT_EQ(line.test[2].median, 5);
  EXPECT_FALSE(line.cut);
}

TEST(CurveBands, LineStopsWhereMostOfItsTrialsDiverged) {
  CurveBands bands(1, 1, 10);
  bands.add_trial("a", 0, 0, 3);
  bands.add_trial("b", 0, 0, std::nullopt);
  for (int e = 0; e <= 3; ++e) bands.add(point("a", e, 1 + e, 1 + e));
  for (int e = 0; e <= 10; ++e) bands.add(point("b", e, 1, 1));
  const CurveLine line = bands.panels({"p"}, {"l"})[0].lines[0];
  EXPECT_TRUE(line.cut);
  ASSERT_EQ(line.train.size(), 4u);
  EXPECT_EQ(line.train.back().epoch, 3);
  EXPECT_EQ(line.diverged, 1u);
}

TEST(CurveBands, SamplesAtMostMaxPointsEpochs) {
  CurveBands bands(1, 1, 10000);
  bands.add_trial("a", 0, 0, std::nullopt);
  for (int e = 0; e <= 10000; ++e) bands.add(point("a", e, 1, 1));
  const CurveLine line = bands.panels({"p"}, {"l"})[0].lines[0];
  EXPECT_LE(line.train.size(), static_cast<std::size_t>(CurveBands::kMaxPoints) + 1);
  EXPECT_EQ(line.train.back().epoch, 10000);
}

TEST(CurveBands, NonFiniteLossesAndUnknownTrialsAreSkipped) {
  CurveBands bands(1, 1, 1);
  bands.add_trial("a", 0, 0, std::nullopt);
  bands.add(point("a", 0, 1, 1));
  bands.add(point("a", 1, INFINITY, std::nan("")));
  bands.add(point("zz", 1, 5, 5));
  const CurveLine line = bands.panels({"p"}, {"l"})[0].lines[0];
  ASSERT_EQ(line.train.size(), 1u);
  EXPECT_EQ(line.train[0].median, 1);
}

TEST(CurveBands, MemoryIsBoundedBySampleSizeNotTrials) {
  CurveBands bands(1, 1, 0);
  for (int t = 0; t < 5000; ++t) {
    const std::string id = std::to_string(t);
    bands.add_trial(id, 0, 0, std::nullopt);
    bands.add(point(id, 0, t, t));
  }
  const CurveLine line = bands.panels({"p"}, {"l"})[0].lines[0];
  EXPECT_EQ(line.train[0].low, 0);
  EXPECT_EQ(line.train[0].high, 4999);
  EXPECT_NEAR(line.train[0].median, 2500, 1000);  // a sample's median
}

}  // namespace
}  // namespace results
