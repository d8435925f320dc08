// End-to-end: faults while a sweep runs. Kills at random moments, a full disk, an output file
// that cannot grow, and trainings whose numbers blow up: the files stay valid, the messages say
// what happened, and --resume finishes the sweep with the rows of an uninterrupted run.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "e2e.h"

namespace e2e {
namespace {

// 10 learning rates x 7 activations x 2 epoch counts x 5 repeats = 700 short trials: many rows
// finish between two kills, and the whole sweep outlasts all the kills.
const char* kSweep = R"(name: faults
seed: 11
repeats: 5
data: { dataset: xor, points: 200 }
model: { hidden: [8, 4] }
train: { batch_size: 4 }
curves: { every: 100 }
grid:
  train.learning_rate: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]
  model.activation: [relu, tanh, sigmoid, linear, leaky_relu, elu, softplus]
  train.epochs: [100, 300]
)";

class Faults : public Scratch {
 protected:
  // Starts `nnsweep ARGS` in the scratch directory; returns its pid.
  pid_t start(const std::string& args) {
    const std::string command =
        "cd '" + dir_.string() + "' && exec '" NNSWEEP_BINARY "' " + args + " 2>/dev/null";
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }
};

// The complete rows of a CSV file (a kill may tear the last one) and the first field of each.
struct Rows {
  std::vector<std::string> complete;
  std::vector<std::string> keys;
};
Rows complete_rows(const std::string& text) {
  Rows rows;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    rows.complete.push_back(text.substr(start, end - start));
    rows.keys.push_back(rows.complete.back().substr(0, rows.complete.back().find(',')));
    start = end + 1;
  }
  return rows;
}

