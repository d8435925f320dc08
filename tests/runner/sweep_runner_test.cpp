// The runner in-process: what run_trials hands its sink.
#include "runner/sweep_runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "nn/csv_values.h"
#include "nn/train.h"
#include "runner/saved_models.h"
#include "scratch_dir.h"
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

// A run that uses each CSV parse up with its last dataset gives the same rows, keeps each own
// trial's dataset with its parameters (the models made at the end need no parse), and leaves no
// parse kept; the same run sharing its parses keeps them.
class UsedUpParses : public testing_support::ScratchDir {};

TEST_F(UsedUpParses, ChangeNoRowAndKeepTheDatasets) {
  const std::filesystem::path& dir = dir_;
  {
    std::ofstream csv(dir / "d.csv");
    csv << "a,b,y\n";
    for (int i = 0; i < 400; ++i)
      csv << (i % 17) * 0.1 << "," << (i % 5) - 2 << "," << (i % 17 > 8) << "\n";
  }
  const sweeps::Sweep sweep = sweeps::parse_sweep(R"(name: used
seed: 3
data: { dataset: csv, path: d.csv, target: y }
model: { hidden: [4] }
train: { epochs: 6 }
grid:
  data.validation_fraction: [0.2, 0.3]
  train.learning_rate: [0.05, 0.5]
)",
                                                  (dir / "used.yaml").string(), dir);
  const nn::CsvValuesKept keep;
  std::map<bool, std::map<std::uint64_t, FinishedTrial>> runs;
  for (const bool release : {false, true}) {
    RunOptions options;
    options.threads = 2;
    options.release_csv = release;
    run_trials(sweep, options, [&](std::span<FinishedTrial> pack) {
      for (FinishedTrial& f : pack) runs[release].emplace(f.record.index, std::move(f));
    });
    EXPECT_EQ(nn::holds_csv_values(sweep.trial(0).config.data), !release);
  }
  ASSERT_EQ(runs[true].size(), sweep.size());
  for (auto& [index, used] : runs[true]) {
    const FinishedTrial& shared = runs[false].at(index);
    EXPECT_EQ(used.record.id, shared.record.id);
    EXPECT_EQ(used.curve_rows, shared.curve_rows);
    EXPECT_EQ(*used.parameters, *shared.parameters);
    EXPECT_EQ(shared.data, nullptr);
    ASSERT_NE(used.data, nullptr);
    const sweeps::Trial trial = sweep.trial(index);
    const nn::Dataset made = nn::make_dataset(trial.config.data, trial.data_seed);
    EXPECT_TRUE(used.data->train.x.cwiseEqual(made.train.x).all());
    // The model of an earlier epoch, made from the kept dataset, is that of the file's.
    const results::TrainedModel kept{used.record.outcome, used.parameters, nullptr, used.data};
    const ModelRequest request{.epoch = 3, .epochs_run = 6, .trained = &kept};
    const ModelRequest from_file{.epoch = 3, .epochs_run = 6};
    EXPECT_EQ(trial_model(dir, sweep, trial, request).model.parameters,
              trial_model(dir, sweep, trial, from_file).model.parameters);
  }
}

// Every trial of a built-in dataset keeps its parameters at epoch 0, 10% and 50% of its budget,
// the weights a training of exactly that many epochs ends with, siblings included.
TEST(RunTrials, KeepsEachTrialsEarlyWeightsForTheReport) {
  const sweeps::Sweep sweep = sweeps::parse_sweep(kSweep, "handover.yaml", ".");
  std::map<std::uint64_t, FinishedTrial> finished;
  RunOptions options;
  run_trials(sweep, options, [&](std::span<FinishedTrial> pack) {
    for (FinishedTrial& f : pack) finished.emplace(f.record.index, std::move(f));
  });
  for (auto& [index, f] : finished) {
    const sweeps::Trial trial = sweep.trial(index);
    ASSERT_NE(f.snapshots, nullptr) << index;
    std::vector<int> epochs;
    for (const auto& [epoch, parameters] : *f.snapshots) {
      epochs.push_back(epoch);
      sweeps::Trial shorter = trial;
      shorter.config.train.epochs = epoch;
      if (epoch > 0) {
        EXPECT_EQ(parameters, train_model(sweep, shorter).parameters) << index;
      }
    }
    const int e = trial.config.train.epochs;
    std::vector<int> expected{0, e / 10, e / 2};
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    EXPECT_EQ(epochs, expected) << index;
  }
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

}  // namespace
}  // namespace runner
