#include "results/curves.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include "nn/input_error.h"

namespace results {
namespace {

std::vector<nn::EpochMetrics> curve(int epochs, double scale = 1) {
  std::vector<nn::EpochMetrics> points;
  for (int e = 0; e <= epochs; ++e) {
    nn::EpochMetrics m;
    m.epoch = e;
    m.train_loss = scale / (1.0 + e);
    m.test_loss = scale * 1.1 / (1.0 + e);
    points.push_back(m);
  }
  return points;
}

std::vector<int> epochs_of(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in, "curves.csv");
  CsvRecord record;
  std::vector<int> epochs;
  reader.next(record);
  while (reader.next(record)) epochs.push_back(parse_curve_row(record, "curves.csv").metrics.epoch);
  return epochs;
}

TEST(Curves, KeepsEveryKthEpochAndTheLast) {
  std::string text = format_curves_header();
  append_curve_rows(text, "a", curve(10), 4);
  EXPECT_EQ(epochs_of(text), (std::vector<int>{0, 4, 8, 10}));
}

TEST(Curves, EveryOneKeepsAllEpochs) {
  std::string text = format_curves_header();
  append_curve_rows(text, "a", curve(3), 1);
  EXPECT_EQ(epochs_of(text), (std::vector<int>{0, 1, 2, 3}));
}

TEST(Curves, LastEpochOnTheGridIsWrittenOnce) {
  std::string text = format_curves_header();
  append_curve_rows(text, "a", curve(8), 4);
  EXPECT_EQ(epochs_of(text), (std::vector<int>{0, 4, 8}));
}

TEST(Curves, RowHasEmptyCellsForWhatDoesNotApply) {
  nn::EpochMetrics m;
  m.epoch = 3;
  m.train_loss = 0.5;
  m.test_loss = std::numeric_limits<double>::infinity();
  std::string row;
  append_curve_row(row, "00ff", m);
  EXPECT_EQ(row, "00ff,3,0.5,,inf,,,\n");
}

// A trial's rows are one append, with repeated values copied from the row above: the text must
// be what row-by-row appends give, for every kind of value and repeat.
TEST(Curves, RowsOfATrialAreTheRowsOneByOne) {
  const double inf = std::numeric_limits<double>::infinity();
  const double values[] = {0.25, 0.25, -0.0, 0.0, inf, -inf, std::nan(""), 1e-300, 1.0 / 3};
  std::vector<nn::EpochMetrics> points;
  for (int e = 0; e < 40; ++e) {
    nn::EpochMetrics m;
    m.epoch = e;
    m.train_loss = values[e % 9], m.val_loss = values[(e / 2) % 9], m.test_loss = values[e / 5];
    m.train_accuracy = e < 20 ? 0.5 : 0.75, m.test_accuracy = values[(e * 7) % 9];
    points.push_back(m);
  }
  for (int every : {1, 3}) {
    std::string joined = "x", one_by_one = "x";
    std::vector<CurveSample> samples;
    append_curve_rows(joined, "id,\"q\"", points, every, &samples);
    std::vector<int> kept;
    for (const auto& m : points)
      if (keep_epoch(m.epoch, 39, every))
        append_curve_row(one_by_one, "id,\"q\"", m), kept.push_back(m.epoch);
    EXPECT_EQ(joined, one_by_one);
    ASSERT_EQ(samples.size(), kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const auto& m = points[static_cast<std::size_t>(kept[i])];
      EXPECT_EQ(samples[i].epoch, m.epoch);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(samples[i].train_loss),
                std::bit_cast<std::uint64_t>(m.train_loss));
      EXPECT_EQ(std::bit_cast<std::uint64_t>(samples[i].test_loss),
                std::bit_cast<std::uint64_t>(m.test_loss));
    }
  }
  std::string row;
  append_curve_row(row, "a", points[2]);
  EXPECT_EQ(row, "a,2,-0,0.25,0.25,0.5,,-inf\n");
}

TEST(Curves, RowsRoundTrip) {
  const auto points = curve(5, 1.0 / 3.0);
  std::string text = format_curves_header();
  append_curve_rows(text, "t1", points, 1);
  std::istringstream in(text);
  CsvReader reader(in, "curves.csv");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  check_curves_header(record, "curves.csv");
  for (const auto& expected : points) {
    ASSERT_TRUE(reader.next(record));
    CurvePoint point = parse_curve_row(record, "curves.csv");
    EXPECT_EQ(point.trial_id, "t1");
    EXPECT_EQ(point.metrics.epoch, expected.epoch);
    EXPECT_EQ(point.metrics.train_loss, expected.train_loss);
    EXPECT_EQ(point.metrics.test_loss, expected.test_loss);
    EXPECT_TRUE(std::isnan(point.metrics.val_loss));
  }
}

TEST(Curves, ForeignHeaderIsAnError) {
  std::istringstream in("trial_id,epoch,loss\n");
  CsvReader reader(in, "curves.csv");
  CsvRecord record;
  reader.next(record);
  EXPECT_THROW(check_curves_header(record, "curves.csv"), nn::InputError);
}

// A file appended by several threads and two resumes: blocks out of order, a duplicate block
// from a re-run, rows of a trial that never finished and a torn tail.
TEST(Curves, SortKeepsTheLastBlockOfEachListedTrialInOrder) {
  std::string a, b, c, c_again, stray;
  append_curve_rows(a, "a", curve(2, 1), 1);
  append_curve_rows(b, "b", curve(2, 2), 1);
  append_curve_rows(c, "c", curve(2, 3), 1);
  append_curve_rows(c_again, "c", curve(2, 4), 1);
  append_curve_rows(stray, "x", curve(2, 5), 1);
  const std::string appended = format_curves_header() + c + b + stray + c_again + a + "a,0,0.5";
  std::stringstream in(appended);
  std::ostringstream out;
  const std::vector<std::string> order = {"a", "b", "c", "missing"};
  sort_curves(in, out, order, "curves.csv");
  EXPECT_EQ(out.str(), format_curves_header() + a + b + c_again);
}

TEST(Curves, SortSplitsBackToBackRepeatsOfOneTrial) {
  std::string first, second;
  append_curve_rows(first, "a", curve(3, 1), 1);
  append_curve_rows(second, "a", curve(3, 2), 1);
  std::stringstream in(format_curves_header() + first + second);
  std::ostringstream out;
  const std::vector<std::string> order = {"a"};
  sort_curves(in, out, order, "curves.csv");
  EXPECT_EQ(out.str(), format_curves_header() + second);
}

}  // namespace
}  // namespace results

namespace results {
namespace {

// A trial's curve ends at the last epoch of its last block of rows (a block restarts where the
// epoch stops increasing: a trial trained again after a resume); a torn last line is not
// counted, and the complete bytes end before it.
TEST(Curves, CurveEndsAreTheLastBlocksLastEpochs) {
  std::string text = format_curves_header();
  append_curve_rows(text, "a", curve(5), 1);  // epochs 0..5
  append_curve_rows(text, "b", curve(3), 1);  // 0..3
  append_curve_rows(text, "a", curve(2), 1);  // trained again: 0..2
  const std::size_t complete = text.size();
  text += "b,4,0.5";  // torn
  std::istringstream in(text);
  std::uint64_t bytes = 0;
  const auto ends = curve_ends(in, "curves.csv", &bytes);
  EXPECT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends.at("a"), 2);
  EXPECT_EQ(ends.at("b"), 3);
  EXPECT_EQ(bytes, complete);
}

}  // namespace
}  // namespace results
