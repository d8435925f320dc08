#include "results/tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "results/curves.h"
#include "results/interrupt.h"
#include "scratch_dir.h"

namespace results {
namespace {

namespace fs = std::filesystem;

// Ctrl-C during the tables phase: the builder stops at its next poll and writes nothing.
TEST(Tables, AnInterruptStopsTheTablesAndLeavesNoFile) {
  const fs::path dir =
      fs::temp_directory_path() / ("nnsweep_tables_interrupt_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  TablesBuilder builder({"train.learning_rate", "model.activation", "outcome"},
                        {"train.learning_rate", "model.activation"}, {});
  std::atomic<bool> interrupted{true};
  TablesOptions options;
  options.interrupt = &interrupted;
  {
    FileBatch files(dir);
    EXPECT_THROW(builder.write(dir, false, options, files), Interrupted);
  }
  EXPECT_TRUE(fs::is_empty(dir));
  interrupted = false;
  FileBatch files(dir);
  EXPECT_NO_THROW(builder.write(dir, false, options, files));
  files.commit();
  EXPECT_TRUE(fs::exists(dir / "summary.csv"));
  fs::remove_all(dir);
}

class LiveReportHtml : public testing_support::ScratchDir {
 protected:
  // trials.csv with trials 0..count-1 over two learning rates, every other one learned, and
  // curves.csv with two epochs of each.
  void write_rows(std::uint64_t count, const std::string& tail = "") {
    const std::vector<std::string> keys = {"train.learning_rate", "model.activation"};
    std::string trials = format_trials_header(keys), curves = format_curves_header();
    for (std::uint64_t i = 0; i < count; ++i) {
      TrialRecord r;
      r.index = i, r.id = "trial" + std::to_string(i), r.epochs_run = 1;
      r.params = {{keys[0], i % 2 ? "0.1" : "0.01"}, {keys[1], "tanh"}};
      r.outcome = i % 2 ? Outcome::learned : Outcome::underfit;
      trials += format_trial_row(r);
      for (int epoch = 0; epoch < 2; ++epoch)
        append_curve_row(curves, r.id, {.epoch = epoch, .train_loss = 1.0 / (epoch + 1)});
    }
    std::ofstream(dir_ / "trials.csv", std::ios::binary) << trials << tail;
    std::ofstream(dir_ / "curves.csv", std::ios::binary) << curves;
  }
  std::string page(std::uint64_t max_curves_bytes = 1 << 20) {
    LiveStatus live;
    live.total = 10;
    return live_report_html(dir_, {"train.learning_rate", "model.activation", "outcome"}, {}, live,
                            max_curves_bytes);
  }
};

TEST_F(LiveReportHtml, CountsTheCompleteRowsOnDiskAndDrawsTheirCurves) {
  write_rows(3, "3,trial3,0,0,0.1,ta");  // a row still being written
  const std::string html = page();
  EXPECT_NE(html.find("running: 3 of 10 trials, learned 1, underfit 2"), std::string::npos);
  EXPECT_NE(html.find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_NE(html.find("id=\"curves-0\""), std::string::npos);
  EXPECT_EQ(html.find("drawn when the run ends"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));  // the caller writes it
}

TEST_F(LiveReportHtml, ATrialTrainedAgainAfterAResumeCountsOnce) {
  write_rows(2);
  const std::string trials = read(dir_ / "trials.csv");
  std::ofstream(dir_ / "trials.csv", std::ios::app | std::ios::binary)
      << trials.substr(trials.rfind('\n', trials.size() - 2) + 1);
  EXPECT_NE(page().find("running: 2 of 10 trials"), std::string::npos);
}

TEST_F(LiveReportHtml, LeavesALargeCurvesFileForTheFinalPage) {
  write_rows(2);
  const std::string html = page(10);
  EXPECT_NE(html.find("running: 2 of 10 trials"), std::string::npos);
  EXPECT_NE(html.find("drawn when the run ends"), std::string::npos);
  EXPECT_EQ(html.find("id=\"curves-0\""), std::string::npos);
}

}  // namespace
}  // namespace results
