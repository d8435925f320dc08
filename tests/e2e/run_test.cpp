// End-to-end: `nnsweep run` on real sweep files, reading its output files back.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "e2e.h"

namespace e2e {
namespace {

// 5 learning rates x 4 activations x 3 epoch counts x 2 repeats = 120 trials.
const char* kSweep = R"(name: e2e
seed: 7
repeats: 2
data: { dataset: circle, points: 120 }
model: { hidden: [6] }
train: { batch_size: 10 }
grid:
  train.learning_rate: [0.003, 0.03, 0.3, 3, 30]
  model.activation: [relu, tanh, sigmoid, linear]
  train.epochs: [5, 15, 30]
)";

class Run : public Scratch {
 protected:
  // Runs `sweep` at 1, 2 and 4 threads (into t1, t2, t4): the same rows, `rows` of them with the
  // header, the same curves and the same convergence table.
  void expect_same_results_for_any_threads(const std::string& sweep, std::size_t rows) {
    write("s.yaml", sweep);
    for (const char* threads : {"1", "2", "4"})
      ASSERT_EQ(nnsweep(std::string("run s.yaml -q --threads ") + threads + " --out t" + threads)
                    .exit_code,
                0);
    const auto one = csv_without(read(dir_ / "t1/trials.csv"), {"wall_seconds"});
    EXPECT_EQ(one.size(), rows);
    for (const char* other : {"t2", "t4"}) {
      EXPECT_EQ(one, csv_without(read(dir_ / other / "trials.csv"), {"wall_seconds"})) << other;
      EXPECT_EQ(read(dir_ / "t1/curves.csv"), read(dir_ / other / "curves.csv")) << other;
      EXPECT_EQ(read(dir_ / "t1/convergence.csv"), read(dir_ / other / "convergence.csv")) << other;
    }
  }
};

TEST_F(Run, ResultsAreIdenticalForAnyThreadCount) {
  expect_same_results_for_any_threads(kSweep, 121);
}

// Splits large enough that a pack's evaluation hands its blocks to idle threads (a single pack
// of mixed activations and optimizers, so with 2 or 4 threads all but one idle): the same rows.
TEST_F(Run, LargeSplitsEvaluatedOnSeveralThreadsGiveTheSameRows) {
  expect_same_results_for_any_threads(R"(name: large
seed: 3
data: { dataset: circle, points: 4000, train_fraction: 0.6, validation_fraction: 0.25 }
model: { hidden: [32, 32] }
train: { batch_size: 50, epochs: 3 }
grid:
  model.activation: [relu, tanh]
  train.optimizer: [sgd, adam]
)",
                                      5);
}

TEST_F(Run, SharedEpochTrainingEqualsStandaloneRuns) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out all").exit_code, 0);
  // The same sweep once per epoch count: each trial then trains alone.
  std::vector<std::string> alone;
  for (const std::string epochs : {"5", "15", "30"}) {
    std::string text = kSweep;
    text.replace(text.find("[5, 15, 30]"), 11, fmt::format("[{}]", epochs));
    write(fmt::format("s{}.yaml", epochs), text);
    ASSERT_EQ(nnsweep(fmt::format("run s{}.yaml -q --out e{}", epochs, epochs)).exit_code, 0);
    const auto rows = csv_without(read(dir_ / fmt::format("e{}/trials.csv", epochs)),
                                  {"wall_seconds", "trial_index"});
    alone.insert(alone.end(), rows.begin() + 1, rows.end());
  }
  auto shared = csv_without(read(dir_ / "all/trials.csv"), {"wall_seconds", "trial_index"});
  shared.erase(shared.begin());
  std::sort(shared.begin(), shared.end());
  std::sort(alone.begin(), alone.end());
  EXPECT_EQ(shared, alone);
}

TEST_F(Run, WritesEveryOutputFileAndPrintsTheTable) {
  write("s.yaml", kSweep);
  const Output r = nnsweep("run s.yaml --out out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"trials.csv", "curves.csv", "summary.csv", "convergence.csv",
                           "convergence.md", "manifest.yaml"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / file)) << file;
  EXPECT_NE(r.out.find("train.learning_rate \\ model.activation"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("best configurations"), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos);  // no colour into a file
  const std::string manifest = read(dir_ / "out/manifest.yaml");
  EXPECT_NE(manifest.find("spec_hash"), std::string::npos);
  EXPECT_NE(manifest.find("total: 120"), std::string::npos);
}

