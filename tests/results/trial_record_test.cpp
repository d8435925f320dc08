#include "results/trial_record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "nn/input_error.h"

namespace results {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::string> kKeys = {"train.learning_rate", "model.activation", "data.csv_note"};

nn::EpochMetrics metrics(int epoch, double loss) {
  nn::EpochMetrics m;
  m.epoch = epoch;
  m.train_loss = loss;
  m.test_loss = loss * 1.25;
  m.train_accuracy = 0.5 + 0.01 * epoch;
  m.test_accuracy = 0.1 + 0.2;  // not exactly 0.3: must survive the round trip
  m.train_balanced_accuracy = 0.5 + 0.003 * epoch;
  m.test_balanced_accuracy = 2.0 / 3.0;
  m.train_macro_f1 = 0.25 + 0.002 * epoch;
  m.test_macro_f1 = 0.7 / 3;
  return m;
}

TrialRecord converged_record() {
  nn::TrainResult result;
  result.verdict = {nn::Outcome::learned, "the loss settled at 0.3, well below \"guessing\", yes",
                    42};
  result.baseline_loss = 0.6931471805599453;
  result.epochs_run = 200;
  result.initial = metrics(0, 0.6931471805599453);
  result.final = metrics(200, 1.0 / 3.0);
  result.best = metrics(180, 0.3);
  return make_record(7, "00ff00ff00ff00ff", 1, 18446744073709551615ull,
                     {{kKeys[0], "0.03"}, {kKeys[1], "tanh"}, {kKeys[2], "a,b \"quoted\""}}, result,
                     0.125);
}

TrialRecord diverged_record() {
  nn::TrainResult result;
  result.verdict = {nn::Outcome::diverged, "the loss became NaN at epoch 3", std::nullopt};
  result.baseline_loss = 0.5;
  result.epochs_run = 3;
  result.initial = metrics(0, 0.7);
  result.final = metrics(3, kInf);
  result.final.test_loss = kNaN;
  result.final.train_accuracy = -kInf;
  result.best = metrics(1, 0.69);
  return make_record(8, "0123456789abcdef", 0, 5,
                     {{kKeys[0], "3"}, {kKeys[1], "relu"}, {kKeys[2], ""}}, result, 1e-3);
}

TrialRecord error_record() {
  return make_error_record(9, "fedcba9876543210", 2, 6,
                           {{kKeys[0], "1"}, {kKeys[1], "linear"}, {kKeys[2], "x"}},
                           "cannot open data.csv,\nline \"2\"", 0.5);
}

std::vector<TrialRecord> read_back(const std::string& text, TrialsFileInfo* info = nullptr) {
  std::istringstream in(text);
  std::vector<TrialRecord> records;
  auto result = read_trials(in, "trials.csv",
                            [&](TrialRecord&& record) { records.push_back(std::move(record)); });
  if (info) *info = result;
  return records;
}

TEST(TrialRecord, MakeRecordCopiesTheResult) {
  TrialRecord record = converged_record();
  EXPECT_EQ(record.outcome, Outcome::learned);
  EXPECT_EQ(record.epochs_to_target, 42);
  EXPECT_EQ(record.baseline_loss, 0.6931471805599453);
  EXPECT_EQ(record.outcome_reason, "the loss settled at 0.3, well below \"guessing\", yes");
  EXPECT_EQ(record.best.epoch, 180);
  EXPECT_EQ(record.final.train_loss, 1.0 / 3.0);
}

TEST(TrialRecord, HeaderPutsParamsBetweenSeedAndOutcome) {
  const auto header = trials_header(kKeys);
  ASSERT_GT(header.size(), 9u);
  EXPECT_EQ(header[2], "repeat");
  EXPECT_EQ(header[3], "fold");
  EXPECT_EQ(header[4], "seed");
  EXPECT_EQ(header[5], "train.learning_rate");
  EXPECT_EQ(header[7], "data.csv_note");
  EXPECT_EQ(header[8], "outcome");
  EXPECT_EQ(header[9], "outcome_reason");
  EXPECT_EQ(header[header.size() - 2], "error");
  EXPECT_EQ(header.back(), "rung");
  EXPECT_EQ(header[11], "epochs_run");
  EXPECT_EQ(header[12], "stopped_epoch");
  EXPECT_EQ(header[13], "best_epoch");
  EXPECT_EQ(header.size(), 5 + kKeys.size() + 7 + 36 + 3);
}

// A file from before early stopping and halving has neither stopped_epoch nor rung: it is read,
// its rows stopped nowhere and have no rung, and the file says so.
TEST(TrialRecord, TheRungRoundTripsAndFilesFromBeforeItAreReadWithout) {
  TrialRecord record = converged_record();
  record.rung = 2;
  record.stopped_epoch = 150;
  TrialsFileInfo info;
  auto back = read_back(format_trials_header(kKeys) + format_trial_row(record), &info);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], record);
  EXPECT_FALSE(info.without_rung);
  EXPECT_FALSE(info.without_stopped_epoch);
  record.rung.reset();
  record.stopped_epoch.reset();
  const auto drop = [](const std::string& line, std::size_t at) {
    // The field at `at` and the last one (header and rows alike).
    std::istringstream in(line);
    CsvReader reader(in, "x");
    CsvRecord fields;
    reader.next(fields);
    std::vector<std::string> kept;
    for (std::size_t i = 0; i + 1 < fields.size(); ++i)
      if (i != at) kept.push_back(fields[i]);
    return format_row(kept);
  };
  const auto header = trials_header(kKeys);
  const std::size_t at = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "stopped_epoch") - header.begin());
  back =
      read_back(drop(format_trials_header(kKeys), at) + drop(format_trial_row(record), at), &info);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], record);
  EXPECT_TRUE(info.without_rung);
  EXPECT_TRUE(info.without_stopped_epoch);
}

