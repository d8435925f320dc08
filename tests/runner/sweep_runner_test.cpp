// The runner in-process: what run_trials hands its sink, and the choice of the best trials.
#include "runner/sweep_runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "runner/best_trials.h"
#include "runner/saved_models.h"
#include "sweeps/spec.h"

namespace runner {
namespace {

// 2 rates x 2 activations x 3 epoch counts: 4 trainings, each serving three trials.
const char* kSweep = R"(name: handover
seed: 5
data: { dataset: circle, points: 80 }
model: { hidden: [5] }
grid:
  train.learning_rate: [0.03, 0.3]
  model.activation: [tanh, relu]
  train.epochs: [4, 9, 15]
)";

TEST(RunTrials, HandsOverTheParametersOfEachTrainingsOwnTrialBitForBit) {
  const sweeps::Sweep sweep = sweeps::parse_sweep(kSweep, "handover.yaml", ".");
  std::map<std::uint64_t, FinishedTrial> finished;
  RunOptions options;
  options.threads = 2;
  std::mutex mutex;
  std::map<std::uint64_t, std::pair<results::Outcome, std::vector<double>>> trained;
  options.trained = [&](const sweeps::Trial& t, const nn::Dataset&, const nn::TrainResult& result,
                        const std::vector<double>& parameters) {
    const std::lock_guard lock(mutex);
    EXPECT_EQ(result.epochs_run, t.config.train.epochs);
    EXPECT_TRUE(trained.emplace(t.index, std::pair(result.verdict.outcome, parameters)).second);
  };
  const RunStats stats = run_trials(sweep, options, [&](std::span<FinishedTrial> pack) {
    for (FinishedTrial& f : pack) finished.emplace(f.record.index, std::move(f));
  });
  EXPECT_EQ(stats.trainings, 4u);
  ASSERT_EQ(finished.size(), sweep.size());
  int handed = 0;
  for (auto& [index, f] : finished) {
    const sweeps::Trial trial = sweep.trial(index);
    // Only the trial the training ran for holds parameters: its siblings stopped earlier.
    EXPECT_EQ(f.parameters != nullptr, trial.config.train.epochs == 15) << index;
    if (!f.parameters) continue;
    ++handed;
    const results::ModelFile alone = train_model(sweep, trial);
    EXPECT_EQ(*f.parameters, alone.parameters) << index;
    // The same parameters went to options.trained, with the trial's status.
    ASSERT_TRUE(trained.contains(index));
    EXPECT_EQ(trained.at(index).first, f.record.outcome);
    EXPECT_EQ(nn::to_string(trained.at(index).first), alone.origin.outcome);
    EXPECT_EQ(alone.origin.epoch, trial.config.train.epochs);
    EXPECT_EQ(trained.at(index).second, *f.parameters);
  }
  EXPECT_EQ(handed, 4);
  EXPECT_EQ(trained.size(), 4u);
}

results::TrialRecord record(std::uint64_t index, const std::string& dataset, double train_loss,
                            double val_loss, std::optional<int> epochs, std::string outcome) {
  results::TrialRecord r;
  r.index = index;
  r.id = fmt::format("t{}", index);
  r.params = {{"data.dataset", dataset}, {"train.learning_rate", "0.1"}};
  r.outcome = *results::parse_outcome(outcome);
  r.best.train_loss = train_loss;
  r.final.test_loss = 0.01 * static_cast<double>(index);  // never chosen on
  r.best.val_loss = val_loss;
  r.epochs_to_target = epochs;
  return r;
}

TEST(BestTrials, LowestLossThenFewestEpochsThenFirstTrialPerDataset) {
  BestTrials best;
  const auto params = std::make_shared<const std::vector<double>>(std::vector<double>{1, 2});
  best.add(record(0, "circle", 0.5, NAN, 10, "learned"));
  best.add(record(1, "circle", 0.2, NAN, std::nullopt, "still_learning"), params);
  best.add(record(2, "circle", 0.2, NAN, 30, "learned"));
  best.add(record(3, "circle", 0.2, NAN, 30, "learned"));
  best.add(record(4, "xor", NAN, NAN, std::nullopt, "diverged"));
  best.add(record(5, "spiral", 0.1, NAN, 3, "error"));
  const auto b = best.best();
  ASSERT_EQ(b.size(), 2u);  // error rows are not candidates
  EXPECT_EQ(b[0].dataset, "circle");
  ASSERT_NE(b[0].candidate, nullptr);
  EXPECT_EQ(b[0].candidate->id, "t2");
  EXPECT_EQ(b[1].dataset, "xor");
  EXPECT_EQ(b[1].candidate, nullptr);  // no finite loss: nothing to draw
  EXPECT_TRUE(best.models().empty());  // t1 held parameters, but it is not the best
  best.add(record(6, "circle", 0.1, NAN, 50, "learned"), params);
  ASSERT_EQ(best.models().size(), 1u);
  EXPECT_EQ(best.models().at("t6").outcome, results::Outcome::learned);
  EXPECT_EQ(*best.models().at("t6").parameters, *params);
}

TEST(BestTrials, ValidationLossDecidesOnceAnyTrialHasOne) {
  BestTrials best;
  best.add(record(0, "circle", 0.1, NAN, 10, "learned"));
  best.add(record(1, "circle", 0.3, 0.2, 10, "learned"));
  ASSERT_NE(best.best()[0].candidate, nullptr);
  EXPECT_EQ(best.best()[0].candidate->id, "t1");
}

}  // namespace
}  // namespace runner
