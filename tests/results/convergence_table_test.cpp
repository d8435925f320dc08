#include "results/convergence_table.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace results {
namespace {

const std::vector<std::string> kKeys = {"train.learning_rate", "model.activation",
                                        "train.batch_size"};

TrialRecord trial(std::string lr, std::string activation, std::string status,
                  std::optional<int> epochs = std::nullopt, double test_loss = 0.5) {
  TrialRecord r;
  r.params = {{kKeys[0], std::move(lr)}, {kKeys[1], std::move(activation)}, {kKeys[2], "10"}};
  r.status = *parse_trial_status(status);
  r.epochs_to_converge = epochs;
  r.final.test_loss = test_loss;
  return r;
}

// lr 0.1 x tanh: 3 of 4 converged at 10, 20, 40 epochs; lr 1 x tanh: all diverged; lr 0.01 x
// tanh: none converged, none diverged; lr 0.1 x relu: 1 of 1 at 7; lr 1 x relu: missing.
ConvergenceTable lesson_table(PivotSpec spec = {}) {
  ConvergenceTable table(std::move(spec), kKeys);
  table.add(trial("0.1", "tanh", "converged", 10, 0.2));
  table.add(trial("1", "tanh", "diverged"));
  table.add(trial("0.1", "tanh", "converged", 40, 0.4));
  table.add(trial("0.01", "tanh", "not_converged"));
  table.add(trial("0.1", "tanh", "converged", 20, 0.3));
  table.add(trial("0.1", "tanh", "not_converged", std::nullopt, 0.9));
  table.add(trial("1", "tanh", "diverged"));
  table.add(trial("0.01", "relu", "not_converged"));
  table.add(trial("0.1", "relu", "converged", 7, 0.1));
  return table;
}

TEST(ConvergenceTable, NumericAxesSortNumericallyOthersKeepFirstSeenOrder) {
  const auto table = lesson_table();
  EXPECT_EQ(table.row_values(), (std::vector<std::string>{"0.01", "0.1", "1"}));
  EXPECT_EQ(table.col_values(), (std::vector<std::string>{"tanh", "relu"}));
}

TEST(ConvergenceTable, CellIsMedianOverConvergedTrialsAndTheShare) {
  const auto table = lesson_table();
  const auto* cell = table.cell("0.1", "tanh");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->counts.converged, 3u);
  EXPECT_EQ(cell->value("epochs_to_converge"), 20);
  EXPECT_EQ(cell->value("success_rate"), 0.75);
  EXPECT_EQ(table.cell("1", "relu"), nullptr);
}

TEST(ConvergenceTable, MarkdownShowsSharesAndMarks) {
  EXPECT_EQ(lesson_table().markdown(),
            "| train.learning_rate \\ model.activation | tanh | relu |\n"
            "|---|--:|--:|\n"
            "| 0.01 | not converged | not converged |\n"
            "| 0.1 | 20 (75%) | 7 (100%) |\n"
            "| 1 | diverged |  |\n"
            "\n"
            "Cells: median epochs_to_converge over the converged trials (share of trials that "
            "converged).\n");
}

TEST(ConvergenceTable, TextIsAligned) {
  const std::string text = lesson_table().text(false);
  EXPECT_EQ(text.substr(0, text.find("Cells:")),
            "train.learning_rate \\ model.activation           tanh           relu\n"
            "0.01                                    not converged  not converged\n"
            "0.1                                          20 (75%)       7 (100%)\n"
            "1                                            diverged\n");
}

TEST(ConvergenceTable, ColourMarksCellsByOutcome) {
  const std::string text = lesson_table().text(true);
  EXPECT_NE(text.find("\033[32m" + std::string("     20 (75%)") + "\033[0m"), std::string::npos);
  EXPECT_NE(text.find("\033[31m" + std::string("     diverged") + "\033[0m"), std::string::npos);
  EXPECT_NE(text.find("\033[33mnot converged\033[0m"), std::string::npos);
}

TEST(ConvergenceTable, CsvHoldsNumbersOnly) {
  EXPECT_EQ(lesson_table().csv(),
            "train.learning_rate,tanh,relu\n"
            "0.01,,\n"
            "0.1,20,7\n"
            "1,,\n");
}

TEST(ConvergenceTable, CellsCsvIsLongForm) {
  EXPECT_EQ(lesson_table().cells_csv(),
            "train.learning_rate,model.activation,n,converged,not_converged,diverged,error,"
            "success_rate,epochs_to_converge_median\n"
            "0.01,tanh,1,0,1,0,0,0,\n"
            "0.01,relu,1,0,1,0,0,0,\n"
            "0.1,tanh,4,3,1,0,0,0.75,20\n"
            "0.1,relu,1,1,0,0,0,1,7\n"
            "1,tanh,2,0,0,2,0,0,\n");
}

TEST(ConvergenceTable, OtherMetricsUseTheMedianOverAllTrials) {
  const auto table = lesson_table({"train.learning_rate", "model.activation", "final_test_loss"});
  EXPECT_EQ(table.cell("0.1", "tanh")->value("final_test_loss"), 0.35);
  EXPECT_NE(table.markdown().find("| 0.1 | 0.35 (75%) | 0.1 (100%) |"), std::string::npos);
}

TEST(ConvergenceTable, SuccessRateCellsAreShares) {
  const auto table = lesson_table({"train.learning_rate", "model.activation", "success_rate"});
  EXPECT_NE(table.markdown().find("| 0.1 | 75% | 100% |"), std::string::npos);
  EXPECT_NE(table.csv().find("0.1,0.75,1\n"), std::string::npos);
}

TEST(ConvergenceTable, SharesNeverRoundToAllOrNothing) {
  ConvergenceTable table({}, kKeys);
  for (int i = 0; i < 300; ++i)
    table.add(trial("0.1", "tanh", i == 0 ? "converged" : "not_converged", 5));
  EXPECT_NE(table.markdown().find("5 (1%)"), std::string::npos);
}

TEST(ConvergenceTable, UnknownKeysAndMetricsAreRejected) {
  EXPECT_THROW(ConvergenceTable({"train.momentum", "model.activation", "success_rate"}, kKeys),
               std::invalid_argument);
  EXPECT_THROW(ConvergenceTable({"train.learning_rate", "model.activation", "accuracy"}, kKeys),
               std::invalid_argument);
  EXPECT_TRUE(is_cell_metric("best_val_loss"));
  EXPECT_FALSE(is_cell_metric("status"));
}

}  // namespace
}  // namespace results
