#include "results/convergence_table.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace results {
namespace {

const std::vector<std::string> kKeys = {"train.learning_rate", "model.activation",
                                        "train.batch_size"};

TrialRecord trial(std::string lr, std::string activation, std::string outcome,
                  std::optional<int> epochs = std::nullopt, double test_loss = 0.5) {
  TrialRecord r;
  r.outcome_reason = outcome + " because of " + lr + " " + activation;
  r.params = {{kKeys[0], std::move(lr)}, {kKeys[1], std::move(activation)}, {kKeys[2], "10"}};
  r.outcome = *parse_outcome(outcome);
  r.epochs_to_target = epochs;
  r.final.test_loss = test_loss;
  return r;
}

// lr 0.1 x tanh: 3 of 4 learned, at 10, 20, 40 epochs; lr 1 x tanh: both diverged; lr 0.01 x
// tanh: stalled; lr 0.1 x relu: 1 of 1 learned at 7; lr 0.01 x relu: one diverged, one still
// learning (a tie: the worse shows); lr 1 x relu: missing.
ConvergenceTable lesson_table(PivotSpec spec = {}) {
  ConvergenceTable table(std::move(spec), kKeys);
  table.add(trial("0.1", "tanh", "learned", 10, 0.2));
  table.add(trial("1", "tanh", "diverged"));
  table.add(trial("0.1", "tanh", "learned", 40, 0.4));
  table.add(trial("0.01", "tanh", "stalled"));
  table.add(trial("0.1", "tanh", "learned", 20, 0.3));
  table.add(trial("0.1", "tanh", "still_learning", std::nullopt, 0.9));
  table.add(trial("1", "tanh", "diverged"));
  table.add(trial("0.01", "relu", "still_learning"));
  table.add(trial("0.01", "relu", "diverged"));
  table.add(trial("0.1", "relu", "learned", 7, 0.1));
  return table;
}

TEST(ConvergenceTable, NumericAxesSortNumericallyOthersKeepFirstSeenOrder) {
  const auto table = lesson_table();
  EXPECT_EQ(table.row_values(), (std::vector<std::string>{"0.01", "0.1", "1"}));
  EXPECT_EQ(table.col_values(), (std::vector<std::string>{"tanh", "relu"}));
}

TEST(ConvergenceTable, CellCountsOutcomesAndTheShareLearned) {
  const auto table = lesson_table();
  const auto* cell = table.cell("0.1", "tanh");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->counts[Outcome::learned], 3u);
  EXPECT_EQ(cell->value("success_rate"), 0.75);
  EXPECT_EQ(dominant(cell->counts), Outcome::learned);
  EXPECT_EQ(dominant(table.cell("0.01", "relu")->counts), Outcome::diverged);
  EXPECT_EQ(table.cell("1", "relu"), nullptr);
}

// Successive halving: pruned trials are counted apart. A cell says what its other trials did
// (so the cell of the winner does not read "pruned" because its neighbours were), and reads
// pruned only when every trial in it was.
TEST(ConvergenceTable, PrunedTrialsAreCountedApart) {
  ConvergenceTable table({}, kKeys);
  for (int i = 0; i < 3; ++i) table.add(trial("0.1", "tanh", "pruned"));
  table.add(trial("0.1", "tanh", "learned", 12));
  table.add(trial("1", "tanh", "pruned"));
  table.add(trial("1", "tanh", "pruned"));
  EXPECT_EQ(dominant(table.cell("0.1", "tanh")->counts), Outcome::learned);
  EXPECT_EQ(table.display(table.cell("0.1", "tanh")), "learned 100%, 12 ep +3 pruned");
  EXPECT_EQ(table.display(table.cell("1", "tanh")), "pruned 100%");
  EXPECT_NE(table.markdown().find("counted apart (+N pruned)"), std::string::npos);
  EXPECT_EQ(lesson_table().markdown().find("pruned"), std::string::npos);
}

TEST(ConvergenceTable, MarkdownShowsTheDominantOutcomeItsShareAndEpochsToTarget) {
  EXPECT_EQ(lesson_table().markdown(),
            "| train.learning_rate \\ model.activation | tanh | relu |\n"
            "|---|--:|--:|\n"
            "| 0.01 | stalled 100% | diverged 50% |\n"
            "| 0.1 | learned 75%, 20 ep | learned 100%, 7 ep |\n"
            "| 1 | diverged 100% |  |\n"
            "\n"
            "Cells: the outcome most of the cell's trials had and its share; for learned, the "
            "median epochs_to_target (ep) of the learned trials.\n"
            "\n"
            "Cells that did not learn, and why (the first such trial of each):\n"
            "\n"
            "- train.learning_rate=0.01, model.activation=tanh: **stalled**: stalled because of "
            "0.01 tanh\n"
            "- train.learning_rate=0.01, model.activation=relu: **diverged**: diverged because of "
            "0.01 relu\n"
            "- train.learning_rate=1, model.activation=tanh: **diverged**: diverged because of 1 "
            "tanh\n");
}

TEST(ConvergenceTable, TextIsAligned) {
  const std::string text = lesson_table().text(false);
  EXPECT_EQ(text.substr(0, text.find("Cells:")),
            "train.learning_rate \\ model.activation                tanh                relu\n"
            "0.01                                          stalled 100%        diverged 50%\n"
            "0.1                                     learned 75%, 20 ep  learned 100%, 7 ep\n"
            "1                                            diverged 100%\n");
}

TEST(ConvergenceTable, ColourMarksCellsByOutcome) {
  const std::string text = lesson_table().text(true);
  EXPECT_NE(text.find("\033[32mlearned 75%, 20 ep\033[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\033[31m     diverged 100%\033[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\033[35m      stalled 100%\033[0m"), std::string::npos) << text;
}

