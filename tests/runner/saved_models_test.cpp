// Saved models: models/<trial_id>.yaml, made from a training's parameters, read back when
// saved, trained again otherwise.
#include "runner/saved_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "results/atomic_file.h"
#include "results/model_file.h"
#include "scratch_dir.h"
#include "sweeps/spec.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

// 2 activations x 2 repeats: four small, quick trials.
const char* kSweep = R"(name: saved
seed: 3
data: { dataset: xor, points: 40 }
model: { hidden: [3] }
train: { epochs: 5 }
repeats: 2
grid:
  model.activation: [tanh, relu]
)";

class SavedModels : public testing_support::ScratchDir {
 protected:
  const sweeps::Sweep sweep_ = sweeps::parse_sweep(kSweep, "saved.yaml", ".");
};

TEST_F(SavedModels, TheSaveModelsOptionIsNoneBestOrAll) {
  EXPECT_EQ(parse_save_models("none"), SaveModels::none);
  EXPECT_EQ(parse_save_models("best"), SaveModels::best);
  EXPECT_EQ(parse_save_models("all"), SaveModels::all);
  for (const char* text : {"", "All", "some", "all "})
    EXPECT_FALSE(parse_save_models(text).has_value()) << text;
}

TEST_F(SavedModels, AModelIsModelsSlashItsTrialIdDotYaml) {
  EXPECT_EQ(model_name("0123456789abcdef"), "models/0123456789abcdef.yaml");
  EXPECT_EQ(model_path("out", "0123456789abcdef"), fs::path("out/models/0123456789abcdef.yaml"));
}

TEST_F(SavedModels, ATrainedModelNamesItsTrialAndTrainingIsDeterministic) {
  const sweeps::Trial trial = sweep_.trial(1);
  const results::ModelFile a = train_model(sweep_, trial), b = train_model(sweep_, trial);
  EXPECT_EQ(a.origin.trial_id, trial.id);
  EXPECT_EQ(a.origin.trial_index, 1u);
  EXPECT_EQ(a.origin.sweep, "saved");
  EXPECT_EQ(a.origin.seed, trial.seed);
  EXPECT_EQ(a.origin.epoch, 5);
  EXPECT_EQ(a.origin.from, results::WeightsFrom::last_epoch);
  EXPECT_EQ(a.hidden, std::vector<int>{3});
  EXPECT_FALSE(a.parameters.empty());
  EXPECT_EQ(a.parameters, b.parameters);
}

TEST_F(SavedModels, ASavedModelOfTheAskedEpochIsReadBackNotTrainedAgain) {
  const sweeps::Trial trial = sweep_.trial(0);
  const ModelRequest request{.epoch = 3, .epochs_run = 5, .save = true};
  const TrialModel first = trial_model(dir_, sweep_, trial, request);
  EXPECT_EQ(first.source, ModelSource::trained_again);
  ASSERT_TRUE(fs::exists(model_path(dir_, trial.id)));
  // Tamper with the file: what comes back is the file's, so it was read, not retrained.
  results::ModelFile edited = first.model;
  edited.parameters.assign(first.model.parameters.size(), 0.25);
  results::replace_file(dir_, model_name(trial.id), results::format_model(edited));
  const TrialModel again = trial_model(dir_, sweep_, trial, {.epoch = 3, .epochs_run = 5});
  EXPECT_EQ(again.source, ModelSource::saved);
  EXPECT_EQ(again.model.parameters, edited.parameters);
  // A saved model of another epoch is not the one asked for.
  const TrialModel other = trial_model(dir_, sweep_, trial, {.epoch = 4, .epochs_run = 5});
  EXPECT_EQ(other.source, ModelSource::trained_again);
  EXPECT_NE(other.model.parameters, edited.parameters);
}

