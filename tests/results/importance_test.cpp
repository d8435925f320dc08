// importance.csv's table: which trials enter, which columns are axes, how sampled settings are
// binned, and what is refused.
#include "results/importance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace results {
namespace {

const std::vector<std::string> kKeys = {"train.learning_rate", "model.activation", "train.epochs"};

TrialRecord record(std::uint64_t index, std::string rate, std::string activation, int repeat,
                   double val_loss, double train_loss, Outcome outcome = Outcome::learned) {
  TrialRecord r;
  r.index = index;
  r.repeat = repeat;
  r.params = {{"train.learning_rate", std::move(rate)},
              {"model.activation", std::move(activation)},
              {"train.epochs", "10"}};
  r.best.val_loss = val_loss;
  r.best.train_loss = train_loss;
  r.outcome = outcome;
  return r;
}

const AnovaTerm& term(const ImportanceTable& t, const std::string& name) {
  for (const AnovaTerm& term : t.anova.terms)
    if (term.name == name) return term;
  throw std::out_of_range(name);
}

TEST(Importance, AnalysesTheSettingsThatVaryWithTheRepeatAsABlock) {
  Importance importance(kKeys, {});
  std::uint64_t i = 0;
  for (int repeat = 0; repeat < 2; ++repeat)
    for (const char* rate : {"0.01", "0.1", "1"})
      for (const char* act : {"tanh", "relu"})
        importance.add(record(i++, rate, act, repeat,
                              std::string(rate) == "1" ? 0.9 : 0.1 + 0.01 * repeat, 0.5));
  const ImportanceTable t = importance.table();
  EXPECT_EQ(t.metric, "best_val_loss");  // the ranking's, with a validation split
  EXPECT_EQ(t.estimator, "exact");
  ASSERT_EQ(t.axes.size(), 2u);  // train.epochs does not vary
  EXPECT_EQ(t.anova.used, 12u);
  EXPECT_GT(term(t, "train.learning_rate").share, 0.9);
  EXPECT_EQ(term(t, "repeat").df, 1);
  EXPECT_EQ(t.trials.size(), 12u);
  const std::string csv = importance_csv(t);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "metric,estimator,term,kind,df,sum_sq,mean_sq,f,p_value,share,trials_used,"
            "left_out_non_finite,left_out_pruned,left_out_error");
  EXPECT_NE(csv.find("best_val_loss,exact,repeat,block,1,"), std::string::npos);
  EXPECT_NE(importance_text(t).find("train.learning_rate"), std::string::npos);
}

TEST(Importance, FallsBackToTheTrainingLossAndLeavesOutErrorsAndNonFiniteValues) {
  Importance importance(kKeys, {});
  importance.add(record(0, "0.1", "tanh", 0, NAN, 0.2));
  importance.add(record(1, "1", "tanh", 0, NAN, INFINITY, Outcome::diverged));
  importance.add(record(2, "3", "tanh", 0, NAN, 0.9, Outcome::error));
  importance.add(record(3, "0.1", "relu", 0, NAN, 0.3));
  const ImportanceTable t = importance.table();
  EXPECT_EQ(t.metric, "best_train_loss");
  EXPECT_EQ(t.errors, 1u);
  EXPECT_EQ(t.anova.non_finite, 1u);
  EXPECT_EQ(t.anova.used, 2u);
}

TEST(Importance, CutsSampledSettingsIntoQuintiles) {
  ColumnRoles roles{
      .is_sampled = [](std::string_view key) { return key == "train.learning_rate"; }};
  Importance importance(kKeys, roles);
  for (int i = 0; i < 40; ++i)
    importance.add(record(static_cast<std::uint64_t>(i), std::to_string(0.001 * (i + 1)),
                          i % 2 ? "tanh" : "relu", 0, 0.01 * i, 0.5));
  const ImportanceTable t = importance.table();
  EXPECT_EQ(t.estimator, "quantile_bins");
  ASSERT_EQ(t.binned, std::vector<std::string>{"train.learning_rate"});
  EXPECT_EQ(term(t, "train.learning_rate").df, 4);  // five bins
  EXPECT_TRUE(t.axes[0].sampled);
}

TEST(Importance, WithoutTheSweepManyNumericValuesCountAsSampled) {
  Importance importance(kKeys, {});
  for (int i = 0; i < 30; ++i)
    importance.add(record(static_cast<std::uint64_t>(i), std::to_string(0.01 * (i + 1)), "tanh", 0,
                          0.01 * i, 0.5));
  EXPECT_EQ(importance.table().estimator, "quantile_bins");
}

TEST(Importance, RefusesAnUnknownMetricAndASweepWithNothingVarying) {
  try {
    Importance bad(kKeys, {}, "accuracy");
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("final_test_accuracy"), std::string::npos) << e.what();
  }
  Importance one(kKeys, {}, "final_test_loss");
  one.add(record(0, "0.1", "tanh", 0, 0.1, 0.1));
  EXPECT_THROW(one.table(true), std::invalid_argument);
  EXPECT_FALSE(one.table().has_axes());
}

}  // namespace
}  // namespace results