TEST(ConvergenceTable, CsvHoldsTheShareLearned) {
  EXPECT_EQ(lesson_table().csv(),
            "train.learning_rate,tanh,relu\n"
            "0.01,0,0\n"
            "0.1,0.75,1\n"
            "1,0,\n");
}

TEST(ConvergenceTable, CellsCsvIsLongForm) {
  EXPECT_EQ(lesson_table().cells_csv(),
            "train.learning_rate,model.activation,n,learned,still_learning,underfit,stalled,"
            "unstable,overfit,diverged,error,pruned,success_rate,epochs_to_target_median\n"
            "0.01,tanh,1,0,0,0,1,0,0,0,0,0,0,\n"
            "0.01,relu,2,0,1,0,0,0,0,1,0,0,0,\n"
            "0.1,tanh,4,3,1,0,0,0,0,0,0,0,0.75,20\n"
            "0.1,relu,1,1,0,0,0,0,0,0,0,0,1,7\n"
            "1,tanh,2,0,0,0,0,0,0,2,0,0,0,\n");
}

TEST(ConvergenceTable, MetricCellsShowTheMeanItsIntervalAndTheShareLearned) {
  const auto table = lesson_table({"train.learning_rate", "model.activation", "final_test_loss"});
  const auto* cell = table.cell("0.1", "tanh");
  EXPECT_NEAR(cell->value("final_test_loss"), 0.45, 1e-15);
  // 0.2, 0.4, 0.3, 0.9: s = 0.3109, t(0.975, 3) = 3.1824, so 0.45 -+ 0.4948, a loss clipped at 0.
  EXPECT_EQ(cell->interval("final_test_loss").low, 0.0);
  EXPECT_NEAR(cell->interval("final_test_loss").high, 0.9447, 1e-4);
  // 0.1 x relu has one trial: no interval.
  EXPECT_NE(table.markdown().find("| 0.1 | 0.45 [0, 0.9447] (learned 75%) | 0.1 (learned 100%) |"),
            std::string::npos)
      << table.markdown();
  EXPECT_NE(table.cells_csv().find("final_test_loss_mean,final_test_loss_ci95_low,"),
            std::string::npos);
}

TEST(ConvergenceTable, SuccessRateCellsAreShares) {
  const auto table = lesson_table({"train.learning_rate", "model.activation", "success_rate"});
  EXPECT_NE(table.markdown().find("| 0.1 | 75% | 100% |"), std::string::npos);
  EXPECT_NE(table.csv().find("0.1,0.75,1\n"), std::string::npos);
}

TEST(ConvergenceTable, SharesNeverRoundToAllOrNothing) {
  ConvergenceTable table({}, kKeys);
  for (int i = 0; i < 300; ++i) table.add(trial("0.1", "tanh", i == 0 ? "stalled" : "learned", 5));
  EXPECT_NE(table.markdown().find("learned 99%, 5 ep"), std::string::npos);
}

TEST(ConvergenceTable, CellsThatDidNotLearnGiveTheReasonOfTheirFirstTrialWithThatOutcome) {
  const ConvergenceTable table = lesson_table();
  const auto reasons = table.reasons();
  // Display order: rows 0.01, 0.1, 1; the learned cells (0.1 x tanh, 0.1 x relu) are left out.
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons[0].row, "0.01");
  EXPECT_EQ(reasons[0].col, "tanh");
  EXPECT_EQ(reasons[0].outcome, Outcome::stalled);
  EXPECT_EQ(reasons[0].reason, "stalled because of 0.01 tanh");
  // The tie shows the worse outcome, and that outcome's reason.
  EXPECT_EQ(reasons[1].col, "relu");
  EXPECT_EQ(reasons[1].outcome, Outcome::diverged);
  EXPECT_EQ(reasons[1].reason, "diverged because of 0.01 relu");
  EXPECT_EQ(reasons[2].row, "1");

  const std::string text = table.reasons_text(2);
  EXPECT_NE(text.find("train.learning_rate=0.01, model.activation=tanh: stalled: stalled because"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("... and 1 more"), std::string::npos) << text;
  EXPECT_NE(table.markdown().find("- train.learning_rate=1, model.activation=tanh: **diverged**"),
            std::string::npos)
      << table.markdown();
}

TEST(ConvergenceTable, AnErrorCellGivesTheErrorMessage) {
  ConvergenceTable table(PivotSpec{}, kKeys);
  TrialRecord r = trial("0.1", "tanh", "error");
  r.outcome_reason.clear();
  r.error = "cannot read data.csv";
  table.add(r);
  ASSERT_EQ(table.reasons().size(), 1u);
  EXPECT_EQ(table.reasons()[0].reason, "cannot read data.csv");
}

TEST(ConvergenceTable, AllLearnedGivesNoReasons) {
  ConvergenceTable table(PivotSpec{}, kKeys);
  table.add(trial("0.1", "tanh", "learned", 3));
  EXPECT_TRUE(table.reasons().empty());
  EXPECT_EQ(table.reasons_text(10), "");
}

TEST(ConvergenceTable, UnknownKeysAndMetricsAreRejected) {
  EXPECT_THROW(ConvergenceTable({"train.momentum", "model.activation", "success_rate"}, kKeys),
               std::invalid_argument);
  EXPECT_THROW(ConvergenceTable({"train.learning_rate", "model.activation", "accuracy"}, kKeys),
               std::invalid_argument);
  EXPECT_TRUE(is_cell_metric("best_val_loss"));
  EXPECT_FALSE(is_cell_metric("status"));
  EXPECT_TRUE(is_cell_metric("outcome"));
}

}  // namespace
}  // namespace results
