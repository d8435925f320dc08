// End-to-end: `nnsweep run|plan SPEC KEY=VALUE ...` changes the sweep file's values, records
// them in the manifest, refuses a resume with other ones, and names the argument of every bad one.
#include "e2e.h"

namespace e2e {
namespace {

class Overrides : public Scratch {};

const char* kSweep = R"(name: o
data: { dataset: xor, points: 60 }
model: { hidden: [4] }
train: { epochs: 40, batch_size: 10 }
grid:
  train.learning_rate: [0.001, 0.01, 0.1]
)";

TEST_F(Overrides, RunTrainsTheChangedSweepAndRecordsTheOverrides) {
  write("s.yaml", kSweep);
  const Output o = nnsweep(
      "run s.yaml train.epochs=5 'grid.train.learning_rate=[0.01,0.1]' "
      "name=quick -q --out out");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string trials = read(dir_ / "out/trials.csv");
  EXPECT_EQ(std::count(trials.begin(), trials.end(), '\n'), 3);  // header and two trials
  EXPECT_EQ(trials.find(",0.001,"), std::string::npos);
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  EXPECT_NE(
      manifest.find(
          R"(overrides: ["train.epochs=5", "grid.train.learning_rate=[0.01,0.1]", "name=quick"])"),
      std::string::npos)
      << manifest;
  EXPECT_NE(manifest.find("name: quick"), std::string::npos);
  EXPECT_NE(manifest.find("epochs: 5"), std::string::npos);
}

TEST_F(Overrides, ResumeWithOtherOverridesIsAChangedSpec) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml train.epochs=5 -q --out out").exit_code, 0);
  const Output other = nnsweep("run s.yaml train.epochs=6 -q --out out --resume");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("cannot --resume out: the command-line overrides (there: "
                           "'train.epochs=5'; now: 'train.epochs=6') changed"),
            std::string::npos)
      << other.err;
  const Output none = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("(there: 'train.epochs=5'; now: none)"), std::string::npos) << none.err;
  EXPECT_EQ(nnsweep("run s.yaml train.epochs=5 -q --out out --resume").exit_code, 0);
}

TEST_F(Overrides, TheResumeCommandRepeatsThem) {
  write("s.yaml", kSweep);
  // Writes past 4 KiB fail as on a full disk: the run stops and says how to finish it.
  const std::string command =
      "cd '" + dir_.string() + "' && ulimit -f 4 && trap '' XFSZ && '" + NNSWEEP_BINARY +
      "' run s.yaml 'grid.train.learning_rate=[0.01, 0.1]' train.epochs=300 -q --out part "
      ">/dev/null 2>err.txt";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 1) << read(dir_ / "err.txt");
  const std::string err = read(dir_ / "err.txt");
  const std::string resume =
      "nnsweep run s.yaml 'grid.train.learning_rate=[0.01, 0.1]' train.epochs=300 --out part "
      "--resume";
  ASSERT_NE(err.find(resume), std::string::npos) << err;
  const Output resumed = nnsweep(resume.substr(std::string("nnsweep ").size()) + " -q");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

TEST_F(Overrides, PlanShowsTheChangedSweep) {
  write("s.yaml", kSweep);
  const Output o = nnsweep(
      "plan s.yaml 'grid.model.activation=[relu, tanh]' repeats=2 "
      "--no-calibration");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("12 trials = 6 configurations (grid 3 x 2) x 2 repeats"), std::string::npos)
      << o.out;
}

TEST_F(Overrides, EveryBadOneExitsTwoNamingItsArgument) {
  write("s.yaml", kSweep);
  const std::pair<const char*, const char*> cases[] = {
      {"plan s.yaml train.epochz=5", "<argument 2>:1:7: error: unknown key 'epochz'"},
      {"plan s.yaml bogus=5", "<argument 2>:1:1: error: unknown key 'bogus'"},
      {"plan --no-calibration s.yaml train.epochs=abc",
       "<argument 3>:1:14: error: train.epochs: expected an integer, got 'abc'"},
      {"plan s.yaml train.epochs=[5]", "<argument 2>:1:14: error: "},
      {"plan s.yaml 'grid.train.learning_rate=[0.1, -2]'", "<argument 2>:1:32: error: "},
      {"plan s.yaml train.epochs", "<argument 2>:1:1: error: 'train.epochs' is not KEY=VALUE"},
      {"plan s.yaml =5", "<argument 2>:1:1: error: the key before '=' is empty"},
      {"plan s.yaml 'grid.convergence.window=[5, 10]'",
       "<argument 2>:1:6: error: convergence.window is an analysis setting"},
      {"run s.yaml --out x 'grid.train.batch_size=[1,2,3,4,5,6,7,8,9,10]' max_trials=20",
       "<argument 4>:1:6: error: the sweep has 30 trials (grid 3 x 10, x 1 repeats), more than "
       "max_trials 20"},
      {"run s.yaml 'random.train.batch_size={int_uniform: [1, 5]}' random.samples=3 "
       "random.method=halton",
       "<argument 4>:1:15: error: unknown random.method 'halton'"},
  };
  for (const auto& [args, message] : cases) {
    const Output o = nnsweep(args);
    EXPECT_EQ(o.exit_code, 2) << args << "\n" << o.err;
    EXPECT_NE(o.err.find(message), std::string::npos) << args << "\n" << o.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

TEST_F(Overrides, PlanShowsTheSpreadOfSobolPoints) {
  write("s.yaml", kSweep);
  const Output o = nnsweep(
      "plan s.yaml grid={} 'random.train.learning_rate={log_uniform: [0.0001, 1]}' "
      "random.samples=32 random.method=sobol --no-calibration");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("random (sobol, 32 samples):"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("train.learning_rate          slices 100% of 32 (pseudo "),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("centred L2 discrepancy"), std::string::npos);
}

}  // namespace
}  // namespace e2e
