#include "runner/live_report.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "results/trial_record.h"
#include "scratch_dir.h"

namespace runner {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TEST(LiveReportWait, IsTheIntervalOrFiftyTimesTheLastRebuild) {
  LiveReportOptions options;
  options.interval = milliseconds(5000);
  EXPECT_EQ(next_wait(options, milliseconds(10)), milliseconds(5000));
  EXPECT_EQ(next_wait(options, milliseconds(100)), milliseconds(5000));
  EXPECT_EQ(next_wait(options, milliseconds(400)), milliseconds(20000));
  options.cost_factor = 10;
  EXPECT_EQ(next_wait(options, milliseconds(1000)), milliseconds(10000));
}

class LiveReportTest : public testing_support::ScratchDir {
 protected:
  LiveReportOptions options(milliseconds interval) {
    return {.dir = dir_, .sweep_name = "live", .total = 4, .interval = interval};
  }

  // Appends trials first..last-1 to trials.csv (its header first when it is new).
  void append_rows(std::uint64_t first, std::uint64_t last) {
    const std::vector<std::string> keys = {"train.learning_rate", "model.activation"};
    std::ofstream out(dir_ / "trials.csv", std::ios::app | std::ios::binary);
    if (first == 0) out << results::format_trials_header(keys);
    for (std::uint64_t i = first; i < last; ++i) {
      results::TrialRecord r;
      r.index = i, r.id = "trial" + std::to_string(i), r.outcome = results::Outcome::learned;
      r.params = {{keys[0], "0.1"}, {keys[1], "tanh"}};
      out << results::format_trial_row(r);
    }
  }

  // report.html once `done` holds for it; fails after a minute, far beyond any rebuild.
  std::string page_when(const std::function<bool(const std::string&)>& done) {
    for (int i = 0; i < 60000; ++i) {
      if (fs::exists(dir_ / "report.html"))
        if (std::string page = read(dir_ / "report.html"); done(page)) return page;
      std::this_thread::sleep_for(milliseconds(1));
    }
    ADD_FAILURE() << "no such page";
    return {};
  }
  static bool says(const std::string& page, const std::string& text) {
    return page.find(text) != std::string::npos;
  }
};

TEST_F(LiveReportTest, FollowsTheRowsOnDiskAndKeepsTheFinalPage) {
  append_rows(0, 2);
  LiveReport live(options(milliseconds(1)));
  const std::string first = page_when([](const auto& p) { return says(p, "running: 2 of 4"); });
  EXPECT_TRUE(says(first, "<meta http-equiv=\"refresh\" content=\"1\">"));
  append_rows(2, 3);
  page_when([](const auto& p) { return says(p, "running: 3 of 4 trials, learned 3"); });
  live.stop();
  EXPECT_GE(live.pages(), 2u);
  EXPECT_TRUE(live.error().empty());
  // The final page comes after stop(); the owner says so and the destructor leaves it.
  std::ofstream(dir_ / "report.html") << "final";
  live.final_page_written();
  live.stop();  // again: nothing
  EXPECT_EQ(read(dir_ / "report.html"), "final");
}

TEST_F(LiveReportTest, ALivePageLeftByARunThatDidNotFinishIsRemoved) {
  append_rows(0, 1);
  {
    LiveReport live(options(milliseconds(1)));
    page_when([](const auto& p) { return says(p, "running: 1 of 4"); });
  }
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
}

// A run shorter than the interval makes no page, and stopping does not wait for the interval.
TEST_F(LiveReportTest, StopsAtOnceAndWritesNothingBeforeTheFirstInterval) {
  append_rows(0, 1);
  std::ofstream(dir_ / "report.html") << "a previous run's page";
  LiveReport live(options(milliseconds(3600 * 1000)));
  live.stop();
  EXPECT_EQ(live.pages(), 0u);
  EXPECT_EQ(read(dir_ / "report.html"), "a previous run's page");
}

TEST_F(LiveReportTest, AFailedRebuildStopsRebuildingAndSaysWhy) {
  std::ofstream(dir_ / "trials.csv") << "not,a,trials,header\n";
  LiveReport live(options(milliseconds(1)));
  for (int i = 0; i < 60000 && live.error().empty(); ++i)
    std::this_thread::sleep_for(milliseconds(1));
  EXPECT_NE(live.error().find("trials.csv"), std::string::npos) << live.error();
  live.stop();
  EXPECT_EQ(live.pages(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "report.html"));
}

}  // namespace
}  // namespace runner