TEST(TrialRecord, RowsRoundTripThroughTheFile) {
  const std::vector<TrialRecord> records = {converged_record(), diverged_record(), error_record()};
  std::string text = format_trials_header(kKeys);
  for (const auto& record : records) text += format_trial_row(record);

  TrialsFileInfo info;
  const auto back = read_back(text, &info);
  EXPECT_EQ(info.param_keys, kKeys);
  EXPECT_EQ(info.rows, 3u);
  EXPECT_FALSE(info.torn_tail);
  EXPECT_EQ(info.complete_bytes, text.size());
  ASSERT_EQ(back.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(back[i], records[i]) << i;

  // And the text itself is reproduced byte for byte.
  std::string again = format_trials_header(info.param_keys);
  for (const auto& record : back) again += format_trial_row(record);
  EXPECT_EQ(again, text);
}

// The balanced accuracy and macro F1 sit beside the accuracies of each stage and split.
TEST(TrialRecord, ClassScoresHaveColumnsBesideTheAccuracies) {
  const auto header = trials_header(kKeys);
  const auto at = [&](std::string_view name) {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  EXPECT_EQ(at("final_val_balanced_accuracy"), at("final_test_accuracy") + 2);
  EXPECT_EQ(at("final_val_macro_f1"), at("final_val_balanced_accuracy") + 3);
  EXPECT_EQ(at("best_test_macro_f1") + 1, at("wall_seconds"));
  const TrialRecord record = converged_record();
  EXPECT_EQ(*trial_metric(record, "final_test_balanced_accuracy"), 2.0 / 3.0);
  EXPECT_EQ(*trial_metric(record, "best_train_macro_f1"), 0.25 + 0.002 * 180);
  EXPECT_TRUE(std::isnan(*trial_metric(record, "initial_val_macro_f1")));  // no validation
  const auto back = read_back(format_trials_header(kKeys) + format_trial_row(record));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].final.test_macro_f1, 0.7 / 3);
  EXPECT_EQ(back[0].best.train_balanced_accuracy, 0.5 + 0.003 * 180);
}

