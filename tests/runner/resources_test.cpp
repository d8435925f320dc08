// What a run will need: the estimates `plan` prints and `run` checks before it starts.
#include "runner/resources.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "sweeps/spec.h"

namespace runner {
namespace {

sweeps::Sweep parse(const std::string& text) {
  return sweeps::parse_sweep(text, "resources.yaml", ".");
}

TEST(Resources, HumanBytesPicksTheLargestUnitBelowTheValue) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1024), "1 KiB");
  EXPECT_EQ(human_bytes(1.5 * 1024 * 1024), "1.5 MiB");
  EXPECT_EQ(human_bytes(3.0 * 1024 * 1024 * 1024), "3.0 GiB");
}

TEST(Resources, ARowPerTrialAndAtLeastTheCurveRowsEachTrialWrites) {
  const sweeps::Sweep sweep = parse(R"(name: rows
data: { dataset: circle, points: 40 }
repeats: 2
grid:
  train.epochs: [4, 9]
)");
  const Resources r = estimate_resources(sweep, 1);
  EXPECT_EQ(r.trial_rows, 4u);
  EXPECT_GE(r.curve_rows, 2u * (5 + 10));  // epochs 0 .. E, per trial
  EXPECT_FALSE(r.sampled);
  EXPECT_GT(r.disk_bytes, 0u);
}

TEST(Resources, NoCurveRowsWithCurvesOff) {
  const Resources r =
      estimate_resources(parse("data: { dataset: circle, points: 40 }\ncurves: off\n"), 1);
  EXPECT_EQ(r.curve_rows, 0u);
  EXPECT_EQ(r.trial_rows, 1u);
}

TEST(Resources, TheLargestNetworkDecidesTheMemoryPerTraining) {
  const sweeps::Sweep sweep = parse(R"(data: { dataset: circle, points: 40 }
grid:
  model.hidden: [[4], [256, 256], [8]]
)");
  const Resources r = estimate_resources(sweep, 1);
  std::uint64_t wide = 0;
  for (std::uint64_t i = 0; i < sweep.size(); ++i)
    if (sweep.trial(i).config.model.hidden.size() == 2) wide = i;
  EXPECT_EQ(r.largest_trial, wide);
  const Resources small = estimate_resources(parse("data: { dataset: circle, points: 40 }\n"
                                                   "model: { hidden: [4] }\n"),
                                             1);
  EXPECT_GT(r.trial_memory, small.trial_memory);
  EXPECT_GE(r.peak_memory, r.trial_memory * r.trainings);
}

TEST(Resources, TrainingsAtOnceGrowWithThreadsUpToTheTrials) {
  const sweeps::Sweep many = parse(R"(data: { dataset: circle, points: 40 }
repeats: 500
)");
  const Resources one = estimate_resources(many, 1), two = estimate_resources(many, 2);
  EXPECT_EQ(two.trainings, 2 * one.trainings);
  EXPECT_GT(two.peak_memory, one.peak_memory);
  const sweeps::Sweep three = parse("data: { dataset: circle, points: 40 }\nrepeats: 3\n");
  EXPECT_EQ(estimate_resources(three, 64).trainings, 3u);
}

// Above 100,000 trials the sums come from an even sample (every step-th trial, step = trials /
// 100,000), while the row count stays exact.
TEST(Resources, ASweepOfTwiceTheSampleOrMoreIsSampled) {
  const Resources r =
      estimate_resources(parse("data: { dataset: circle, points: 40 }\nrepeats: 250000\n"), 1);
  EXPECT_TRUE(r.sampled);
  EXPECT_EQ(r.trial_rows, 250000u);
}

TEST(Resources, RunRefusesASweepLargerThanThisMachinesMemory) {
  if (!memory_limit()) GTEST_SKIP() << "this machine reports no memory limit";
  const sweeps::Sweep huge = parse(R"(data: { dataset: circle, points: 10000000 }
model: { hidden: [4096, 4096, 4096] }
)");
  try {
    check_memory(huge, 64);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("the sweep would need about ", 0), 0u) << message;
    EXPECT_NE(message.find("use fewer threads, fewer points or smaller networks"),
              std::string::npos)
        << message;
  }
  EXPECT_NO_THROW(check_memory(parse("data: { dataset: circle, points: 40 }\n"), 1));
}

}  // namespace
}  // namespace runner
