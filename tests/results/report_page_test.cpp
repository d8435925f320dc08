// report.html's decision boundaries come from a BoundaryTrials source: the page asks it for the
// chosen trials and never trains.
#include "results/report_page.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

}  // namespace
}  // namespace results