// A trials.csv from before the folds and the class scores (id scheme 2, and so before
// stopped_epoch) is still read: its rows have no fold and the scores NaN. The file says so
// (without_class_scores), so a resumed run does not append rows of another width.
TEST(TrialRecord, ReadsFilesFromBeforeTheFoldsAndTheClassScores) {
  const auto drop_class_scores = [](const std::string& line) {
    // Both the header and the rows: the fields whose column is a class score go.
    const auto header = trials_header(kKeys);
    std::istringstream in(line);
    CsvReader reader(in, "x");
    CsvRecord record;
    reader.next(record);
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i].find("balanced_accuracy") == std::string::npos &&
          header[i].find("macro_f1") == std::string::npos && header[i] != "fold" &&
          header[i] != "rung" && header[i] != "stopped_epoch")
        kept.push_back(record[i]);
    return format_row(kept);
  };
  TrialRecord record = converged_record();
  record.fold = 2;  // not in the older file
  const std::string old =
      drop_class_scores(format_trials_header(kKeys)) + drop_class_scores(format_trial_row(record));
  EXPECT_EQ(old.find("macro_f1"), std::string::npos);
  TrialsFileInfo info;
  const auto back = read_back(old, &info);
  EXPECT_TRUE(info.without_class_scores);
  EXPECT_EQ(info.param_keys, kKeys);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].final.test_accuracy, record.final.test_accuracy);
  EXPECT_EQ(back[0].best.train_loss, record.best.train_loss);
  EXPECT_EQ(back[0].wall_seconds, record.wall_seconds);
  EXPECT_EQ(back[0].error, record.error);
  EXPECT_TRUE(std::isnan(back[0].final.test_macro_f1));
  EXPECT_TRUE(std::isnan(back[0].best.val_balanced_accuracy));
  EXPECT_FALSE(back[0].fold.has_value());
  EXPECT_EQ(back[0].seed, record.seed);
  // A header with the fold but without the class scores is neither layout.
  std::string half = format_trials_header(kKeys);
  for (const char* score : {"balanced_accuracy", "macro_f1"})
    for (std::size_t at; (at = half.find(std::string("_") + score)) != std::string::npos;) {
      const std::size_t start = half.rfind(',', at);
      half.erase(start, half.find_first_of(",\n", at) - start);
    }
  EXPECT_NE(half.find(",fold,"), std::string::npos);
  EXPECT_THROW(read_back(half), nn::InputError);
  TrialsFileInfo current;
  read_back(format_trials_header(kKeys) + format_trial_row(record), &current);
  EXPECT_FALSE(current.without_class_scores);
}

TEST(TrialRecord, NotApplicableIsEmptyAndInfinityIsInf) {
  const std::string row = format_trial_row(diverged_record());
  EXPECT_NE(row.find(",inf,"), std::string::npos);
  EXPECT_NE(row.find(",-inf,"), std::string::npos);
  EXPECT_NE(row.find(",,"), std::string::npos);
}

TEST(TrialRecord, ErrorRowsHaveNoEpochs) {
  const TrialRecord record = error_record();
  EXPECT_TRUE(std::isnan(*trial_metric(record, "best_epoch")));
  EXPECT_TRUE(std::isnan(*trial_metric(record, "epochs_to_target")));
  EXPECT_TRUE(std::isnan(*trial_metric(record, "final_train_loss")));
}

TEST(TrialRecord, MetricsAreReachableByColumnName) {
  const TrialRecord record = converged_record();
  EXPECT_EQ(*trial_metric(record, "epochs_to_target"), 42);
  EXPECT_EQ(*trial_metric(record, "baseline_loss"), 0.6931471805599453);
  EXPECT_EQ(*trial_metric(record, "best_epoch"), 180);
  EXPECT_EQ(*trial_metric(record, "final_test_loss"), 1.0 / 3.0 * 1.25);
  EXPECT_EQ(*trial_metric(record, "best_train_loss"), 0.3);
  EXPECT_FALSE(trial_metric(record, "learning_rate"));
  for (const auto& name : trial_metric_names()) EXPECT_TRUE(trial_metric(record, name)) << name;
}

TEST(TrialRecord, TornLastRowIsDroppedAndReported) {
  std::string text = format_trials_header(kKeys) + format_trial_row(converged_record());
  const std::size_t complete = text.size();
  const std::string second = format_trial_row(diverged_record());
  text += second.substr(0, second.size() / 2);
  TrialsFileInfo info;
  const auto back = read_back(text, &info);
  EXPECT_EQ(back.size(), 1u);
  EXPECT_TRUE(info.torn_tail);
  EXPECT_EQ(info.complete_bytes, complete);
}

TEST(TrialRecord, TornHeaderLeavesAnEmptyFile) {
  TrialsFileInfo info;
  EXPECT_TRUE(read_back("trial_index,tri", &info).empty());
  EXPECT_TRUE(info.torn_tail);
  EXPECT_EQ(info.complete_bytes, 0u);
  EXPECT_TRUE(read_back("", &info).empty());
  EXPECT_FALSE(info.torn_tail);
}

TEST(TrialRecord, UnknownOutcomeNamesItsPosition) {
  std::string row = format_trial_row(converged_record());
  row.replace(row.find(",learned,"), 9, ",exploded,");
  try {
    read_back(format_trials_header(kKeys) + row);
    FAIL();
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("unknown outcome 'exploded'"), std::string::npos);
  }
}

TEST(TrialRecord, WrongFieldCountIsAnError) {
  EXPECT_THROW(read_back(format_trials_header(kKeys) + "1,2,3\n"), nn::InputError);
}

TEST(TrialRecord, ForeignHeaderIsAnError) {
  try {
    read_back("trial_index,trial_id,repeat,fold,seed,lr,result\n");
    FAIL();
  } catch (const nn::InputError& e) {
    EXPECT_EQ(e.describe(),
              "trials.csv:1:42: error: not a trials.csv header: expected column 'outcome'");
  }
}

