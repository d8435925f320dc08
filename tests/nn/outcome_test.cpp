#include "nn/outcome.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nn/train.h"

// The labelled corpus of tests/nn/outcome_corpus: real curves cut from sweeps of every built-in
// dataset and activation, and synthetic edge cases, each with the outcome a person gave it and
// why (labels.tsv; make_corpus.py regenerates the files). judge() must agree with every label.

namespace nn {
namespace {

const std::filesystem::path kCorpus =
    std::filesystem::path(NNSWEEP_SOURCE_DIR) / "tests" / "nn" / "outcome_corpus";

struct Label {
  std::string file;
  double baseline_loss = 0;
  bool has_validation = false;
  Outcome outcome = Outcome::error;
  std::string why;
};

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, separator)) cells.push_back(cell);
  if (!line.empty() && line.back() == separator) cells.emplace_back();
  return cells;
}

std::vector<Label> labels() {
  std::ifstream in(kCorpus / "labels.tsv");
  EXPECT_TRUE(in) << "cannot open " << (kCorpus / "labels.tsv");
  std::vector<Label> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto cells = split(line, '\t');
    EXPECT_EQ(cells.size(), 5u) << line;
    if (cells.size() != 5) continue;
    const auto outcome = parse_name<Outcome>(cells[3], kOutcomeNames);
    EXPECT_TRUE(outcome) << "unknown outcome '" << cells[3] << "' in " << line;
    out.push_back({cells[0], std::strtod(cells[1].c_str(), nullptr), cells[2] == "1",
                   outcome.value_or(Outcome::error), cells[4]});
  }
  return out;
}

// An empty cell is a metric that does not apply; `nan` and `inf` are losses that became
// non-finite.
double cell_value(const std::string& cell) {
  return cell.empty() ? kNotApplicable : std::strtod(cell.c_str(), nullptr);
}

std::vector<EpochMetrics> read_curve(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::vector<EpochMetrics> curve;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "epoch,train_loss,val_loss,test_loss,train_accuracy,val_accuracy,test_accuracy");
  while (std::getline(in, line)) {
    const auto c = split(line, ',');
    EXPECT_EQ(c.size(), 7u) << path << ": " << line;
    if (c.size() != 7) continue;
    curve.push_back({std::stoi(c[0]), cell_value(c[1]), cell_value(c[2]), cell_value(c[3]),
                     cell_value(c[4]), cell_value(c[5]), cell_value(c[6])});
    EXPECT_EQ(curve.back().epoch, static_cast<int>(curve.size()) - 1) << path;
  }
  return curve;
}

TEST(Outcome, CorpusHasAtLeastFortyCurvesAndEveryOutcome) {
  const auto all = labels();
  EXPECT_GE(all.size(), 40u);
  std::set<Outcome> seen;
  for (const Label& l : all) seen.insert(l.outcome);
  for (Outcome o : {Outcome::learned, Outcome::still_learning, Outcome::underfit, Outcome::stalled,
                    Outcome::unstable, Outcome::overfit, Outcome::diverged})
    EXPECT_TRUE(seen.count(o)) << "no curve labelled " << to_string(o);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus))
    if (entry.path().extension() == ".csv") ++files;
  EXPECT_EQ(files, all.size()) << "every curve file has a label, and every label a file";
}

TEST(Outcome, JudgeAgreesWithEveryLabelOfTheCorpus) {
  const auto all = labels();
  ASSERT_FALSE(all.empty());
  int agreed = 0;
  for (const Label& l : all) {
    const auto curve = read_curve(kCorpus / l.file);
    ASSERT_FALSE(curve.empty()) << l.file;
    const Verdict v = judge(curve, ConvergenceConfig{}, l.baseline_loss, l.has_validation);
    EXPECT_EQ(v.outcome, l.outcome)
        << l.file << ": labelled " << to_string(l.outcome) << " (" << l.why << "), got "
        << to_string(v.outcome) << " (" << v.reason << ")";
    agreed += v.outcome == l.outcome;
  }
  EXPECT_EQ(agreed, static_cast<int>(all.size())) << "curves judged as labelled";
}

