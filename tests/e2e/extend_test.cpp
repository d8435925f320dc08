// End-to-end: `nnsweep run SPEC --out DIR --extend` grows a finished sweep into a changed spec.
// It trains only the trials the directory does not hold, and its files then equal those of a
// fresh run of the new spec (timing columns aside); removed trials go to retired.csv.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <regex>
#include <thread>

#include "e2e.h"
#include "results/trial_record.h"

namespace e2e {
namespace {

// 2 learning rates x 2 activations x 2 repeats = 8 trials.
const char* kBase = R"(name: grow
seed: 11
repeats: 2
data: { dataset: circle, points: 100 }
model: { hidden: [4] }
train: { batch_size: 10, epochs: 12 }
grid:
  train.learning_rate: [0.03, 0.3]
  model.activation: [relu, tanh]
)";

// `kBase` with `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = kBase;
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

const std::vector<std::string> kTrialTimes = {"wall_seconds"};
const std::vector<std::string> kSummaryTimes = {"wall_seconds_mean",     "wall_seconds_std",
                                                "wall_seconds_min",      "wall_seconds_max",
                                                "wall_seconds_ci95_low", "wall_seconds_ci95_high"};

class Extend : public Scratch {
 protected:
  // The trainings `run` reported: "grow: N trials (M trainings)".
  static int trainings(const Output& run) {
    std::smatch match;
    EXPECT_TRUE(std::regex_search(run.out, match, std::regex(R"(\((\d+) trainings)")))
        << run.out << run.err;
    return match.empty() ? -1 : std::stoi(match[1]);
  }

  // Every file a fresh run of `spec` writes into `fresh` equals the one in `grown`.
  void expect_equals_fresh_run(const std::string& spec, const std::string& grown) {
    fs::remove_all(dir_ / ("fresh_" + grown));
    const Output fresh = nnsweep(fmt::format("run {} --out fresh_{}", spec, grown));
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    const fs::path a = dir_ / grown, b = dir_ / ("fresh_" + grown);
    EXPECT_EQ(csv_without(read(a / "trials.csv"), kTrialTimes),
              csv_without(read(b / "trials.csv"), kTrialTimes));
    EXPECT_EQ(read(a / "curves.csv"), read(b / "curves.csv"));
    EXPECT_EQ(csv_without(read(a / "summary.csv"), kSummaryTimes),
              csv_without(read(b / "summary.csv"), kSummaryTimes));
    EXPECT_EQ(read(a / "convergence.csv"), read(b / "convergence.csv"));
  }