TEST(TrialRecord, AFoldRoundTripsAndAnEmptyOneIsNone) {
  TrialRecord r = converged_record();
  r.fold = 3;
  std::vector<TrialRecord> back = read_back(format_trials_header(kKeys) + format_trial_row(r));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].fold, 3);
  EXPECT_EQ(back[0], r);
  r.fold.reset();
  back = read_back(format_trials_header(kKeys) + format_trial_row(r));
  EXPECT_FALSE(back[0].fold.has_value());
}

// train.early_stopping's stopped_epoch: written and read back, empty when it did not stop, and
// a file from before the column reads as if every cell were empty.
TEST(TrialRecord, StoppedEpochRoundTripsAndOlderFilesHaveNone) {
  TrialRecord r = converged_record();
  r.stopped_epoch = 57;
  const std::string text = format_trials_header(kKeys) + format_trial_row(r);
  std::vector<TrialRecord> back = read_back(text);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], r);
  EXPECT_EQ(trial_metric(back[0], "stopped_epoch"), 57.0);
  EXPECT_TRUE(std::isnan(*trial_metric(converged_record(), "stopped_epoch")));

  // The same file without the column (header and row: the cell after epochs_run, 200) and
  // without the rung, which came with it (the last, empty cell).
  std::string older = text;
  older.replace(older.find(",stopped_epoch"), 14, "");
  older.replace(older.find(",rung\n"), 6, "\n");
  older.replace(older.size() - 2, 2, "\n");
  const std::size_t cell = older.find(",200,57,");
  ASSERT_NE(cell, std::string::npos);
  older.replace(cell, 8, ",200,");
  back = read_back(older);
  ASSERT_EQ(back.size(), 1u);
  r.stopped_epoch.reset();
  EXPECT_EQ(back[0], r);
}

TEST(TrialRecord, SortTrialsOrdersRowsByIndexKeepingTheLast) {
  TrialRecord a = converged_record();  // index 7
  TrialRecord b = diverged_record();   // index 8
  TrialRecord c = error_record();      // index 9
  TrialRecord b_again = b;
  b_again.wall_seconds = 2;
  const std::string header = format_trials_header(kKeys);
  std::stringstream in(header + format_trial_row(c) + format_trial_row(b) + format_trial_row(a) +
                       format_trial_row(b_again) + "10,x,");
  const std::string sorted =
      header + format_trial_row(a) + format_trial_row(b_again) + format_trial_row(c);
  std::ostringstream out;
  EXPECT_EQ(sort_trials(in, out, "trials.csv"), 3u);  // held whole while copying
  EXPECT_EQ(out.str(), sorted);
  in.clear();
  in.seekg(0);
  std::ostringstream by_row;
  EXPECT_EQ(sort_trials(in, by_row, "trials.csv", 0), 3u);  // copied row by row
  EXPECT_EQ(by_row.str(), sorted);
  // Rows the caller vouches for are only split (the error's quoted comma and line break stay
  // inside its row), with the same result.
  in.clear();
  in.seekg(0);
  std::ostringstream unchecked;
  EXPECT_EQ(sort_trials(in, unchecked, "trials.csv", std::uint64_t{1} << 20, false), 3u);
  EXPECT_EQ(unchecked.str(), sorted);
}

TEST(TrialRecord, SortTrialsChecksEveryRowBeforeWritingUnlessVouchedFor) {
  const std::string text = format_trials_header(kKeys) + format_trial_row(converged_record()) +
                           "3,abc,0,1,1,relu,x,converged,not-a-number\n";
  std::stringstream in(text);
  std::ostringstream out;
  EXPECT_THROW(sort_trials(in, out, "trials.csv"), nn::InputError);
  EXPECT_EQ(out.str(), "");
  in.clear();
  in.seekg(0);
  std::stringstream garbage("header\nno index here\n");
  EXPECT_THROW(sort_trials(garbage, out, "trials.csv", 1024, false), nn::InputError);
}

TEST(OutcomeCounts, CountsEachOutcome) {
  OutcomeCounts counts;
  for (auto outcome : {"learned", "diverged", "learned", "error", "still_learning", "pruned"})
    counts.add(*parse_outcome(outcome));
  EXPECT_EQ(counts[Outcome::learned], 2u);
  EXPECT_EQ(counts[Outcome::diverged], 1u);
  EXPECT_EQ(counts.total(), 6u);
  EXPECT_EQ(counts.ran(), 4u);  // errors and pruned trials did not run to the end
}

}  // namespace
}  // namespace results
