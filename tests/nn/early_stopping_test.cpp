// train.early_stopping (nn/early_stopping.h): the rule on constructed curves, where a training
// stops, what it keeps, and that packs and the reference agree.
#include "nn/early_stopping.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "nn/outcome.h"
#include "nn/pack.h"
#include "nn/train.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;

// The epoch (index into `losses`, epoch 0 first) after which the rule stops, or nothing.
std::optional<int> stop_epoch(const std::vector<double>& losses, int patience, double min_delta) {
  TrainConfig c;
  c.early_stopping_patience = patience;
  c.early_stopping_min_delta = min_delta;
  EarlyStopping rule(c);
  for (std::size_t e = 0; e < losses.size(); ++e)
    if (rule.stop_after(losses[e])) return static_cast<int>(e);
  return std::nullopt;
}

TEST(EarlyStoppingRule, StopsAfterPatienceEpochsWithoutAStrictlyLowerLoss) {
  // Best 0.9 at epoch 1; an equal loss is no improvement; epochs 2, 3, 4 make three.
  EXPECT_EQ(stop_epoch({1.0, 0.9, 0.9, 0.95, 0.91, 0.5}, 3, 0), 4);
  // Each new low restarts the count.
  EXPECT_EQ(stop_epoch({1.0, 0.9, 0.95, 0.8, 0.85, 0.85, 0.85}, 3, 0), 6);
  EXPECT_EQ(stop_epoch({1.0, 0.9, 0.95, 0.8, 0.85, 0.85}, 3, 0), std::nullopt);
  // Epoch 0 is the first best: a curve that never falls stops at epoch `patience`.
  EXPECT_EQ(stop_epoch({1.0, 1.0, 1.2, 1.1}, 2, 0), 2);
  EXPECT_EQ(stop_epoch({1.0, 0.5}, 1, 0), std::nullopt);
  EXPECT_EQ(stop_epoch({1.0, 0.5, 0.5}, 1, 0), 2);
}

TEST(EarlyStoppingRule, MinDeltaIsTheFallThatCountsAsAnImprovement) {
  // Falls of 0.04 are not more than 0.05: the best stays 1.0 until 0.92 (0.08 below it).
  EXPECT_EQ(stop_epoch({1.0, 0.96, 0.92, 0.9, 0.88}, 2, 0.05), 4);
  EXPECT_EQ(stop_epoch({1.0, 0.96, 0.92, 0.9, 0.88}, 2, 0.0), std::nullopt);
  // Exactly min_delta below is not more than it.
  EXPECT_EQ(stop_epoch({1.0, 0.5, 0.25}, 1, 0.5), 1);
}

TEST(EarlyStoppingRule, OffNeverStopsAndNaNNeverImproves) {
  EXPECT_EQ(stop_epoch({1.0, 1.0, 1.0, 1.0}, 0, 0), std::nullopt);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(stop_epoch({1.0, nan, nan}, 2, 0), 2);
}

// A setting of early stopping on the spiral with a validation split, whose validation loss
// stops improving well before the budget.
TrialConfig stopping_config(int patience, double min_delta = 0) {
  TrialConfig c = config_for(DatasetKind::spiral, {6, 5}, 0.3, 300);
  c.data.points = 200;
  c.data.noise = 0.3;
  c.data.validation_fraction = 0.3;
  c.train.batch_size = 7;
  c.train.early_stopping_patience = patience;
  c.train.early_stopping_min_delta = min_delta;
  return c;
}

