// random.method sobol: scrambled Sobol points, stratified, reproducible from the seed, and the
// spread figures `plan` shows.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "sweep_test_util.h"
#include "sweeps/random_search.h"
#include "sweeps/spread.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

std::vector<std::vector<double>> points(std::size_t dimensions, std::uint64_t seed,
                                        std::size_t count) {
  ScrambledSobol sobol(dimensions, seed);
  std::vector<std::vector<double>> out(count);
  for (auto& point : out) sobol.next(point);
  return out;
}

TEST(ScrambledSobol, EachOfTwoToTheKSlicesOfEveryDimensionHoldsOnePoint) {
  for (std::size_t k = 0; k <= 12; ++k) {
    const std::size_t n = std::size_t{1} << k;
    const auto p = points(6, 42, n);
    for (std::size_t d = 0; d < 6; ++d) {
      std::vector<int> hits(n, 0);
      for (const auto& point : p) {
        ASSERT_GT(point[d], 0);
        ASSERT_LT(point[d], 1);
        ++hits[static_cast<std::size_t>(point[d] * static_cast<double>(n))];
      }
      EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), static_cast<long>(n))
          << "k " << k << ", dimension " << d;
    }
  }
}

TEST(ScrambledSobol, TheFirstTwoDimensionsFillEverySquareCell) {
  // 4^j points put one point in each of the 2^j x 2^j cells (the two form a (0, m, 2)-net).
  for (std::size_t j = 1; j <= 5; ++j) {
    const std::size_t side = std::size_t{1} << j;
    std::set<std::size_t> cells;
    for (const auto& point : points(3, 7, side * side))
      cells.insert(static_cast<std::size_t>(point[0] * side) * side +
                   static_cast<std::size_t>(point[1] * side));
    EXPECT_EQ(cells.size(), side * side);
  }
}

TEST(ScrambledSobol, IsFixedBySeedAndDiffersBetweenSeeds) {
  EXPECT_EQ(points(3, 42, 100), points(3, 42, 100));
  const auto a = points(3, 42, 100), b = points(3, 43, 100);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], b[i]);
  // The scramble moves the sequence's first point away from the corner.
  EXPECT_GT(a[0][0], 0.0);
  EXPECT_NE(a[0][0], a[0][1]);
}

const char* kSobol =
    "seed: 5\n"
    "random:\n"
    "  method: sobol\n"
    "  samples: 64\n"
    "  params:\n"
    "    data.noise: {uniform: [0, 1]}\n"
    "    train.learning_rate: {log_uniform: [1e-4, 1]}\n";

TEST(SobolSearch, FillsEverySliceOfEachRange) {
  const Sweep s = parse(kSobol);
  ASSERT_EQ(s.size(), 64u);
  std::set<int> noise, rate;
  for (std::uint64_t i = 0; i < s.size(); ++i) {
    const nn::TrialConfig c = s.trial(i).config;
    noise.insert(static_cast<int>(std::floor(c.data.noise * 64)));
    rate.insert(static_cast<int>(std::floor((std::log10(c.train.learning_rate) + 4) / 4 * 64)));
  }
  EXPECT_EQ(noise.size(), 64u);
  EXPECT_EQ(rate.size(), 64u);
  const Sweep::RandomSpread spread = s.random_spread();
  EXPECT_EQ(spread.method, "sobol");
  ASSERT_EQ(spread.params.size(), 2u);
  EXPECT_EQ(spread.params[0].spread.filled, 1.0);
  ASSERT_TRUE(spread.params[0].pseudo);
  EXPECT_LT(spread.params[0].pseudo->filled, 0.9);  // independent draws: about 1 - 1/e
  EXPECT_LT(spread.params[0].spread.discrepancy, spread.params[0].pseudo->discrepancy);
  ASSERT_TRUE(spread.joint_pseudo);
  EXPECT_LT(spread.joint, *spread.joint_pseudo);
}

TEST(SobolSearch, IsFixedBySeedAndDiffersBetweenSeeds) {
  std::string other = kSobol;
  other.replace(other.find("seed: 5"), 7, "seed: 6");
  EXPECT_EQ(parse(kSobol).trial(3).id, parse(kSobol).trial(3).id);
  EXPECT_NE(parse(kSobol).trial(3).id, parse(other).trial(3).id);
}

TEST(SobolSearch, DiffersFromPseudoWhichStaysTheDefault) {
  std::string pseudo = kSobol, plain = kSobol;
  pseudo.replace(pseudo.find("sobol"), 5, "pseudo");
  plain.erase(plain.find("  method: sobol\n"), 16);
  // Naming the default changes nothing, not even the spec's hash.
  EXPECT_EQ(parse(pseudo).hash(), parse(plain).hash());
  EXPECT_EQ(parse(pseudo).trial(0).id, parse(plain).trial(0).id);
  EXPECT_EQ(parse(plain).canonical_yaml().find("method: pseudo"), std::string::npos);
  EXPECT_NE(parse(kSobol).canonical_yaml().find("method: sobol"), std::string::npos);
  EXPECT_NE(parse(kSobol).trial(0).id, parse(plain).trial(0).id);
}

TEST(SobolSearch, KeepsSamplesDistinctWithFewValues) {
  const Sweep s = parse(
      "random:\n  method: sobol\n  samples: 12\n  params:\n"
      "    train.batch_size: {int_uniform: [1, 4]}\n"
      "    model.activation: {choice: [relu, tanh, sigmoid]}\n");
  std::set<std::string> seen;
  for (std::uint64_t i = 0; i < s.size(); ++i) seen.insert(s.trial(i).id);
  EXPECT_EQ(seen.size(), 12u);
}

TEST(SobolSearch, AnUnknownMethodIsRefusedAtItsPosition) {
  std::string bad = kSobol;
  bad.replace(bad.find("sobol"), 5, "sobl");
  EXPECT_EQ(error_of(bad),
            "s.yaml:3:11: error: unknown random.method 'sobl' (did you mean 'sobol'?); valid: "
            "pseudo, sobol");
  bad.replace(bad.find("sobl"), 4, "[sobol]");
  EXPECT_EQ(error_of(bad).substr(0, 21), "s.yaml:3:11: error: r");
}

TEST(Spread, CountsSlicesAndTheLargestGap) {
  const Spread s = spread_of({0.1, 0.6, std::nan("")}, 0);
  EXPECT_EQ(s.bins, 2u);
  EXPECT_EQ(s.filled, 1.0);
  EXPECT_DOUBLE_EQ(s.discrepancy, 0.4);  // below 0.1 none of the samples, at 0.6 half ...
  const Spread few = spread_of({0.125, 0.125, 0.375, 0.125}, 4);  // 4 values, 4 samples
  EXPECT_EQ(few.bins, 4u);
  EXPECT_EQ(few.filled, 0.5);
  // One point at the centre of [0, 1]: the centred L2 discrepancy is sqrt(1/12).
  EXPECT_NEAR(centred_l2_discrepancy({{0.5}}, 10), std::sqrt(1.0 / 12), 1e-12);
}

}  // namespace
}  // namespace sweeps