TEST_F(Faults, KilledTwentyFourTimesThenResumedEqualsAnUninterruptedRun) {
  write("s.yaml", kSweep);
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 2 --out full").exit_code, 0);
  // The delays scale with this machine's speed: 24 kills, each after a round's first new row.
  const auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - begin)
                          .count();
  const auto full_trials = csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"});
  ASSERT_EQ(full_trials.size(), 701u);

  std::uint32_t state = 2024;
  int kills_mid_run = 0;
  std::size_t previous_rows = 0;
  for (int round = 0; round < 24; ++round) {
    const pid_t pid = start("run s.yaml -q --threads 2 --out killed --resume");
    // Kill once this round has added a row, after a pseudo-random further delay: mid-run and
    // with progress every round, however the machine's load changes between rounds.
    const std::size_t before = complete_rows(read(dir_ / "killed/trials.csv")).complete.size();
    int status = 0;
    bool exited = false;
    for (int wait = 0; wait < 5000 && !exited; ++wait) {
      if (complete_rows(read(dir_ / "killed/trials.csv")).complete.size() > before) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!exited) {
      state = state * 1664525u + 1013904223u;  // a fixed sequence of delays: reproducible
      std::this_thread::sleep_for(
          std::chrono::milliseconds(static_cast<long>((state >> 8) % (run_ms / 80 + 1))));
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    if (WIFSIGNALED(status)) ++kills_mid_run;
    // After every kill: rows only grow, and no trial has two complete rows.
    const Rows rows = complete_rows(read(dir_ / "killed/trials.csv"));
    EXPECT_GE(rows.complete.size(), previous_rows) << "round " << round;
    previous_rows = rows.complete.size();
    const std::set<std::string> unique(rows.keys.begin(), rows.keys.end());
    EXPECT_EQ(unique.size(), rows.keys.size()) << "round " << round;
  }
  EXPECT_GE(kills_mid_run, 20);
  EXPECT_LT(previous_rows, 701u) << "the kills came too late to interrupt anything";

  const Output r = nnsweep("run s.yaml -q --threads 2 --out killed --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "killed/trials.csv"), {"wall_seconds"}), full_trials);
  EXPECT_EQ(read(dir_ / "killed/curves.csv"), read(dir_ / "full/curves.csv"));
  const std::vector<std::string> timing = {
      "wall_seconds_n",   "wall_seconds_mean",     "wall_seconds_std",      "wall_seconds_min",
      "wall_seconds_max", "wall_seconds_ci95_low", "wall_seconds_ci95_high"};
  EXPECT_EQ(csv_without(read(dir_ / "killed/summary.csv"), timing),
            csv_without(read(dir_ / "full/summary.csv"), timing));
  EXPECT_EQ(read(dir_ / "killed/convergence.csv"), read(dir_ / "full/convergence.csv"));
}

// The checks shared by the full-disk tests: exit 1 with a message naming the directory and the
// reason; a resume then ends equal to an uninterrupted run.
void expect_clean_failure(const Output& failed, const std::string& dir, const std::string& reason) {
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("nnsweep run: error: cannot write"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find(reason), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("--out " + dir + " --resume"), std::string::npos) << failed.err;
}

TEST_F(Faults, FileSizeLimitStopsTheRunCleanlyAndResumeCompletesIt) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out full").exit_code, 0);
  // RLIMIT_FSIZE makes writes past 24 KiB fail as on a full disk, with no privileges needed;
  // SIGXFSZ ignored so the write returns an error instead of killing the process.
  const std::string command = "cd '" + dir_.string() + "' && ulimit -f 48 && trap '' XFSZ && '" +
                              NNSWEEP_BINARY + "' run s.yaml -q --out part >/dev/null 2>err.txt";
  const int status = std::system(command.c_str());
  const Output result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", read(dir_ / "err.txt")};
  expect_clean_failure(result, "part", "File too large");
  const std::string partial = read(dir_ / "part/trials.csv");
  ASSERT_FALSE(partial.empty());
  const auto full = csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"});
  // Whole rows, each a trial of the uninterrupted run; at most a torn last line after them,
  // as after a kill (a resume drops it).
  const std::string whole = partial.substr(0, partial.rfind('\n') + 1);
  for (const auto& row : csv_without(whole, {"wall_seconds"}))
    EXPECT_NE(std::find(full.begin(), full.end(), row), full.end()) << row;

  const Output resumed = nnsweep("run s.yaml -q --out part --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(csv_without(read(dir_ / "part/trials.csv"), {"wall_seconds"}), full);
  EXPECT_EQ(read(dir_ / "part/curves.csv"), read(dir_ / "full/curves.csv"));
}

TEST_F(Faults, FullDiskStopsTheRunCleanlyAndResumeCompletesItOnceSpaceIsFreed) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out full").exit_code, 0);
  const fs::path disk = dir_ / "disk";
  fs::create_directories(disk);
  // A 64 KiB tmpfs: room for the manifest and some rows, not for the whole sweep.
  if (mount("nnsweep_full_disk", disk.c_str(), "tmpfs", 0, "size=64k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  struct Unmount {
    fs::path path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};

  const Output failed = nnsweep("run s.yaml -q --out disk/out");
  expect_clean_failure(failed, "disk/out", "No space left on device");
  const std::string partial = read(disk / "out/trials.csv");
  ASSERT_FALSE(partial.empty());
  const auto full = csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"});
  // Whole rows, each a trial of the uninterrupted run; at most a torn last line after them,
  // as after a kill (a resume drops it).
  const std::string whole = partial.substr(0, partial.rfind('\n') + 1);
  for (const auto& row : csv_without(whole, {"wall_seconds"}))
    EXPECT_NE(std::find(full.begin(), full.end(), row), full.end()) << row;

  // Free space: grow the file system, as deleting other files would.
  ASSERT_EQ(mount("nnsweep_full_disk", disk.c_str(), "tmpfs", MS_REMOUNT, "size=16m"), 0)
      << std::strerror(errno);
  const Output resumed = nnsweep("run s.yaml -q --out disk/out --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(csv_without(read(disk / "out/trials.csv"), {"wall_seconds"}), full);
  EXPECT_EQ(read(disk / "out/curves.csv"), read(dir_ / "full/curves.csv"));
}

TEST_F(Faults, AResultFileThatCannotBeWrittenIsRefusedBeforeAnythingIsWritten) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const fs::path out = dir_ / "out";
  // Marked, so that a replacement shows.
  const std::vector<std::string> tables = {"summary.csv", "convergence.csv",
                                           "convergence_cells.csv", "report.html"};
  for (const std::string& file : tables) write("out/" + file, "old " + file + "\n");
  const std::string trials = read(out / "trials.csv"), curves = read(out / "curves.csv"),
                    manifest = read(out / "manifest.yaml");
  // A directory where a table file goes: that file cannot be written, so none is.
  fs::remove(out / "convergence.md");
  fs::create_directories(out / "convergence.md" / "in the way");

  for (const char* threads : {"1", "2"}) {
    const Output failed =
        nnsweep(fmt::format("run s.yaml -q --out out --resume --threads {}", threads));
    EXPECT_EQ(failed.exit_code, 2) << failed.err;
    EXPECT_NE(failed.err.find("out/convergence.md: error: is a directory where nnsweep writes"),
              std::string::npos)
        << failed.err;
    for (const std::string& file : tables)
      EXPECT_EQ(read(out / file), "old " + file + "\n") << file << ", " << threads << " thread(s)";
    EXPECT_EQ(read(out / "trials.csv"), trials);
    EXPECT_EQ(read(out / "curves.csv"), curves);
    EXPECT_EQ(read(out / "manifest.yaml"), manifest);
    for (const auto& entry : fs::directory_iterator(out))
      EXPECT_NE(entry.path().extension(), ".tmp") << entry.path() << " left behind";
  }

  fs::remove_all(out / "convergence.md");
  const Output resumed = nnsweep("run s.yaml -q --out out --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  for (const std::string& file : tables) EXPECT_NE(read(out / file), "old " + file + "\n") << file;
  EXPECT_NE(read(out / "manifest.yaml").find("total: 700"), std::string::npos);
}

TEST_F(Faults, NonFiniteTrainingsAreDivergedAndNeverEnterTheAverages) {
  // A learning rate of 1e300 overflows the weights in the first epoch: losses become Inf/NaN.
  write("s.yaml", R"(name: blowup
seed: 3
repeats: 3
data: { dataset: plane, points: 100 }
model: { hidden: [4] }
train: { batch_size: 5, epochs: 30 }
grid:
  train.learning_rate: [0.03, 1e300]
)");
  const Output r = nnsweep("run s.yaml -q --out out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"trials.csv", "curves.csv", "summary.csv", "convergence.csv"}) {
    // Numbers only: the outcome's reason is prose ("the loss became infinite").
    std::string text;
    for (const std::string& row : csv_without(read(dir_ / "out" / file), {"outcome_reason"}))
      text += row + "\n";
    for (const char* word : {"nan", "NaN", "inf", "Inf"})
      EXPECT_EQ(text.find(word), std::string::npos) << file << " holds " << word;
  }
  const auto trials = csv_without(read(dir_ / "out/trials.csv"), {});
  int diverged = 0;
  for (const auto& row : trials)
    if (row.find(",1e+300,") != std::string::npos) {
      EXPECT_NE(row.find(",diverged,"), std::string::npos) << row;
      ++diverged;
    }
  EXPECT_EQ(diverged, 3);
  // The blown-up configuration counts its divergences and has no loss statistics at all; the
  // healthy one averages its three finite values.
  const auto summary = csv_without(read(dir_ / "out/summary.csv"), {});
  ASSERT_EQ(summary.size(), 3u);
  const auto header = complete_rows(read(dir_ / "out/summary.csv")).complete.front();
  const auto column = [&](const std::string& name) {
    std::vector<std::string> names;
    std::istringstream cells(header);
    for (std::string cell; std::getline(cells, cell, ',');) names.push_back(cell);
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const auto cell = [&](const std::string& row, std::size_t index) {
    std::vector<std::string> cells;
    std::istringstream in(row);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    return index < cells.size() ? cells[index] : std::string();
  };
  for (const auto& row : {summary[1], summary[2]}) {
    const bool blown = cell(row, column("train.learning_rate")) == "1e+300";
    EXPECT_EQ(cell(row, column("diverged")), blown ? "3" : "0") << row;
    EXPECT_EQ(cell(row, column("final_train_loss_n")), blown ? "0" : "3") << row;
    EXPECT_EQ(cell(row, column("final_test_loss_mean")).empty(), blown) << row;
  }
}

}  // namespace
}  // namespace e2e
