// How numbers are written for people.
#include "results/metric_text.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace results {
namespace {

TEST(MetricText, LossesKeepFourSignificantDigits) {
  EXPECT_EQ(loss_text(0.0123456), "0.01235");
  EXPECT_EQ(loss_text(1.5), "1.5");
  EXPECT_EQ(loss_text(1.23456e-5), "1.235e-05");
}

TEST(MetricText, AccuraciesKeepThreeDecimals) {
  EXPECT_EQ(accuracy_text(0.97333), "0.973");
  EXPECT_EQ(accuracy_text(0.9), "0.900");
  EXPECT_EQ(accuracy_text(1), "1.000");
}

TEST(MetricText, EpochsKeepAtMostOneDecimal) {
  EXPECT_EQ(epochs_text(120), "120");
  EXPECT_EQ(epochs_text(304.5), "304.5");
  EXPECT_EQ(epochs_text(123.3333), "123.3");
}

TEST(MetricText, AMetricIsWrittenByTheRuleOfItsKind) {
  EXPECT_EQ(metric_text("epochs_to_target", 41.5), "41.5");
  EXPECT_EQ(metric_text("best_epoch", 7), "7");
  EXPECT_EQ(metric_text("final_test_accuracy", 0.91111), "0.911");
  EXPECT_EQ(metric_text("final_test_loss", 0.123456), "0.1235");
}

TEST(MetricText, PercentagesAreNeverZeroOrAHundredUnlessExactlySo) {
  EXPECT_EQ(percent_text(0, 7), "0%");
  EXPECT_EQ(percent_text(1, 1000), "1%");
  EXPECT_EQ(percent_text(999, 1000), "99%");
  EXPECT_EQ(percent_text(3, 3), "100%");
  EXPECT_EQ(percent_text(1, 3), "33%");
}

}  // namespace
}  // namespace results

namespace results {
namespace {

// The chart coordinates' tenths are std::to_chars's, exact value rounded and ties to even: on
// random values, exact ties (k/4, k/8, ...), the neighbours of x.x5 and the signs of zero.
TEST(Tenths, AsStdToCharsWritesThem) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> uniform(-2000, 2000);
  std::vector<double> values = {0.25,
                                0.75,
                                -0.25,
                                0.05,
                                0.15,
                                0.35,
                                2.5,
                                -0.0,
                                0.0,
                                1e-9,
                                -1e-9,
                                0.95,
                                9.95,
                                -0.05,
                                1e13 + 0.05,
                                1e14,
                                -3e15,
                                1e300,
                                -0.049999999999999996};
  for (int i = 0; i < 200000; ++i) {
    const double u = uniform(random);
    const double tie = std::round(u * 10) / 10 + 0.05;
    values.insert(
        values.end(),
        {u, u * 1e-6, tie, std::nextafter(tie, 1e9), std::nextafter(tie, -1e9),
         std::ldexp(static_cast<double>(random() % 1000000), -static_cast<int>(random() % 12))});
  }
  for (const double v : values) {
    char expected[400], got[400];
    char* e = std::to_chars(expected, expected + 400, v, std::chars_format::fixed, 1).ptr;
    char* g = write_tenths(got, got + 400, v);
    ASSERT_EQ(std::string_view(got, static_cast<std::size_t>(g - got)),
              std::string_view(expected, static_cast<std::size_t>(e - expected)))
        << std::hexfloat << v;
  }
}

}  // namespace
}  // namespace results