// A validation curve of `loss` values (epoch 0 first), the train loss alike.
std::vector<EpochMetrics> curve_of(const std::vector<double>& loss) {
  std::vector<EpochMetrics> curve;
  for (std::size_t i = 0; i < loss.size(); ++i)
    curve.push_back({static_cast<int>(i), loss[i], loss[i], kNotApplicable, kNotApplicable,
                     kNotApplicable, kNotApplicable});
  return curve;
}

// The reasons place the end of the curve beside guessing as a reader would: a loss a third below
// guessing is not "not far below" it but short of the learned level, which they name; one within
// 5% is no better than guessing; one above it is worse, never "against" it.
TEST(Outcome, ReasonsSayHowTheEndComparesWithGuessing) {
  const double guessing = std::log(2.0);    // 0.693
  const auto settles_at = [](double end) {  // from 0.8 down to `end` in 20 epochs, then flat
    std::vector<double> loss{0.8};
    for (int i = 1; i <= 20; ++i) loss.push_back(0.8 + (end - 0.8) * i / 20.0);
    loss.resize(201, end);
    return loss;
  };
  const Verdict short_of_learned = judge(curve_of(settles_at(0.459)), {}, guessing, true);
  EXPECT_EQ(short_of_learned.outcome, Outcome::underfit);
  EXPECT_NE(short_of_learned.reason.find(
                "settled at 0.459, below guessing (0.693) but above 0.347, the level that "
                "counts as learned"),
            std::string::npos)
      << short_of_learned.reason;

  const Verdict no_skill = judge(curve_of(settles_at(0.688)), {}, guessing, true);
  EXPECT_EQ(no_skill.outcome, Outcome::underfit);
  EXPECT_NE(no_skill.reason.find("settled at 0.688, no better than guessing (0.693):"),
            std::string::npos)
      << no_skill.reason;

  // Swinging between 0.62 and 0.86 for the last half: its last window's mean is 0.74.
  std::vector<double> swinging = settles_at(0.7);
  for (std::size_t i = 100; i < swinging.size(); ++i) swinging[i] = i % 2 ? 0.62 : 0.86;
  const Verdict worse = judge(curve_of(swinging), {}, guessing, true);
  EXPECT_EQ(worse.outcome, Outcome::unstable);
  EXPECT_NE(worse.reason.find("ends at 0.74, worse than guessing (0.693)"), std::string::npos)
      << worse.reason;
  EXPECT_EQ(worse.reason.find("against"), std::string::npos) << worse.reason;
}

// A penalty changes the advice, never the outcome: a stalled or underfit curve under a weight
// penalty names the penalty as a cause.
TEST(Outcome, APenalisedTrainingsStallOrUnderfitNamesThePenalty) {
  int checked = 0;
  for (const Label& l : labels()) {
    if (l.outcome != Outcome::stalled && l.outcome != Outcome::underfit) continue;
    const auto curve = read_curve(kCorpus / l.file);
    const Verdict plain = judge(curve, ConvergenceConfig{}, l.baseline_loss, l.has_validation);
    const Verdict penalised =
        judge(curve, ConvergenceConfig{}, l.baseline_loss, l.has_validation, true);
    EXPECT_EQ(penalised.outcome, plain.outcome) << l.file;
    EXPECT_NE(penalised.reason.find("train.regularization_rate"), std::string::npos)
        << l.file << ": " << penalised.reason;
    EXPECT_EQ(plain.reason.find("penalty"), std::string::npos) << l.file << ": " << plain.reason;
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(Outcome, IsPenalisedNeedsARegulariserAndARateAboveZero) {
  TrainConfig train;
  EXPECT_FALSE(is_penalised(train));
  train.regularization_rate = 0.1;
  EXPECT_FALSE(is_penalised(train));  // no regulariser: the rate does not apply
  train.regularization = Regularization::l2;
  EXPECT_TRUE(is_penalised(train));
  train.regularization_rate = 0;
  EXPECT_FALSE(is_penalised(train));
}

}  // namespace
}  // namespace nn
