#include "results/summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <sstream>

namespace results {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::string> kKeys = {"train.learning_rate", "model.activation"};

TrialRecord trial(std::uint64_t index, std::string lr, std::string activation, std::string outcome,
                  std::optional<int> epochs, double final_train_loss) {
  TrialRecord r;
  r.index = index;
  r.id = std::to_string(index);
  r.params = {{kKeys[0], std::move(lr)}, {kKeys[1], std::move(activation)}};
  r.outcome = *parse_outcome(outcome);
  r.epochs_to_target = epochs;
  r.epochs_run = 100;
  r.final.train_loss = final_train_loss;
  r.wall_seconds = 0.5;
  return r;
}

std::size_t column(const Summary& summary, const std::string& name) {
  const auto header = summary.header();
  return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

std::vector<std::vector<std::string>> csv_rows(const Summary& summary) {
  std::ostringstream out;
  summary.write_csv(out);
  std::istringstream in(out.str());
  CsvReader reader(in, "summary.csv");
  CsvRecord record;
  std::vector<std::vector<std::string>> rows;
  while (reader.next(record)) {
    rows.emplace_back();
    for (const auto& field : record.fields) rows.back().push_back(field.text);
  }
  return rows;
}

TEST(RunningStats, MatchesTheTwoPassFormulas) {
  RunningStats stats;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) stats.add(x);
  EXPECT_EQ(stats.n, 8u);
  EXPECT_DOUBLE_EQ(stats.mean, 5.0);
  EXPECT_DOUBLE_EQ(stats.sample_std(), std::sqrt(32.0 / 7.0));
  EXPECT_EQ(stats.min, 2.0);
  EXPECT_EQ(stats.max, 9.0);
}

TEST(RunningStats, StdNeedsTwoValues) {
  RunningStats stats;
  stats.add(3);
  EXPECT_TRUE(std::isnan(stats.sample_std()));
}

RunningStats stats_of(std::initializer_list<double> values) {
  RunningStats stats;
  for (double x : values) stats.add(x);
  return stats;
}

// Reference values from scipy.stats (t.ppf, ttest_ind with equal_var=False).
TEST(MeanInterval, IsStudentsTIntervalOfTheMean) {
  const Interval ci = mean_interval(stats_of({1, 2, 3, 4, 5}));
  EXPECT_NEAR(ci.low, 1.036756838522439, 1e-12);
  EXPECT_NEAR(ci.high, 4.9632431614775605, 1e-12);
  EXPECT_TRUE(std::isnan(mean_interval(stats_of({3})).low));  // one repeat: no interval
  const Interval flat = mean_interval(stats_of({2, 2, 2}));
  EXPECT_EQ(flat.low, 2);
  EXPECT_EQ(flat.high, 2);
}

TEST(WelchPValue, MatchesScipy) {
  EXPECT_NEAR(welch_p_value(stats_of({1, 2, 3, 4, 5}), stats_of({2, 4, 6, 8, 10})),
              0.10753119493062718, 1e-12);
  EXPECT_NEAR(welch_p_value(stats_of({2, 4, 6, 8, 10}), stats_of({1, 2, 3, 4, 5})),
              0.10753119493062718, 1e-12);
  EXPECT_TRUE(std::isnan(welch_p_value(stats_of({1}), stats_of({2, 3}))));
  EXPECT_EQ(welch_p_value(stats_of({1, 1}), stats_of({1, 1})), 1.0);
  EXPECT_EQ(welch_p_value(stats_of({1, 1}), stats_of({2, 2})), 0.0);
}

TEST(Summary, WritesTheConfidenceIntervalOfEachMean) {
  Summary summary(kKeys);
  summary.add(trial(0, "0.1", "tanh", "learned", 10, 0.1));
  summary.add(trial(1, "0.1", "tanh", "learned", 20, 0.2));
  summary.add(trial(2, "1", "relu", "learned", 20, 0.2));
  const auto rows = csv_rows(summary);
  // Two values 10 and 20: mean 15, standard error 5, t(0.975, 1) = 12.706204736432095; the
  // low end, 15 - 63.5, is clipped to 0: no epoch count is negative.
  EXPECT_EQ(rows[1][column(summary, "epochs_to_target_ci95_low")], "0");
  EXPECT_NEAR(std::stod(rows[1][column(summary, "epochs_to_target_ci95_high")]),
              15 + 5 * 12.706204736432095, 1e-8);
  EXPECT_EQ(rows[2][column(summary, "epochs_to_target_ci95_low")], "");  // one repeat
}

TEST(MetricInterval, StaysWhereTheMetricCanBe) {
  const RunningStats losses = stats_of({0.001, 0.1});
  EXPECT_LT(mean_interval(losses).low, 0);
  EXPECT_EQ(metric_interval("best_val_loss", losses).low, 0);
  EXPECT_EQ(metric_interval("best_val_loss", losses).high, mean_interval(losses).high);
  const RunningStats accuracies = stats_of({0.9, 1});
  EXPECT_EQ(metric_interval("final_test_accuracy", accuracies).high, 1);
}

TEST(Summary, GroupsRepeatsOfOneConfiguration) {
  Summary summary(kKeys);
  summary.add(trial(0, "0.1", "tanh", "learned", 10, 0.1));
  summary.add(trial(1, "0.1", "tanh", "learned", 20, 0.2));
  summary.add(trial(2, "0.1", "tanh", "diverged", std::nullopt, kInf));
  summary.add(trial(3, "0.1", "tanh", "still_learning", std::nullopt, 0.3));
  summary.add(trial(4, "1", "relu", "error", std::nullopt, kNaN));

  const auto rows = csv_rows(summary);
  ASSERT_EQ(rows.size(), 3u);
  const auto& row = rows[1];
  EXPECT_EQ(row[0], "0.1");
  EXPECT_EQ(row[1], "tanh");
  EXPECT_EQ(row[column(summary, "n")], "4");
  EXPECT_EQ(row[column(summary, "learned")], "2");
  EXPECT_EQ(row[column(summary, "diverged")], "1");
  EXPECT_EQ(row[column(summary, "still_learning")], "1");
  EXPECT_EQ(row[column(summary, "error")], "0");
  EXPECT_EQ(row[column(summary, "success_rate")], "0.5");
  // epochs_to_target over the repeats that reached the target only.
  EXPECT_EQ(row[column(summary, "epochs_to_target_n")], "2");
  EXPECT_EQ(row[column(summary, "epochs_to_target_mean")], "15");
  EXPECT_EQ(row[column(summary, "epochs_to_target_min")], "10");
  EXPECT_EQ(row[column(summary, "epochs_to_target_max")], "20");
  // The infinite loss is skipped and shows in n.
  EXPECT_EQ(row[column(summary, "final_train_loss_n")], "3");
  EXPECT_EQ(row[column(summary, "final_train_loss_max")], "0.3");
  EXPECT_EQ(rows[2][column(summary, "error")], "1");
}

TEST(Summary, EmptyStatisticsAreEmptyCells) {
  Summary summary(kKeys);
  summary.add(trial(0, "0.1", "tanh", "still_learning", std::nullopt, 0.3));
  const auto rows = csv_rows(summary);
  EXPECT_EQ(rows[1][column(summary, "epochs_to_target_n")], "0");
  EXPECT_EQ(rows[1][column(summary, "epochs_to_target_mean")], "");
  EXPECT_EQ(rows[1][column(summary, "final_train_loss_std")], "");  // n < 2
  EXPECT_EQ(rows[1][column(summary, "final_train_loss_mean")], "0.3");
}

TEST(Summary, RowsFollowTheFirstTrialOfEachConfiguration) {
  Summary summary(kKeys);
  summary.add(trial(5, "1", "relu", "learned", 1, 0.1));
  summary.add(trial(2, "0.1", "tanh", "learned", 1, 0.1));
  summary.add(trial(9, "0.01", "tanh", "learned", 1, 0.1));
  summary.add(trial(0, "1", "relu", "learned", 1, 0.1));
  const auto rows = csv_rows(summary);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_EQ(rows[2][0], "0.1");
  EXPECT_EQ(rows[3][0], "0.01");
}

TEST(Summary, HeaderNamesEveryStatistic) {
  Summary summary(kKeys);
  const auto header = summary.header();
  EXPECT_EQ(header[0], "train.learning_rate");
  EXPECT_EQ(header[2], "n");
  EXPECT_EQ(header.size(), kKeys.size() + 1 + kOutcomes + 1 + 7 * std::size(kSummaryMetrics));
  EXPECT_NE(std::find(header.begin(), header.end(), "final_test_accuracy_mean"), header.end());
}

}  // namespace
}  // namespace results