TEST_F(Run, DefaultOutputDirectoryIsRunsSlashName) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q").exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "runs/e2e/trials.csv"));
}

TEST_F(Run, RefusesANonEmptyOutputDirectoryWithoutResume) {
  write("s.yaml", kSweep);
  fs::create_directories(dir_ / "out");
  write("out/keep.txt", "precious");
  const Output r = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "out: error: output directory is not empty; add --resume to continue that run, or "
            "choose another directory with --out\n");
  EXPECT_EQ(read(dir_ / "out/keep.txt"), "precious");
  EXPECT_FALSE(fs::exists(dir_ / "out/trials.csv"));
}

TEST_F(Run, ResumeOfACompleteRunTrainsNothingAndKeepsTheRows) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::string before = read(dir_ / "out/trials.csv");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out --resume").exit_code, 0);
  EXPECT_EQ(read(dir_ / "out/trials.csv"), before);
}

TEST_F(Run, ResumeRefusesAChangedSweepFile) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  std::string changed = kSweep;
  changed.replace(changed.find("seed: 7"), 7, "seed: 8");
  write("s.yaml", changed);
  const Output r = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("s.yaml: error: cannot --resume out: the sweep file changed"),
            std::string::npos)
      << r.err;
}

TEST_F(Run, ResumeRefusesARunMadeUnderAnotherIdScheme) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  // A manifest of an nnsweep from before id schemes has no id_scheme key.
  std::string manifest = read(dir_ / "out/manifest.yaml");
  const std::size_t at = manifest.find("id_scheme: 3\n");
  ASSERT_NE(at, std::string::npos);
  write("out/manifest.yaml", manifest.erase(at, 13));
  const std::string trials = read(dir_ / "out/trials.csv");
  const Output r = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "out: error: cannot --resume: that run was made by an nnsweep whose trial ids and "
            "seeds differ from this one's (id scheme 1 there, 3 here), so its rows cannot be "
            "continued; run the sweep again into a new --out directory\n");
  EXPECT_EQ(read(dir_ / "out/trials.csv"), trials);
}

TEST_F(Run, CollapsedCombinationsTrainOnceAndLeaveInapplicableCellsEmpty) {
  write("c.yaml",
        "data: {points: 60}\ntrain: {epochs: 3}\ngrid:\n"
        "  train.optimizer: [sgd, momentum]\n  train.momentum: [0.5, 0.9]\n");
  const Output r = nnsweep("run c.yaml -q --out out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string trials = read(dir_ / "out/trials.csv");
  EXPECT_EQ(std::count(trials.begin(), trials.end(), '\n'), 4);  // header + 3 trials
  EXPECT_NE(trials.find(",sgd,0.03,10,3,every_epoch,,none,"), std::string::npos) << trials;
  EXPECT_NE(trials.find(",momentum,0.03,10,3,every_epoch,0.9,none,"), std::string::npos) << trials;
  EXPECT_EQ(trials.find("convergence."), std::string::npos);
}

TEST_F(Run, ResumeFinishesATruncatedRunWithIdenticalResults) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out full").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --out part").exit_code, 0);
  // Keep the header and 40 rows, then tear the next row in half, as a kill would.
  const std::string text = read(dir_ / "part/trials.csv");
  write("part/trials.csv", text.substr(0, first_lines(text, 41) + 30));
  const Output r = nnsweep("run s.yaml -q --out part --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "part/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "part/curves.csv"), read(dir_ / "full/curves.csv"));
}

TEST_F(Run, KilledAtRandomMomentsThenResumedEqualsAnUninterruptedRun) {
  std::string big = kSweep;
  big.replace(big.find("[5, 15, 30]"), 11, "[1000, 3000, 10000]");
  write("s.yaml", big);
  ASSERT_EQ(nnsweep("run s.yaml -q --out full").exit_code, 0);
  const std::string command = "cd '" + dir_.string() +
                              "' && exec '" NNSWEEP_BINARY
                              "' run s.yaml -q --threads 2 --out killed --resume";
  std::uint32_t state = 12345;
  std::vector<std::size_t> rows_seen;
  for (int kill_round = 0; kill_round < 6; ++kill_round) {
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Kill once this round has added a row, after a further pseudo-random delay: always mid-run
    // and always with progress, however loaded the machine is.
    const std::size_t before = csv_without(read(dir_ / "killed/trials.csv"), {}).size();
    int status = 0;
    bool exited = false;
    for (int wait = 0; wait < 2000 && !exited; ++wait) {
      if (csv_without(read(dir_ / "killed/trials.csv"), {}).size() > before) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (exited) break;                       // finished before this round's kill
    state = state * 1664525u + 1013904223u;  // a fixed sequence of delays: reproducible
    std::this_thread::sleep_for(std::chrono::milliseconds(state % 100));
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    rows_seen.push_back(csv_without(read(dir_ / "killed/trials.csv"), {}).size());
  }
  // The kills landed mid-run: each round found some rows and left some trials to do.
  ASSERT_GE(rows_seen.size(), 3u);
  EXPECT_LT(rows_seen.front(), 121u);
  EXPECT_GT(rows_seen.back(), rows_seen.front());
  const Output r = nnsweep("run s.yaml -q --threads 2 --out killed --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "killed/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "killed/curves.csv"), read(dir_ / "full/curves.csv"));
}

