// The `halving:` key: its reading, its ladder of rungs, which configurations enter a bracket,
// and every bad input refused at its position.
#include "sweeps/halving.h"

#include <gtest/gtest.h>

#include "sweep_test_util.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

const std::string kBase =
    "data: {dataset: circle, points: 100, validation_fraction: 0.2}\n"
    "train: {epochs: 200}\n"
    "grid: {train.learning_rate: [0.01, 0.1, 1]}\n";

TEST(Halving, IsReadWithItsDefaultsAndIsPartOfTheSpecHash) {
  const Sweep with = parse(kBase + "halving: {metric: val_loss, min_epochs: 25}\n");
  ASSERT_TRUE(with.halving());
  EXPECT_EQ(with.halving()->metric, "val_loss");
  EXPECT_EQ(with.halving()->min_epochs, 25);
  EXPECT_EQ(with.halving()->eta, 3);
  EXPECT_EQ(with.halving()->brackets, 1);
  EXPECT_TRUE(with.halving()->minimise());
  const Sweep without = parse(kBase);
  EXPECT_FALSE(without.halving());
  EXPECT_NE(with.hash(), without.hash());
  // The resolved spec reads back as the same sweep.
  EXPECT_EQ(parse(with.canonical_yaml()).hash(), with.hash());
  // Without the key the canonical text has no trace of it, so older hashes stand.
  EXPECT_EQ(without.canonical_yaml().find("halving"), std::string::npos);
}

TEST(Halving, ScoresRiseAndLossesFall) {
  EXPECT_FALSE(
      parse(kBase + "halving: {metric: val_accuracy, min_epochs: 5}\n").halving()->minimise());
  EXPECT_FALSE(parse(kBase + "halving: {metric: train_macro_f1, min_epochs: 5}\n")
                   .halving()
                   ->needs_validation());
}

TEST(Halving, TheLadderMultipliesByEtaAndEndsAtTheBudget) {
  Halving h;
  h.min_epochs = 25, h.eta = 3;
  EXPECT_EQ(h.ladder(200), (std::vector<int>{25, 75, 200}));
  EXPECT_EQ(h.ladder(225), (std::vector<int>{25, 75, 225}));
  EXPECT_EQ(h.ladder(25), (std::vector<int>{25}));
  EXPECT_EQ(h.rungs(1, 200), (std::vector<int>{75, 200}));
  EXPECT_EQ(h.keep(144), 48u);
  EXPECT_EQ(h.keep(10), 4u);
  EXPECT_EQ(h.entering(144, 2), 16u);
}

TEST(Halving, ABracketTakesAFixedSpreadOfConfigurations) {
  Halving h;
  h.eta = 3;
  EXPECT_EQ(h.members(5, 0, 42), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  const auto one = h.members(90, 1, 42);
  EXPECT_EQ(one.size(), 30u);
  EXPECT_EQ(one, h.members(90, 1, 42));  // the same every time
  EXPECT_TRUE(std::is_sorted(one.begin(), one.end()));
  EXPECT_NE(one.back(), 29u);  // not the first 30: spread over the grid
  EXPECT_NE(one, h.members(90, 1, 43));
}

TEST(Halving, BadInputIsRefusedAtItsPosition) {
  EXPECT_EQ(error_of(kBase + "halving: {metric: val_los, min_epochs: 25}\n"),
            "s.yaml:4:19: error: unknown halving.metric 'val_los' (did you mean 'val_loss'?); "
            "valid: val_loss, train_loss, val_accuracy, train_accuracy, val_balanced_accuracy, "
            "train_balanced_accuracy, val_macro_f1, train_macro_f1");
  EXPECT_EQ(error_of(kBase + "halving: {metric: test_loss, min_epochs: 25}\n"),
            "s.yaml:4:19: error: halving.metric 'test_loss': choosing by a test metric leaks the "
            "test set into the search; rank by loss on the validation split (val_loss)");
  EXPECT_EQ(error_of(kBase + "halving: {metric: val_loss, min_epochs: 25, eta: 1}\n"),
            "s.yaml:4:50: error: halving.eta must be a whole number from 2 to 1000000, got '1'");
  EXPECT_EQ(error_of(kBase + "halving: {metric: val_loss, min_epochs: 300}\n"),
            "s.yaml:4:41: error: halving.min_epochs 300 is above train.epochs 200: the first "
            "rung cannot train longer than the budget");
  EXPECT_EQ(error_of("data: {dataset: circle, points: 100}\ntrain: {epochs: 200}\n"
                     "halving: {metric: val_accuracy, min_epochs: 25}\n"),
            "s.yaml:3:19: error: halving.metric val_accuracy needs a validation split: set "
            "data.validation_fraction above 0 (or data.split.method: kfold), or rank by "
            "train_accuracy");
  EXPECT_EQ(error_of(kBase + "halving: {metric: val_loss, min_epochs: 100, brackets: 3}\n"),
            "s.yaml:4:56: error: halving.brackets 3 is more than the 2 rungs from min_epochs 100 "
            "to train.epochs 200 (eta 3): bracket b starts at rung b");
  EXPECT_EQ(error_of(kBase + "halving: {metric: val_loss}\n"),
            "s.yaml:4:10: error: halving needs 'min_epochs', the epochs every configuration "
            "trains first");
  EXPECT_EQ(
      error_of(kBase + "halving: {metric: val_loss, min_epochs: 5, speed: 2}\n").substr(0, 30),
      "s.yaml:4:44: error: unknown ke");
}

TEST(Halving, RefusesTheBudgetAsAnAxisWhereverItVaries) {
  const std::string head =
      "data: {dataset: circle, points: 100, validation_fraction: 0.2}\n"
      "halving: {metric: val_loss, min_epochs: 5}\n";
  const std::string why =
      ") in a sweep with halving: halving chooses each configuration's epochs, up to "
      "train.epochs; set it once under 'train:'";
  EXPECT_EQ(error_of(head + "grid: {train.epochs: [10, 20]}\n"),
            "s.yaml:3:8: error: train.epochs cannot vary (a grid axis" + why);
  EXPECT_EQ(error_of(head + "include: [{train.epochs: 30}]\n"),
            "s.yaml:3:26: error: train.epochs cannot vary (set by include" + why);
  EXPECT_EQ(error_of(head + "random: {samples: 2, params: {train.epochs: {int_uniform: [10, "
                            "20]}}}\n"),
            "s.yaml:3:31: error: train.epochs cannot vary (drawn at random" + why);
}

TEST(Halving, AValidationMetricNeedsASplitInEveryConfiguration) {
  EXPECT_EQ(error_of("data: {dataset: circle, points: 100}\n"
                     "grid: {data.validation_fraction: [0.2, 0]}\n"
                     "halving: {metric: val_loss, min_epochs: 5}\n")
                .substr(0, 27),
            "s.yaml:3:19: error: halving");
  EXPECT_EQ(error_of("data: {dataset: circle, points: 100, split: {method: kfold, folds: 3}}\n"
                     "halving: {metric: val_loss, min_epochs: 5}\n"),
            "no error");
}

}  // namespace
}  // namespace sweeps
