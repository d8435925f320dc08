#include "results/rejudge.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "nn/input_error.h"
#include "results/curves.h"
#include "results/trial_record.h"

namespace results {
namespace {

// Two trials: "a" falls from ln 2 to 0.1 over 20 epochs (learned under the defaults); "b" errs.
struct Files {
  std::string trials, curves;
};

Files run_files(int every = 1, bool drop_curve_of_a = false) {
  const double ln2 = 0.6931471805599453;
  std::vector<nn::EpochMetrics> curve;
  for (int e = 0; e <= 20; ++e)
    curve.push_back({e, ln2 - (ln2 - 0.1) * (1 - 1.0 / (1 + e)), nn::kNotApplicable, 0.2});
  nn::TrainResult result = nn::summarize(curve, nn::ConvergenceConfig{}, false, ln2);
  const Params params = {{"train.learning_rate", "0.1"}};
  Files f;
  f.trials = format_trials_header(std::vector<std::string>{"train.learning_rate"}) +
             format_trial_row(make_record(0, "a", 0, 7, params, result, 0.5)) +
             format_trial_row(make_error_record(1, "b", 0, 8, params, "no data", 0.1));
  f.curves = format_curves_header();
  if (!drop_curve_of_a) append_curve_rows(f.curves, "a", curve, every);
  return f;
}

RejudgeCount judge(const Files& f, const nn::ConvergenceConfig& rules, std::string& out) {
  std::istringstream trials(f.trials), curves(f.curves);
  std::ostringstream written;
  const RejudgeCount count = rejudge(
      trials, "trials.csv", curves, "curves.csv", rules, [](const Params&) { return false; },
      written);
  out = written.str();
  return count;
}

TEST(Rejudge, TheSameRulesGiveTheSameFileByteForByte) {
  const Files f = run_files();
  std::string out;
  const RejudgeCount count = judge(f, nn::ConvergenceConfig{}, out);
  EXPECT_EQ(count.rows, 2u);
  EXPECT_EQ(count.changed, 0u);
  EXPECT_EQ(out, f.trials);
}

TEST(Rejudge, OtherRulesChangeTheOutcomeReasonAndTargetButNotTheErrorRow) {
  const Files f = run_files();
  nn::ConvergenceConfig strict;
  strict.learned_below = 0.01;
  strict.target = 0.01;
  std::string out;
  const RejudgeCount count = judge(f, strict, out);
  EXPECT_EQ(count.changed, 1u);
  EXPECT_EQ(out.find(",learned,"), std::string::npos) << out;
  EXPECT_NE(out.find("no data"), std::string::npos);  // the error row as it was
  std::istringstream back(out);
  std::vector<TrialRecord> rows;
  read_trials(back, "out", [&](TrialRecord&& r) { rows.push_back(std::move(r)); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].epochs_to_target.has_value());
  EXPECT_EQ(rows[1].outcome, Outcome::error);
}

TEST(Rejudge, ACurveWithoutEveryEpochOrNoCurveIsRefused) {
  std::string out;
  try {
    judge(run_files(2), nn::ConvergenceConfig{}, out);
    FAIL() << "a curve of every other epoch was judged";
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.file(), "curves.csv");
    EXPECT_NE(std::string(e.what()).find("needs them all"), std::string::npos) << e.what();
  }
  try {
    judge(run_files(1, true), nn::ConvergenceConfig{}, out);
    FAIL() << "a trial without its curve was judged";
  } catch (const nn::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("trial a has no curve"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace results
