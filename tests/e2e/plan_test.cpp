// End-to-end: `nnsweep plan` validates, counts and lists trials, and writes nothing.
#include "e2e.h"

namespace e2e {
namespace {

class Plan : public Scratch {};

const char* kSweep = R"(name: p
repeats: 2
data: { dataset: circle, points: 100 }
grid:
  train.learning_rate: [0.01, 0.1, 1]
  train.epochs: [5, 10]
exclude: [{train.learning_rate: 1, train.epochs: 10}]
)";

TEST_F(Plan, CountsListsAndEstimatesWithoutWriting) {
  write("s.yaml", kSweep);
  const Output o = nnsweep("plan s.yaml");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("10 trials = 5 configurations (grid 3 x 2 - 1 excluded) x 2 repeats"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("train.epochs                 5, 10"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("work: "), std::string::npos);
  EXPECT_NE(o.out.find("time: about "), std::string::npos);
  // Every phase and resource, not only the training.
  EXPECT_NE(o.out.find("memory: about "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("disk: about "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("tables and report after training: about "), std::string::npos) << o.out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  EXPECT_EQ(files, std::vector<fs::path>{dir_ / "s.yaml"});
}

TEST_F(Plan, PrintsEveryTrialAsCsv) {
  write("s.yaml", kSweep);
  const Output o = nnsweep("plan s.yaml --format csv");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.substr(0, o.out.find('\n')).substr(0, 45),
            "index,id,repeat,fold,seed,data.dataset,data.p");
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 11);
}

TEST_F(Plan, RefusesABadSweepWithItsPositionAndExitCode2) {
  write("s.yaml", "train:\n  learning_rate: -1\n");
  const Output o = nnsweep("plan s.yaml");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "s.yaml:2:18: error: train.learning_rate must be > 0, got -1\n");
}

TEST_F(Plan, HonoursMaxTrials) {
  write("s.yaml", kSweep);
  const Output o = nnsweep("plan s.yaml --max-trials 4");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("the sweep has 10 trials"), std::string::npos) << o.err;
}

TEST_F(Plan, PlansEveryBundledExample) {
  for (const char* name :
       {"lesson", "batch_epochs", "hidden_xor", "regression", "regularization", "iris"}) {
    const Output o =
        nnsweep(std::string("plan --no-calibration '" NNSWEEP_SOURCE_DIR "/sweeps/examples/") +
                name + ".yaml'");
    EXPECT_EQ(o.exit_code, 0) << name << ": " << o.err;
  }
}

// Boost.Program_options would read -1 into an unsigned option as 2^64 - 1.
TEST_F(Plan, RefusesNegativeCounts) {
  write("s.yaml", kSweep);
  const Output first = nnsweep("plan s.yaml --first -1");
  EXPECT_EQ(first.exit_code, 2);
  EXPECT_EQ(first.err, "nnsweep plan: error: --first must be a whole number >= 0, got '-1'\n");
  const Output max = nnsweep("run s.yaml --max-trials -5 --out out");
  EXPECT_EQ(max.exit_code, 2);
  EXPECT_EQ(max.err, "nnsweep run: error: --max-trials must be a whole number >= 0, got '-5'\n");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

// Within the caps but beyond this machine's memory: exit 1 before a directory is made.
TEST_F(Plan, RunRefusesASweepLargerThanMemoryBeforeWriting) {
  std::string hidden = "[4096";
  for (int i = 0; i < 63; ++i) hidden += ", 4096";
  write("big.yaml", "model: { hidden: " + hidden + "] }\ntrain: { epochs: 1 }\n");
  const Output o = nnsweep("run big.yaml --out out --threads 1");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("of memory"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("this machine allows"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  EXPECT_NE(nnsweep("plan big.yaml --no-calibration").out.find("memory: about "),
            std::string::npos);
}

}  // namespace
}  // namespace e2e