// The stop is read off the curve: a training with early stopping is the first epochs of the
// same training without it, to the bit, up to the epoch the rule names on that curve; its
// parameters are that epoch's, and its best parameters those of its best epoch.
TEST(EarlyStopping, StopsWhereTheRuleSaysOnTheUnstoppedCurve) {
  for (const auto& [patience, min_delta] : {std::pair{10, 0.0}, {5, 0.01}, {25, 0.0}}) {
    const TrialConfig c = stopping_config(patience, min_delta);
    const Dataset data = make_dataset(c.data, 9);
    TrialConfig off = c;
    off.train.early_stopping_patience = 0;
    std::vector<int> epochs(static_cast<std::size_t>(off.train.epochs) + 1);
    for (std::size_t e = 0; e < epochs.size(); ++e) epochs[e] = static_cast<int>(e);
    const TrainJob job{&off, 4, {}, epochs};
    const TrainResult full = train_jobs(std::span(&job, 1), data).front();
    std::vector<double> val;
    for (const EpochMetrics& m : full.curve) val.push_back(m.val_loss);
    const std::optional<int> expected = stop_epoch(val, patience, min_delta);
    const std::string what = "patience " + std::to_string(patience);
    ASSERT_TRUE(expected && *expected < off.train.epochs) << what << ": pick a curve that stops";

    const TrainResult stopped = train(c, data, 4);
    EXPECT_EQ(stopped.stopped_epoch, expected) << what;
    EXPECT_EQ(stopped.epochs_run, *expected) << what;
    EXPECT_FALSE(stopped.stopped) << what;  // no observer stopped it
    TrainResult prefix = summarize(std::span(full.curve).first(*expected + 1), c.convergence, true,
                                   full.baseline_loss, false, expected);
    prefix.curve.assign(full.curve.begin(), full.curve.begin() + *expected + 1);
    prefix.parameters = full.snapshots[static_cast<std::size_t>(*expected)].second;
    expect_same_bits(stopped, prefix, what);
    EXPECT_EQ(stopped.best.epoch, prefix.best.epoch) << what;
    EXPECT_EQ(stopped.best_parameters,
              full.snapshots[static_cast<std::size_t>(stopped.best.epoch)].second)
        << what;
    // Asked for exactly the stopping epoch, it ran its budget: not stopped early.
    TrialConfig exact = c;
    exact.train.epochs = *expected;
    EXPECT_EQ(train(exact, data, 4).stopped_epoch, std::nullopt) << what;
  }
}

// Lanes stop on their own: a pack mixing patiences (and none) gives each training its result
// alone, bit for bit, stop and best parameters included; the pack ends when its last lane does.
TEST(EarlyStopping, EachLaneOfAPackStopsAsItWouldAlone) {
  std::vector<TrialConfig> configs = {stopping_config(10), stopping_config(0), stopping_config(3),
                                      stopping_config(10, 0.02)};
  configs[1].train.epochs = 60;
  configs[2].train.learning_rate = 0.1;
  const Dataset data = make_dataset(configs[0].data, 9);
  std::vector<TrainJob> jobs;
  for (std::size_t i = 0; i < configs.size(); ++i) jobs.push_back({&configs[i], 20 + i});
  const std::vector<TrainResult> packed = Pack(jobs, data).run();
  int stops = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const TrainResult alone = train(configs[i], data, jobs[i].seed);
    const std::string what = "job " + std::to_string(i);
    expect_same_bits(packed[i], alone, what);
    EXPECT_EQ(packed[i].stopped_epoch, alone.stopped_epoch) << what;
    EXPECT_EQ(packed[i].best_parameters, alone.best_parameters) << what;
    stops += packed[i].stopped_epoch.has_value();
  }
  EXPECT_EQ(stops, 3);
  EXPECT_TRUE(packed[1].best_parameters.empty());  // kept only with early stopping
}

// The outcome of a stopped curve is read as settled: still_learning's advice of more epochs
// would contradict the stop. A stop on a low plateau is learned, on a high one stalled.
TEST(EarlyStopping, AStoppedCurveIsJudgedAsSettled) {
  const double ln2 = std::log(2.0);
  const auto curve_of = [](const std::vector<double>& losses) {
    std::vector<EpochMetrics> curve;
    for (std::size_t e = 0; e < losses.size(); ++e)
      curve.push_back({.epoch = static_cast<int>(e), .train_loss = losses[e]});
    return curve;
  };
  // Falling steadily until 20 epochs before the end, then flat: the window before the last
  // still falls, so unstopped it reads as still learning (a budget that just ran out).
  std::vector<double> high;
  for (int e = 0; e <= 300; ++e) high.push_back(e < 280 ? 0.69 - 0.0005 * e : 0.69 - 0.14);
  const auto curve = curve_of(high);
  EXPECT_EQ(judge(curve, {}, ln2, false).outcome, Outcome::still_learning);
  const Verdict stopped = judge(curve, {}, ln2, false, false, true);
  EXPECT_EQ(stopped.outcome, Outcome::underfit);
  EXPECT_NE(stopped.reason.find("early stopping ended training at epoch 300"), std::string::npos)
      << stopped.reason;

  std::vector<double> low, flat(60, 0.7);
  for (int e = 0; e <= 300; ++e) low.push_back(e < 280 ? 0.69 - 0.002 * e : 0.69 - 0.56);
  EXPECT_EQ(judge(curve_of(low), {}, ln2, false, false, true).outcome, Outcome::learned);
  EXPECT_EQ(judge(curve_of(flat), {}, ln2, false, false, true).outcome, Outcome::stalled);
}

}  // namespace
}  // namespace nn
