// The best trial of each data configuration, by the selection loss (never test data).
#include "results/best_trials.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

namespace results {
namespace {

const ColumnRoles kColumnRoles{
    .is_data = [](std::string_view key) { return key.starts_with("data."); },
    .dataset = "data.dataset"};

TrialRecord record(std::uint64_t index, const std::string& dataset, double train_loss,
                   double val_loss, std::optional<int> epochs, std::string outcome) {
  TrialRecord r;
  r.index = index;
  r.id = fmt::format("t{}", index);
  r.params = {{"data.dataset", dataset}, {"train.learning_rate", "0.1"}};
  r.outcome = *parse_outcome(outcome);
  r.best.train_loss = train_loss;
  r.final.test_loss = 0.01 * static_cast<double>(index);  // never chosen on
  r.best.val_loss = val_loss;
  r.epochs_to_target = epochs;
  return r;
}

TEST(BestTrials, LowestLossThenFewestEpochsThenFirstTrialPerDataset) {
  BestTrials best(kColumnRoles);
  const auto params = std::make_shared<const std::vector<double>>(std::vector<double>{1, 2});
  best.add(record(0, "circle", 0.5, NAN, 10, "learned"));
  best.add(record(1, "circle", 0.2, NAN, std::nullopt, "still_learning"), {params});
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
  best.add(record(6, "circle", 0.1, NAN, 50, "learned"), {params});
  ASSERT_EQ(best.models().size(), 1u);
  EXPECT_EQ(best.models().at("t6").outcome, Outcome::learned);
  EXPECT_EQ(*best.models().at("t6").parameters, *params);
}

TEST(BestTrials, ValidationLossDecidesOnceAnyTrialHasOne) {
  BestTrials best(kColumnRoles);
  best.add(record(0, "circle", 0.1, NAN, 10, "learned"));
  best.add(record(1, "circle", 0.3, 0.2, 10, "learned"));
  ASSERT_NE(best.best()[0].candidate, nullptr);
  EXPECT_EQ(best.best()[0].candidate->id, "t1");
}

TEST(BestTrials, WithoutColumnRolesEveryTrialIsOneGroup) {
  BestTrials best({});
  best.add(record(0, "circle", 0.5, NAN, 10, "learned"));
  best.add(record(1, "xor", 0.2, NAN, 10, "learned"));
  ASSERT_EQ(best.best().size(), 1u);
  EXPECT_EQ(best.best()[0].candidate->id, "t1");
  EXPECT_EQ(best.best()[0].dataset, "");
}

}  // namespace
}  // namespace results
