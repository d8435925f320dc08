// How numbers are written for people.
#include "results/metric_text.h"

#include <gtest/gtest.h>

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