TEST_F(Run, InterruptStopsPromptlyWithCode130AndSaysHowToResume) {
  std::string big = kSweep;
  big.replace(big.find("[5, 15, 30]"), 11, "[3000]");
  write("s.yaml", big);
  const std::string command = "cd '" + dir_.string() +
                              "' && exec '" NNSWEEP_BINARY
                              "' run s.yaml -q --threads 2 --out out 2>err.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Interrupt once the run is under way (its manifest is written), however slow the start.
  for (int wait = 0; wait < 2000 && !fs::exists(dir_ / "out/manifest.yaml"); ++wait)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const std::string err = read(dir_ / "err.txt");
  EXPECT_NE(err.find("interrupted: "), std::string::npos) << err;
  EXPECT_NE(err.find("nnsweep run s.yaml --out out --resume"), std::string::npos) << err;
  const Output r = nnsweep("run s.yaml -q --threads 2 --out out --resume");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "out/trials.csv"), {}).size(), 41u);
}

// A run builds its tables from the rows as it writes them, in trial order; report sorts the
// files and reads them back. Both give the same files, byte for byte.
TEST_F(Run, ReportRebuildsTheTables) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 2 --out out --save-models none").exit_code, 0);
  const std::vector<std::string> files = {"trials.csv",     "curves.csv",
                                          "summary.csv",    "convergence.csv",
                                          "convergence.md", "convergence_cells.csv",
                                          "importance.csv", "report.html"};
  std::vector<std::string> by_run;
  for (const auto& f : files) by_run.push_back(read(dir_ / "out" / f));
  fs::remove(dir_ / "out/convergence.csv");
  fs::remove(dir_ / "out/summary.csv");
  const Output r = nnsweep("report out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::size_t i = 0; i < files.size(); ++i)
    EXPECT_EQ(read(dir_ / "out" / files[i]), by_run[i]) << files[i];
  const Output pivot = nnsweep("report out --rows model.activation --cols train.epochs");
  ASSERT_EQ(pivot.exit_code, 0) << pivot.err;
  EXPECT_NE(pivot.out.find("model.activation \\ train.epochs"), std::string::npos) << pivot.out;
}

// A run of a couple of seconds on one thread: long enough for many live pages at 10 ms.
std::string slow_sweep() {
  std::string sweep = kSweep;
  sweep.replace(sweep.find("[5, 15, 30]"), 11, "[3000]");
  sweep.replace(sweep.find("points: 120"), 11, "points: 400");
  return sweep;
}

struct Watched {
  int exit_code = -1;
  std::string live_page;  // the first report.html seen with a refresh tag; empty: none
};

