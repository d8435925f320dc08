// The runner in-process: what run_trials hands its sink, and the choice of the best trials.
#include "runner/sweep_runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "nn/train.h"
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

// A trial's row is that of its training alone, whichever trials shared its group (here two
// activations and three budgets interleaved, and more trials of one shape than one pass of nn
// trains at once) and however many threads ran them.
TEST(RunTrials, GivesEachTrialTheRowOfItsTrainingAlone) {
  const sweeps::Sweep sweep = sweeps::parse_sweep(R"(name: alone
seed: 3
data: { dataset: xor, points: 60 }
model: { hidden: [4] }
grid:
  model.activation: [tanh, relu]
  train.learning_rate: [0.01, 0.03, 0.1, 0.3, 1, 3]
  train.epochs: [2, 5, 7]
)",
                                                  "alone.yaml", ".");
  for (int threads : {1, 2}) {
    RunOptions options;
    options.threads = threads;
    std::vector<results::TrialRecord> rows;
    const RunStats stats = run_trials(sweep, options, [&](std::span<FinishedTrial> done) {
      for (FinishedTrial& f : done) rows.push_back(f.record);
    });
    EXPECT_EQ(stats.trainings, 12u);
    ASSERT_EQ(rows.size(), sweep.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const sweeps::Trial t = sweep.trial(i);
      const nn::Dataset data = nn::make_dataset(t.config.data, t.data_seed);
      results::TrialRecord alone =
          results::make_record(t.index, t.id, t.repeat, t.seed, rows[i].params,
                               nn::train(t.config, data, t.seed), rows[i].wall_seconds);
      EXPECT_EQ(rows[i], alone) << "trial " << i << ", " << threads << " threads";
    }
  }
}

TEST(EpochSiblings, RunsEndAtMultiplesOfTheBudgetValuesTimesRepeats) {
  const sweeps::Sweep sweep =
      sweeps::parse_sweep(std::string(kSweep) + "repeats: 2\n", "handover.yaml", ".");
  ASSERT_EQ(sweep.sibling_run(), 6u);
  EXPECT_EQ(EpochSiblings::run_end(sweep, 0), 6u);
  EXPECT_EQ(EpochSiblings::run_end(sweep, 5), 6u);
  EXPECT_EQ(EpochSiblings::run_end(sweep, 6), 12u);
  // Every run holds one set of siblings, and only it.
  for (std::uint64_t start = 0; start < sweep.size(); start += 6)
    for (std::uint64_t i = start; i < start + 6; ++i)
      for (std::uint64_t j = 0; j < sweep.size(); ++j) {
        EpochSiblings siblings{{sweep.trial(i)}};
        const bool same_run = j >= start && j < start + 6;
        const bool same_repeat = sweep.trial(j).repeat == sweep.trial(i).repeat;
        EXPECT_EQ(siblings.includes(sweep.trial(j)), same_run && same_repeat) << i << " " << j;
      }
}

TEST(EpochSiblings, TheLongestIsTheSiblingWithTheLargestBudget) {
  const sweeps::Sweep sweep = sweeps::parse_sweep(kSweep, "handover.yaml", ".");
  const EpochSiblings siblings{{sweep.trial(1), sweep.trial(2), sweep.trial(0)}};
  EXPECT_EQ(siblings.longest().index, 2u);
  EXPECT_EQ(siblings.longest().config.train.epochs, 15);
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