  // Runs kBase into `out`, then `grown` (a sweep text) with --extend; returns the extension.
  Output grow(const std::string& grown, const std::string& out = "out") {
    write("s.yaml", kBase);
    EXPECT_EQ(nnsweep("run s.yaml -q --out " + out).exit_code, 0);
    write("s.yaml", grown);
    return nnsweep("run s.yaml --out " + out + " --extend");
  }
};

TEST_F(Extend, AnotherLearningRateTrainsOnlyItsTrialsAndEqualsAFreshRun) {
  const Output r = grow(edited("[0.03, 0.3]", "[0.03, 0.1, 0.3]"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 4);
  EXPECT_NE(r.err.find("extending out/: 8 finished trials kept, 4 to train, 0 retired"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out/retired.csv"));
  expect_equals_fresh_run("s.yaml", "out");
  // The manifest keeps the spec hashes the rows were made under.
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  EXPECT_NE(manifest.find("kept: 0, trained: 8, retired: 0}"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("kept: 8, trained: 4, retired: 0}"), std::string::npos) << manifest;
  EXPECT_EQ(manifest.find("extending:"), std::string::npos) << manifest;
}

TEST_F(Extend, ARepeatTrainsOnlyTheNewRepeat) {
  const Output r = grow(edited("repeats: 2", "repeats: 3"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 4);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, MoreEpochsTrainOnlyTheLongerTrials) {
  std::string grown = edited("epochs: 12 }", "}");
  grown += "  train.epochs: [12, 30]\n";
  const Output r = grow(grown);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 8);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, MoreRandomSamplesTrainOnlyTheNewSamples) {
  // Asking for more samples keeps the earlier ones, so their trials keep their ids.
  const std::string random = R"(name: grow
seed: 11
repeats: 2
data: { dataset: circle, points: 100 }
model: { hidden: [4] }
train: { batch_size: 10, epochs: 12 }
random: { samples: SAMPLES, params: { train.learning_rate: { log_uniform: [0.001, 1] } } }
)";
  auto with_samples = [&](const char* samples) {
    std::string text = random;
    return text.replace(text.find("SAMPLES"), 7, samples);
  };
  write("s.yaml", with_samples("3"));
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  write("s.yaml", with_samples("5"));
  const Output r = nnsweep("run s.yaml --out out --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 4);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, ARemovedValueMovesItsRowsToRetiredAndComesBackRetrained) {
  Output r = grow(edited("[0.03, 0.3]", "[0.03]"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 0);
  expect_equals_fresh_run("s.yaml", "out");
  const std::string retired = read(dir_ / "out/retired.csv");
  const std::vector<std::string> rows = csv_without(retired, {});
  ASSERT_EQ(rows.size(), 5u) << retired;  // the header and the 4 trials at 0.3
  EXPECT_EQ(retired.substr(0, retired.find('\n')),
            read(dir_ / "out/trials.csv").substr(0, retired.find('\n')));
  for (std::size_t i = 1; i < rows.size(); ++i)
    EXPECT_NE(rows[i].find(",0.3,"), std::string::npos) << rows[i];

  // Back again: trained anew, and no longer retired.
  write("s.yaml", kBase);
  r = nnsweep("run s.yaml --out out --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 4);
  EXPECT_EQ(csv_without(read(dir_ / "out/retired.csv"), {}).size(), 1u);
  expect_equals_fresh_run("s.yaml", "out");
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  EXPECT_NE(manifest.find("kept: 4, trained: 0, retired: 4}"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("kept: 4, trained: 4, retired: 0}"), std::string::npos) << manifest;
}

TEST_F(Extend, RetiredRowsOfOtherColumnsShareOneHeader) {
  ASSERT_EQ(grow(edited("[0.03, 0.3]", "[0.03]")).exit_code, 0);  // retires 4 sgd rows
  write("s.yaml", edited("[0.03, 0.3]", "[0.03]") + "  train.optimizer: [sgd, adam]\n");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out --extend").exit_code, 0);
  write("s.yaml", edited("[0.03, 0.3]", "[0.03]") + "  train.optimizer: [adam]\n");
  const Output r = nnsweep("run s.yaml --out out --extend");  // retires the other 4 sgd rows
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 0);
  expect_equals_fresh_run("s.yaml", "out");
  // retired.csv reads as a trials.csv: Adam's columns added, empty in the sgd rows.
  std::ifstream in(dir_ / "out/retired.csv", std::ios::binary);
  std::vector<results::TrialRecord> rows;
  const auto info = results::read_trials(
      in, "retired.csv", [&](results::TrialRecord&& record) { rows.push_back(std::move(record)); });
  ASSERT_EQ(rows.size(), 8u);
  const auto& keys = info.param_keys;
  EXPECT_NE(std::find(keys.begin(), keys.end(), "train.beta1"), keys.end());
  for (const auto& row : rows) {
    ASSERT_EQ(row.params.size(), keys.size());
    for (const auto& [key, value] : row.params) {
      if (key == "train.optimizer") {
        EXPECT_EQ(value, "sgd");
      }
      if (key == "train.beta1") {
        EXPECT_EQ(value, "");
      }
    }
  }
}

TEST_F(Extend, NewColumnsAreFilledForKeptRows) {
  // Adam's settings become parameter columns of every row (empty for the kept sgd rows).
  const Output r = grow(std::string(kBase) + "  train.optimizer: [sgd, adam]\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 8);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, ResumeStillRefusesAChangedSweepFile) {
  write("s.yaml", kBase);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::string trials = read(dir_ / "out/trials.csv");
  write("s.yaml", edited("[0.03, 0.3]", "[0.03, 0.1, 0.3]"));
  const Output r = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot --resume out: the sweep file changed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("grow that run with --extend"), std::string::npos) << r.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv"), trials);
}

TEST_F(Extend, UnchangedSpecResumesAndAnEmptyDirectoryJustRuns) {
  write("s.yaml", kBase);
  Output r = nnsweep("run s.yaml --out out --extend");  // nothing there yet
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 8);
  // Cut after the header and three rows, as a kill between rows would.
  const std::string trials = read(dir_ / "out/trials.csv");
  write("out/trials.csv", trials.substr(0, first_lines(trials, 4)));
  r = nnsweep("run s.yaml --out out --extend --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 5);
  EXPECT_EQ(read(dir_ / "out/manifest.yaml").find("history"), std::string::npos);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, AKillDuringTheTrainingIsFinishedByAnotherExtend) {
  const std::string grown = edited("[0.03, 0.3]", "[0.03, 0.1, 0.3]");
  ASSERT_EQ(grow(grown).exit_code, 0);
  // The new trials' rows cut away (the last four lines are of the trials at 0.3, so cut more):
  // as if the run had been killed after the directory was prepared.
  const std::string trials = read(dir_ / "out/trials.csv");
  write("out/trials.csv", trials.substr(0, first_lines(trials, 3) + 5));  // a torn line too
  const Output r = nnsweep("run s.yaml --out out --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 10);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, AKillWhileTheFilesAreReplacedIsFinishedByAnotherExtend) {
  // The new files are renamed over the old ones one by one, the manifest last: the state after
  // the first renames is the new retired.csv and curves.csv beside the old trials.csv and
  // manifest. Made here from a finished extension and a copy of the directory before it.
  write("s.yaml", kBase);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  fs::copy(dir_ / "out", dir_ / "killed");
  const std::string grown = edited("[0.03, 0.3]", "[0.03, 0.1]");
  write("s.yaml", grown);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out --extend").exit_code, 0);
  fs::copy_file(dir_ / "out/retired.csv", dir_ / "killed/retired.csv");
  write("killed/curves.csv", read(dir_ / "out/curves.csv"));
  // The manifest is marked before the first rename: a --resume of the old sweep file, which
  // would take the half-replaced rows by index, is refused.
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  const std::size_t at = manifest.find("\nspec_hash: ") + 12;
  const std::string hash = manifest.substr(at, manifest.find('\n', at) - at);
  write("killed/manifest.yaml", read(dir_ / "killed/manifest.yaml") + "extending: " + hash + "\n");
  write("old.yaml", kBase);
  const Output resumed = nnsweep("run old.yaml -q --out killed --resume");
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_NE(
      resumed.err.find("killed: error: cannot --resume: an --extend into another sweep "
                       "file (spec hash " +
                       hash.substr(1, 16) + ") was stopped half way; finish it with --extend"),
      std::string::npos)
      << resumed.err;
  const Output r = nnsweep("run s.yaml --out killed --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 4);
  expect_equals_fresh_run("s.yaml", "killed");
  EXPECT_EQ(read(dir_ / "killed/retired.csv"), read(dir_ / "out/retired.csv"));  // once each
}

TEST_F(Extend, KilledAtRandomMomentsThenExtendedAgainEqualsAFreshRun) {
  // 8 learning rates x 2 activations x 2 repeats x 3 budgets: 88 new trials to train.
  const std::string grown = edited("[0.03, 0.3]", "[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]") +
                            "  train.epochs: [12, 40, 80]\n";
  write("g.yaml", grown);
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_EQ(nnsweep("run g.yaml -q --threads 2 --out fresh_killed").exit_code, 0);
  const long run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - begin)
                          .count();
  write("s.yaml", kBase);
  ASSERT_EQ(nnsweep("run s.yaml -q --out killed").exit_code, 0);
  // Kills from the first moments (the files being replaced) to late in the training.
  std::uint32_t state = 7;
  int killed = 0;
  for (int round = 0; round < 8; ++round) {
    const std::string command = "cd '" + dir_.string() +
                                "' && exec '" NNSWEEP_BINARY
                                "' run g.yaml -q --threads 2 --out killed --extend 2>/dev/null";
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    state = state * 1664525u + 1013904223u;  // a fixed sequence of delays: reproducible
    std::this_thread::sleep_for(
        std::chrono::milliseconds(static_cast<long>((state >> 8) % (run_ms / 2 + 1))));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    killed += WIFSIGNALED(status) ? 1 : 0;
  }
  EXPECT_GE(killed, 2);  // the first kills came before the end
  const Output r = nnsweep("run g.yaml -q --threads 2 --out killed --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path a = dir_ / "killed", b = dir_ / "fresh_killed";
  EXPECT_EQ(csv_without(read(a / "trials.csv"), kTrialTimes),
            csv_without(read(b / "trials.csv"), kTrialTimes));
  EXPECT_EQ(read(a / "curves.csv"), read(b / "curves.csv"));
  EXPECT_EQ(csv_without(read(a / "summary.csv"), kSummaryTimes),
            csv_without(read(b / "summary.csv"), kSummaryTimes));
  EXPECT_EQ(read(a / "convergence.csv"), read(b / "convergence.csv"));
  EXPECT_FALSE(fs::exists(a / "retired.csv"));  // nothing left the sweep
}

TEST_F(Extend, ErrorRowsAreTrainedAgain) {
  write("s.yaml", kBase);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  // The first trial failed with an error in that run.
  std::ifstream in(dir_ / "out/trials.csv", std::ios::binary);
  std::string text;
  const auto info = results::read_trials(in, "trials.csv", [&](results::TrialRecord&& r) {
    if (r.index == 0) r.outcome = results::Outcome::error, r.error = "out of memory";
    text += results::format_trial_row(r);
  });
  write("out/trials.csv", results::format_trials_header(info.param_keys) + text);
  write("s.yaml", edited("[0.03, 0.3]", "[0.03, 0.1, 0.3]"));
  const Output r = nnsweep("run s.yaml --out out --extend");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trainings(r), 5);
  expect_equals_fresh_run("s.yaml", "out");
}

TEST_F(Extend, RefusesWhatItCannotGrowAndChangesNothing) {
  write("s.yaml", kBase);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::string trials = read(dir_ / "out/trials.csv");
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  auto refused = [&](const std::string& args, const std::string& message) {
    const Output r = nnsweep(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(read(dir_ / "out/trials.csv"), trials) << args;
    EXPECT_FALSE(fs::exists(dir_ / "out/retired.csv")) << args;
  };
  write("s.yaml", edited("[0.03, 0.3]", "[0.03]"));
  refused("run s.yaml -q --out out --extend --shard 0/2",
          "out: error: cannot --extend: shards grow only as a whole sweep");
  write("more.yaml", edited("[0.03, 0.3]", "[0.03]") + "convergence: { stall: 0.2 }\n");
  refused("run more.yaml -q --out out --extend",
          "more.yaml: error: cannot --extend: the convergence settings changed");
  write("more.yaml", edited("[0.03, 0.3]", "[0.03]") + "curves: { every: 2 }\n");
  refused("run more.yaml -q --out out --extend",
          "more.yaml: error: cannot --extend: the curves settings changed");
  // A sweep with successive halving (its spec in the manifest says so).
  std::string halving = manifest;
  halving.insert(halving.find("  grid:\n"), "  halving: {eta: 3}\n");
  write("out/manifest.yaml", halving);
  refused("run s.yaml -q --out out --extend",
          "s.yaml: error: cannot --extend: a sweep with `halving:`");
  std::string old_scheme = manifest;
  old_scheme.erase(old_scheme.find("id_scheme: 3\n"), 13);
  write("out/manifest.yaml", old_scheme);
  refused("run s.yaml -q --out out --extend",
          "out: error: cannot --extend: that run was made by an nnsweep whose trial ids and seeds "
          "differ from this one's (id scheme 1 there, 3 here)");
  write("out/manifest.yaml", manifest);
  fs::create_symlink("elsewhere.csv", dir_ / "out/retired.csv");
  const Output link = nnsweep("run s.yaml -q --out out --extend");
  EXPECT_EQ(link.exit_code, 2);
  EXPECT_NE(link.err.find("out/retired.csv: error: is a symbolic link"), std::string::npos)
      << link.err;
  EXPECT_FALSE(fs::exists(dir_ / "out/elsewhere.csv"));
  fs::remove(dir_ / "out/retired.csv");
  write("out/trials.csv", trials + "12,not a row\n");
  const Output corrupt = nnsweep("run s.yaml -q --out out --extend");
  EXPECT_EQ(corrupt.exit_code, 2);
  EXPECT_NE(corrupt.err.find("out/trials.csv:"), std::string::npos) << corrupt.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv"), trials + "12,not a row\n");
  EXPECT_EQ(read(dir_ / "out/manifest.yaml"), manifest);
}

TEST_F(Extend, RefusesADirectoryThatIsNotNnsweeps) {
  write("s.yaml", kBase);
  fs::create_directories(dir_ / "out");
  write("out/keep.txt", "precious");
  const Output r = nnsweep("run s.yaml -q --out out --extend");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "out: error: cannot --extend: no manifest.yaml, so this is not an nnsweep output "
            "directory\n");
  EXPECT_EQ(read(dir_ / "out/keep.txt"), "precious");
  EXPECT_FALSE(fs::exists(dir_ / "out/trials.csv"));
}

}  // namespace
}  // namespace e2e