// Runs `nnsweep ARGS` in the background with the live page rebuilt every 10 ms, reading
// out/report.html until it exits; `at_live_page` is called once, at the first live page.
Watched watch_run(const fs::path& dir, const std::string& args,
                  const std::function<void(pid_t)>& at_live_page = {}) {
  const std::string command = "cd '" + dir.string() +
                              "' && NNSWEEP_LIVE_REPORT_SECONDS=0.01 exec '" NNSWEEP_BINARY "' " +
                              args + " >/dev/null 2>err.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  Watched watched;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (watched.live_page.empty()) {
      std::ifstream in(dir / "out/report.html", std::ios::binary);
      const std::string page{std::istreambuf_iterator<char>(in), {}};
      if (page.find("http-equiv=\"refresh\"") != std::string::npos) {
        watched.live_page = page;
        if (at_live_page) at_live_page(pid);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  watched.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return watched;
}

TEST_F(Run, ReportHtmlIsLiveDuringTheRunAndTheFinalPageIsTheUsualOne) {
  write("s.yaml", slow_sweep());
  const Watched live = watch_run(dir_, "run s.yaml --threads 1 --out out");
  ASSERT_EQ(live.exit_code, 0) << read(dir_ / "err.txt");
  EXPECT_NE(live.live_page.find("<b>running: "), std::string::npos) << live.live_page;
  EXPECT_NE(live.live_page.find(" of 40 trials"), std::string::npos) << live.live_page;
  const std::string final_page = read(dir_ / "out/report.html");
  EXPECT_EQ(final_page.find("refresh"), std::string::npos);
  EXPECT_EQ(final_page.find("running: "), std::string::npos);
  fs::rename(dir_ / "out", dir_ / "live");

  // Without it: never a live page, and the same rows and the same final page.
  const Watched off = watch_run(dir_, "run s.yaml --threads 1 --out out --no-live-report");
  ASSERT_EQ(off.exit_code, 0) << read(dir_ / "err.txt");
  EXPECT_EQ(off.live_page, "");
  EXPECT_EQ(csv_without(read(dir_ / "out/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "live/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "out/curves.csv"), read(dir_ / "live/curves.csv"));
  EXPECT_EQ(read(dir_ / "out/report.html"), final_page);
}

// A page that says "running" and reloads forever would mislead: Ctrl-C takes it away.
TEST_F(Run, AnInterruptedRunLeavesNoLivePage) {
  write("s.yaml", slow_sweep());
  const Watched w =
      watch_run(dir_, "run s.yaml --threads 1 --out out", [](pid_t pid) { kill(pid, SIGINT); });
  ASSERT_NE(w.live_page, "") << "the run ended before its first live page";
  EXPECT_EQ(w.exit_code, 130) << read(dir_ / "err.txt");
  EXPECT_FALSE(fs::exists(dir_ / "out/report.html"));
}

TEST_F(Run, BadSweepFileExitsTwoAndWritesNothing) {
  write("bad.yaml", "name: x\ntrain: { learning_rate: -1 }\n");
  const Output r = nnsweep("run bad.yaml --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("bad.yaml:2:", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Run, BadArgumentsExitTwo) {
  EXPECT_EQ(nnsweep("run").exit_code, 2);
  EXPECT_EQ(nnsweep("run s.yaml --threads 0").exit_code, 2);
  EXPECT_EQ(nnsweep("frobnicate").exit_code, 2);
  EXPECT_EQ(nnsweep("run missing.yaml").exit_code, 2);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

class Shards : public Scratch {};

TEST_F(Shards, FourShardsMergedEqualOneRun) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out one").exit_code, 0);
  std::string dirs;
  for (int k = 0; k < 4; ++k) {
    const Output r = nnsweep(fmt::format("run s.yaml -q --shard {}/4", k));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    dirs += fmt::format(" runs/e2e/shard-{}-of-4", k);
  }
  EXPECT_EQ(csv_without(read(dir_ / "runs/e2e/shard-1-of-4/trials.csv"), {}).size(), 31u);
  const Output merged = nnsweep("merge" + dirs + " --out merged");
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(csv_without(read(dir_ / "merged/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "one/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "merged/curves.csv"), read(dir_ / "one/curves.csv"));
  EXPECT_EQ(read(dir_ / "merged/convergence.csv"), read(dir_ / "one/convergence.csv"));
  EXPECT_NE(merged.out.find("merged 4 directories: 120 trials"), std::string::npos);
}

TEST_F(Shards, MergeRefusesAMissingShard) {
  write("s.yaml", kSweep);
  for (int k : {0, 1, 3})
    ASSERT_EQ(nnsweep(fmt::format("run s.yaml -q --shard {}/4", k)).exit_code, 0);
  const Output r = nnsweep(
      "merge runs/e2e/shard-0-of-4 runs/e2e/shard-1-of-4 runs/e2e/shard-3-of-4 --out merged");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "error: cannot merge: trials in no directory (a shard missing or unfinished?): 60-89\n");
  EXPECT_FALSE(fs::exists(dir_ / "merged"));
}

TEST_F(Shards, MergeRefusesADoubledShardAndAnotherSweep) {
  write("s.yaml", kSweep);
  std::string other = kSweep;
  other.replace(other.find("seed: 7"), 7, "seed: 8");
  write("o.yaml", other);
  ASSERT_EQ(nnsweep("run s.yaml -q --shard 0/2 --out a").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --shard 1/2 --out b").exit_code, 0);
  ASSERT_EQ(nnsweep("run o.yaml -q --shard 1/2 --out c").exit_code, 0);
  const Output doubled = nnsweep("merge a b b --out m1");
  EXPECT_EQ(doubled.exit_code, 2);
  EXPECT_EQ(doubled.err, "error: cannot merge: trials in more than one directory: 60-119\n");
  const Output foreign = nnsweep("merge a c --out m2");
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("c: error: comes from a different sweep file"), std::string::npos)
      << foreign.err;
}

// Shards built with other flags (or another compiler or Eigen) can differ in their last bits.
TEST_F(Shards, MergeRefusesShardsOfBuildsWhoseArithmeticDiffers) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --shard 0/2 --out a").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --shard 1/2 --out b").exit_code, 0);
  std::string manifest = read(dir_ / "b/manifest.yaml");
  const std::size_t at = manifest.find("compiler_flags: \"");
  ASSERT_NE(at, std::string::npos);
  manifest.insert(at + 17, "-ffast-math ");
  write("b/manifest.yaml", manifest);
  const Output r = nnsweep("merge a b --out m");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("b: error: was made by a build whose compiler flags ('-ffast-math "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("run every shard with one build"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "m/trials.csv"));
}