TEST_F(SavedModels, TheWeightsOfAnEpochAreThoseOfATrainingThatLong) {
  const sweeps::Trial trial = sweep_.trial(1);
  for (int epoch : {0, 2, 5}) {
    sweeps::Trial shorter = trial;
    shorter.config.train.epochs = epoch;
    const TrialModel model = trial_model(
        dir_, sweep_, trial,
        {.epoch = epoch, .epochs_run = 5, .from = results::WeightsFrom::lowest_val_loss});
    EXPECT_EQ(model.model.parameters, train_model(sweep_, shorter).parameters) << epoch;
    EXPECT_EQ(model.model.origin.epoch, epoch);
    EXPECT_EQ(model.model.origin.from, results::WeightsFrom::lowest_val_loss);
    // The trial's own settings, not the shortened ones.
    EXPECT_EQ(model.model.origin.config, train_model(sweep_, trial).origin.config);
  }
}

TEST_F(SavedModels, WithoutSaveNothingIsWritten) {
  const sweeps::Trial trial = sweep_.trial(2);
  const TrialModel made = trial_model(dir_, sweep_, trial, {.epoch = 5, .epochs_run = 5});
  EXPECT_EQ(made.model.origin.trial_id, trial.id);
  EXPECT_FALSE(fs::exists(model_path(dir_, trial.id)));
}

TEST_F(SavedModels, TheParametersATrainingKeptAreUsedWhenTheyAreOfTheAskedEpoch) {
  const sweeps::Trial trial = sweep_.trial(3);
  const std::size_t size = train_model(sweep_, trial).parameters.size();
  const results::TrainedModel trained{
      .outcome = results::Outcome::stalled,
      .parameters = std::make_shared<const std::vector<double>>(size, 0.5)};
  const TrialModel last = trial_model(
      dir_, sweep_, trial,
      {.outcome = results::Outcome::stalled, .epoch = 5, .epochs_run = 5, .trained = &trained});
  EXPECT_EQ(last.source, ModelSource::at_hand);
  EXPECT_EQ(last.model.parameters, std::vector<double>(size, 0.5));
  EXPECT_EQ(last.model.origin.outcome, "stalled");
  const TrialModel earlier =
      trial_model(dir_, sweep_, trial, {.epoch = 4, .epochs_run = 5, .trained = &trained});
  EXPECT_EQ(earlier.source, ModelSource::trained_again);
  EXPECT_NE(earlier.model.parameters, std::vector<double>(size, 0.5));
}

TEST_F(SavedModels, SaveModelWritesTheGivenParameters) {
  const sweeps::Trial trial = sweep_.trial(0);
  const std::size_t size = train_model(sweep_, trial).parameters.size();
  fs::create_directories(dir_ / "models");
  nn::TrainResult result;
  result.verdict.outcome = results::Outcome::learned;
  result.epochs_run = 4;
  save_model(dir_, sweep_, trial, nn::make_dataset(trial.config.data, trial.data_seed), result,
             std::vector<double>(size, -1.0));
  const results::ModelFile back =
      results::parse_model(read(model_path(dir_, trial.id)), "model.yaml");
  EXPECT_EQ(back.parameters, std::vector<double>(size, -1.0));
  EXPECT_EQ(back.origin.outcome, "learned");
  EXPECT_EQ(back.origin.epoch, 4);
  EXPECT_EQ(back.origin.from, results::WeightsFrom::last_epoch);
}

TEST_F(SavedModels, SaveAllWritesEachTrialOfTheRangeOnce) {
  EXPECT_EQ(save_all_models(dir_, sweep_, 1, 3, 2), 2u);
  for (std::uint64_t i = 0; i < sweep_.size(); ++i)
    EXPECT_EQ(fs::exists(model_path(dir_, sweep_.trial(i).id)), i == 1 || i == 2) << i;
  // The models already there are kept; only the missing ones are trained.
  EXPECT_EQ(save_all_models(dir_, sweep_, 0, sweep_.size(), 2), 2u);
  EXPECT_EQ(save_all_models(dir_, sweep_, 0, sweep_.size(), 2), 0u);
  EXPECT_EQ(save_all_models(dir_, sweep_, 3, 3, 2), 0u);
}

}  // namespace
}  // namespace runner
