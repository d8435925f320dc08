// report.html's decision boundaries come from a BoundaryTrials source: the page asks it for the
// chosen trials and never trains.
#include "results/report_page.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "results/curves.h"
#include "scratch_dir.h"

namespace results {
namespace {

namespace fs = std::filesystem;

// Records what it was asked for; gives no model (or throws, when told to).
class FakeTrials final : public BoundaryTrials {
 public:
  explicit FakeTrials(bool saves, bool fails = false) : saves_(saves), fails_(fails) {}
  std::optional<BoundaryTrial> trial(const ChosenTrial& chosen, const TrainedModel* at_hand,
                                     bool draw) override {
    asked.push_back(chosen.dataset + (draw ? " drawn" : " saved only"));
    at_hand_given = at_hand_given || at_hand != nullptr;
    if (fails_) throw std::runtime_error("no model here");
    return std::nullopt;
  }
  bool saves_models() const override { return saves_; }
  std::vector<std::string> asked;
  bool at_hand_given = false;

 private:
  bool saves_, fails_;
};

ChosenTrial chosen(const std::string& dataset, const std::string& id) {
  ChosenTrial c;
  c.dataset = dataset;
  c.trial.id = id;
  return c;
}

// Writes report.html of an empty run into `dir` with `trials` as the boundary source; returns
// the page.
std::string page_with(const fs::path& dir, BoundaryTrials* trials,
                      std::vector<ChosenTrial> chosen_trials) {
  ReportPage page(PivotSpec{}, {});
  ReportContext context;
  context.sweep_name = "unit";
  context.chosen = std::move(chosen_trials);
  context.boundary_trials = trials;
  FileBatch files(dir);
  page.write(dir, context, files);
  files.commit();
  std::ifstream in(dir / "report.html");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each test its own directory: ctest runs them side by side.
class ReportPageTest : public testing_support::ScratchDir {};

TEST_F(ReportPageTest, AsksItsSourceToDrawBuiltInDatasetsAndOnlyToSaveCsvOnes) {
  FakeTrials saving(true);
  page_with(dir_, &saving, {chosen("xor", "a"), chosen("csv", "b")});
  EXPECT_EQ(saving.asked, (std::vector<std::string>{"xor drawn", "csv saved only"}));
  EXPECT_FALSE(saving.at_hand_given);  // the page kept no parameters: it was fed none
}

TEST_F(ReportPageTest, DoesNotAskForACsvDatasetWhenNoModelIsSaved) {
  FakeTrials drawing(false);
  page_with(dir_, &drawing, {chosen("csv", "b"), chosen("circle", "c")});
  EXPECT_EQ(drawing.asked, (std::vector<std::string>{"circle drawn"}));
}

TEST_F(ReportPageTest, ABoundaryThatCannotBeMadeIsANoteOnThePage) {
  FakeTrials failing(false, true);
  const std::string html = page_with(dir_, &failing, {chosen("spiral", "s")});
  EXPECT_NE(html.find("No decision boundary for spiral: no model here"), std::string::npos);
}

TEST_F(ReportPageTest, WithoutASourceThePageDrawsNoBoundaries) {
  const std::string html = page_with(dir_, nullptr, {chosen("xor", "a")});
  EXPECT_EQ(html.find("No decision boundary"), std::string::npos);
}

// A run hands each trial's curve to the page with its record: the page drawn from them is the
// one drawn from curves.csv, with one thread or two; a trial handed over without its curve sends
// the page back to the file.
class HeldCurves : public ReportPageTest {
 protected:
  static std::string id_of(int i) {
    std::string id = "t";
    return id += std::to_string(i);
  }
  static TrialRecord record(int i) {
    TrialRecord r;
    r.index = static_cast<std::uint64_t>(i), r.id = id_of(i), r.epochs_run = 30;
    r.params = {{"train.learning_rate", i % 3 ? "0.1" : "0.01"},
                {"model.activation", i % 2 ? "tanh" : "relu"}};
    r.outcome = i == 4 ? Outcome::diverged : Outcome::learned;
    return r;
  }
  static std::vector<nn::EpochMetrics> curve_of(int i) {
    std::vector<nn::EpochMetrics> curve;
    for (int e = 0; e <= 30; ++e)
      curve.push_back({.epoch = e,
                       .train_loss = (1.0 + i) / (1.0 + e),
                       .test_loss = e == 7 ? std::nan("") : (2.0 + i) / (1.0 + e)});
    return curve;
  }
  // The page of trials 0..5, with the curves handed over for the trials `held` says.
  std::string page(const std::function<bool(int)>& held, int threads) {
    ReportPage page(PivotSpec{}, {});
    std::string rows = format_curves_header();
    for (int i = 0; i < 6; ++i) {
      std::vector<CurveSample> samples;
      append_curve_rows(rows, id_of(i), curve_of(i), 2, &samples);
      page.add(record(i), {}, held(i) ? &samples : nullptr);
    }
    std::ofstream(dir_ / "curves.csv", std::ios::binary) << rows;
    ReportContext context;
    context.sweep_name = "unit";
    context.threads = threads;
    return page.html(dir_, context);
  }
};

TEST_F(HeldCurves, DrawTheCurvesAsTheFileDoes) {
  const std::string from_file = page([](int) { return false; }, 1);
  ASSERT_NE(from_file.find("id=\"curves-0\""), std::string::npos);
  EXPECT_EQ(page([](int) { return true; }, 1), from_file);
  EXPECT_EQ(page([](int) { return true; }, 2), from_file);
}

TEST_F(HeldCurves, ATrialWithoutItsCurveSendsThePageToTheFile) {
  const std::string from_file = page([](int) { return false; }, 1);
  // Only the file has trial 5's curve: a page drawn from the other five would differ.
  EXPECT_EQ(page([](int i) { return i != 5; }, 2), from_file);
  EXPECT_EQ(page([](int i) { return i != 0; }, 1), from_file);
}

}  // namespace
}  // namespace results