TEST_F(Shards, BadShardArgumentsExitTwo) {
  write("s.yaml", kSweep);
  for (const char* bad : {"4/4", "1", "a/b", "1/0", "-1/3"}) {
    const Output r = nnsweep(std::string("run s.yaml -q --shard ") + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--shard takes K/N"), std::string::npos) << r.err;
  }
}

TEST_F(Shards, ResumeRefusesAnotherShard) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --shard 0/2 --out a").exit_code, 0);
  const Output r = nnsweep("run s.yaml -q --shard 1/2 --out a --resume");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "a: error: cannot --resume: that run was shard 0/2, this one is shard 1/2\n");
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

class Mpi : public Scratch {};

// mpirun with 3 ranks (rank 0 hands out trials and writes, 2 ranks train) gives the rows of a
// single process. Needs a build with MPI and Debian's openmpi-bin; skipped otherwise.
TEST_F(Mpi, ThreeRanksGiveTheRowsOfOneProcess) {
  if (const std::string missing = mpi_missing(); !missing.empty()) GTEST_SKIP() << missing;
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out one").exit_code, 0);
  const Output mpi = nnsweep_on_mpi_ranks(3, "run s.yaml -q --mpi --threads 1 --out mpi");
  ASSERT_EQ(mpi.exit_code, 0) << mpi.out;
  EXPECT_EQ(csv_without(read(dir_ / "mpi/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "one/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "mpi/curves.csv"), read(dir_ / "one/curves.csv"));
}

// The MPI calls are in libnnsweep_mpi.so beside the executable: a copy of nnsweep without it
// says so for --mpi and writes nothing, and runs without --mpi never need it.
TEST_F(Mpi, ACopyWithoutItsModuleSaysSoAndWritesNothing) {
  if (nnsweep("--version").out.find("with MPI") == std::string::npos)
    GTEST_SKIP() << "this nnsweep was built without MPI";
  write("s.yaml", kSweep);
  fs::copy_file(NNSWEEP_BINARY, dir_ / "alone");
  const std::string command =
      fmt::format("cd '{}' && ./alone run s.yaml -q --mpi --out mpi >mpi.out 2>&1", dir_.string());
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  const std::string out = read(dir_ / "mpi.out");
  EXPECT_NE(out.find("cannot load the MPI backend"), std::string::npos) << out;
  EXPECT_NE(out.find("libnnsweep_mpi.so is built with nnsweep and must stay beside it"),
            std::string::npos)
      << out;
  EXPECT_FALSE(fs::exists(dir_ / "mpi"));
  const std::string plain =
      fmt::format("cd '{}' && ./alone run s.yaml -q --out plain >plain.out 2>&1", dir_.string());
  const int plain_status = std::system(plain.c_str());
  ASSERT_TRUE(WIFEXITED(plain_status) && WEXITSTATUS(plain_status) == 0)
      << read(dir_ / "plain.out");
  EXPECT_TRUE(fs::exists(dir_ / "plain/trials.csv"));
}

}  // namespace
}  // namespace e2e
