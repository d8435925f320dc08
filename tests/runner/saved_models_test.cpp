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
  EXPECT_EQ(a.trial_id, trial.id);
  EXPECT_EQ(a.trial_index, 1u);
  EXPECT_EQ(a.sweep, "saved");
  EXPECT_EQ(a.seed, trial.seed);
  EXPECT_EQ(a.hidden, std::vector<int>{3});
  EXPECT_FALSE(a.parameters.empty());
  EXPECT_EQ(a.parameters, b.parameters);
}

TEST_F(SavedModels, ASavedModelIsReadBackNotTrainedAgain) {
  const sweeps::Trial trial = sweep_.trial(0);
  fs::create_directories(dir_ / "models");
  const results::ModelFile first = trial_model(dir_, sweep_, trial, /*save=*/true);
  ASSERT_TRUE(fs::exists(model_path(dir_, trial.id)));
  // Tamper with the file: what comes back is the file's, so it was read, not retrained.
  results::ModelFile edited = first;
  edited.parameters.assign(first.parameters.size(), 0.25);
  results::replace_file(dir_, model_name(trial.id), results::format_model(edited));
  const results::ModelFile again = trial_model(dir_, sweep_, trial, /*save=*/false);
  EXPECT_EQ(again.parameters, edited.parameters);
}

TEST_F(SavedModels, WithoutSaveNothingIsWritten) {
  const sweeps::Trial trial = sweep_.trial(2);
  const results::ModelFile model = trial_model(dir_, sweep_, trial, /*save=*/false);
  EXPECT_EQ(model.trial_id, trial.id);
  EXPECT_FALSE(fs::exists(model_path(dir_, trial.id)));
}

TEST_F(SavedModels, TheParametersATrainingKeptAreUsedAsTheyAre) {
  const sweeps::Trial trial = sweep_.trial(3);
  const std::size_t size = train_model(sweep_, trial).parameters.size();
  const TrainedModel trained{.outcome = results::Outcome::stalled,
                             .parameters = std::make_shared<const std::vector<double>>(size, 0.5)};
  const results::ModelFile model = trial_model(dir_, sweep_, trial, /*save=*/false, &trained);
  EXPECT_EQ(model.parameters, std::vector<double>(size, 0.5));
  EXPECT_EQ(model.status, "stalled");
}

TEST_F(SavedModels, SaveModelWritesTheGivenParameters) {
  const sweeps::Trial trial = sweep_.trial(0);
  const std::size_t size = train_model(sweep_, trial).parameters.size();
  fs::create_directories(dir_ / "models");
  save_model(dir_, sweep_, trial, nn::make_dataset(trial.config.data, trial.data_seed),
             results::Outcome::learned, std::vector<double>(size, -1.0));
  const results::ModelFile back =
      results::parse_model(read(model_path(dir_, trial.id)), "model.yaml");
  EXPECT_EQ(back.parameters, std::vector<double>(size, -1.0));
  EXPECT_EQ(back.status, "learned");
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
