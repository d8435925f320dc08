// End-to-end: the output directory as a guarded store. One process writes it at a time (a
// second run, a merge or a report is refused, naming the holder, and changes nothing); nothing
// planted in it (a link, a FIFO, a directory) redirects a write; --out is resolved before it is
// checked; resume finishes what a crash left half-written; predict never replaces its input or
// a special file.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "e2e.h"

namespace e2e {
namespace {

// 84 trials of a few hundred epochs: a couple of seconds on one thread, long enough for a
// second process to come while the first writes.
const char* kSlow = R"(name: slow
seed: 7
repeats: 4
data: { dataset: spiral, points: 400 }
model: { hidden: [16, 16] }
train: { epochs: 300 }
grid:
  train.learning_rate: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]
  model.activation: [relu, tanh, sigmoid]
)";

// 12 quick trials.
const char* kSmall = R"(name: small
seed: 3
repeats: 2
data: { dataset: xor, points: 100 }
model: { hidden: [4] }
train: { epochs: 60 }
curves: { every: 7 }
grid:
  train.learning_rate: [0.01, 0.1, 1]
  model.activation: [relu, tanh]
)";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class Store : public Scratch {
 protected:
  // Starts `nnsweep ARGS` in the scratch directory, stderr to `err_file`; returns its pid.
  pid_t start(const std::string& args, const std::string& err_file = "/dev/null") {
    const std::string command =
        "cd '" + dir_.string() + "' && exec '" NNSWEEP_BINARY "' " + args + " 2>" + err_file;
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }
  // Waits until `file` has more than `rows` lines (the header and a row), or the process ends.
  bool wait_for_rows(pid_t pid, const fs::path& file, std::size_t rows = 1) {
    for (int i = 0; i < 10000; ++i) {
      if (lines(read(file)).size() > rows) return true;
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
  static int finish(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // The names in a directory, sorted.
  static std::set<std::string> names(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir)) out.insert(entry.path().filename());
    return out;
  }
};

TEST_F(Store, ASecondWriterIsRefusedNamingTheHolderAndTheFirstEndsComplete) {
  write("s.yaml", kSlow);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 1 --out full").exit_code, 0);
  const pid_t first = start("run s.yaml -q --threads 1 --out out --resume");
  ASSERT_TRUE(wait_for_rows(first, dir_ / "out/trials.csv")) << "the run ended too soon";
  const std::string lock = read(dir_ / "out/.nnsweep.lock");
  const std::string holder = fmt::format("out is in use by nnsweep run (pid {} on host ", first);
  for (const char* second : {"run s.yaml -q --threads 1 --out out --resume",
                             "run s.yaml -q --out out", "merge full --out out", "report out"}) {
    const Output r = nnsweep(second);
    EXPECT_EQ(r.exit_code, 1) << second << ": " << r.err;
    EXPECT_NE(r.err.find(holder), std::string::npos) << second << ": " << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
  }
  EXPECT_EQ(read(dir_ / "out/.nnsweep.lock"), lock);
  ASSERT_EQ(finish(first), 0);
  // Every trial once, in order, as in an uninterrupted run; the lock gone with its holder.
  EXPECT_EQ(csv_without(read(dir_ / "out/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "out/curves.csv"), read(dir_ / "full/curves.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "out/.nnsweep.lock"));
}

TEST_F(Store, ReportDuringARunIsRefusedAndTheRunLosesNoRows) {
  write("s.yaml", kSlow);
  const pid_t run = start("run s.yaml -q --threads 1 --out out");
  ASSERT_TRUE(wait_for_rows(run, dir_ / "out/trials.csv")) << "the run ended too soon";
  const std::set<std::string> before = names(dir_ / "out");
  const Output report = nnsweep("report out");
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(report.err.find("nnsweep report: error: out is in use by nnsweep run"),
            std::string::npos)
      << report.err;
  EXPECT_EQ(names(dir_ / "out"), before);  // no table written, no temporary left
  ASSERT_EQ(finish(run), 0);
  EXPECT_EQ(lines(read(dir_ / "out/trials.csv")).size(), 85u);
  EXPECT_NE(read(dir_ / "out/manifest.yaml").find("total: 84"), std::string::npos);
  // Once the run is over, report works as ever.
  const Output after = nnsweep("report out");
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(lines(read(dir_ / "out/trials.csv")).size(), 85u);
}

TEST_F(Store, TheLockOfAKilledRunIsTakenOver) {
  write("s.yaml", kSlow);
  const pid_t run = start("run s.yaml -q --threads 1 --out out");
  ASSERT_TRUE(wait_for_rows(run, dir_ / "out/trials.csv")) << "the run ended too soon";
  kill(run, SIGKILL);
  finish(run);
  ASSERT_TRUE(fs::exists(dir_ / "out/.nnsweep.lock"));  // left behind, held by no one
  const Output resumed = nnsweep("run s.yaml -q --threads 1 --out out --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(lines(read(dir_ / "out/trials.csv")).size(), 85u);
  EXPECT_FALSE(fs::exists(dir_ / "out/.nnsweep.lock"));
}

TEST_F(Store, LinksPlantedBeforeResumeAreNeverWrittenThrough) {
  write("s.yaml", kSmall);
  ASSERT_EQ(nnsweep("run s.yaml -q --out done --save-models all").exit_code, 0);
  write("outside.txt", "keep\n");
  // Refused before anything is written: the files nnsweep writes, and the lock file.
  for (const char* name : {"trials.csv", "curves.csv", "manifest.yaml", "summary.csv",
                           "convergence.csv", "convergence_cells.csv", "convergence.md",
                           "importance.csv", "report.html", ".nnsweep.lock"}) {
    fs::remove_all(dir_ / "out");
    fs::copy(dir_ / "done", dir_ / "out", fs::copy_options::recursive);
    fs::remove(dir_ / "out" / name);
    fs::create_symlink("../outside.txt", dir_ / "out" / name);
    const Output r = nnsweep("run s.yaml -q --out out --resume --save-models all");
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find(fmt::format("out/{}: error: is a symbolic link", name)), std::string::npos)
        << r.err;
    EXPECT_EQ(read(dir_ / "outside.txt"), "keep\n") << name;
    EXPECT_TRUE(fs::is_symlink(dir_ / "out" / name)) << name;
  }
  // Temporaries are new files with names of their own: a link at the old fixed name is left be.
  for (const char* name : {"summary.csv.tmp", "manifest.yaml.tmp", "trials.csv.tmp"}) {
    fs::remove_all(dir_ / "out");
    fs::copy(dir_ / "done", dir_ / "out", fs::copy_options::recursive);
    fs::create_symlink("../outside.txt", dir_ / "out" / name);
    const Output r = nnsweep("run s.yaml -q --out out --resume --save-models all");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(read(dir_ / "outside.txt"), "keep\n") << name;
  }
  // models/ as a link to a directory elsewhere.
  fs::remove_all(dir_ / "out");
  fs::copy(dir_ / "done", dir_ / "out", fs::copy_options::recursive);
  fs::remove_all(dir_ / "out/models");
  fs::create_directories(dir_ / "elsewhere");
  fs::create_directory_symlink("../elsewhere", dir_ / "out/models");
  const Output r = nnsweep("run s.yaml -q --out out --resume --save-models all");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("out/models: error: is a symbolic link"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "elsewhere"));
}

TEST_F(Store, ACurvesFileCutShortIsCompletedOnResume) {
  write("s.yaml", kSmall);
  ASSERT_EQ(nnsweep("run s.yaml -q --out full").exit_code, 0);
  fs::copy(dir_ / "full", dir_ / "cut", fs::copy_options::recursive);
  // What a crash of the machine can leave: every trial's row, the curves of the first few.
  const std::vector<std::string> curves = lines(read(dir_ / "full/curves.csv"));
  std::string kept;
  for (std::size_t i = 0; i < curves.size() / 3; ++i) kept += curves[i] + "\n";
  write("cut/curves.csv", kept);
  const Output r = nnsweep("run s.yaml --progress --out cut --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("trials have a row in trials.csv but no complete curve"), std::string::npos)
      << r.err;
  EXPECT_EQ(read(dir_ / "cut/curves.csv"), read(dir_ / "full/curves.csv"));
  EXPECT_EQ(csv_without(read(dir_ / "cut/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"}));
}

TEST_F(Store, ACorruptCurvesHeaderIsReportedBeforeAnyTraining) {
  write("s.yaml", kSmall);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::vector<std::string> trials = lines(read(dir_ / "out/trials.csv"));
  std::string half;
  for (std::size_t i = 0; i < 5; ++i) half += trials[i] + "\n";
  write("out/trials.csv", half);  // trials left to train
  std::string curves = read(dir_ / "out/curves.csv");
  curves.replace(0, 8, "trial_ix");
  write("out/curves.csv", curves);
  const Output r = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("out/curves.csv:1:1: error: not a curves.csv header"), std::string::npos)
      << r.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv"), half);
  EXPECT_EQ(read(dir_ / "out/curves.csv"), curves);
}

TEST_F(Store, OutIsResolvedBeforeTheEmptinessCheck) {
  write("s.yaml", kSmall);
  fs::create_directories(dir_ / "d");
  write("d/summary.csv", "KEEP\n");
  const Output r = nnsweep("run s.yaml -q --out d/missing/..");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("error: output directory is not empty"), std::string::npos) << r.err;
  EXPECT_EQ(read(dir_ / "d/summary.csv"), "KEEP\n");
  EXPECT_EQ(names(dir_ / "d"), std::set<std::string>{"summary.csv"});
  // Into an empty one, through `..`, it writes where the path leads.
  fs::create_directories(dir_ / "e");
  const Output ok = nnsweep("run s.yaml -q --out e/missing/..");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(dir_ / "e/trials.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "e/missing"));
}

TEST_F(Store, ASweepNameThatIsNotADirectoryNameIsRefused) {
  write("....yaml", "train: { epochs: 5 }\n");  // no name: the name comes from the file: "..."
  write("...yaml", "train: { epochs: 5 }\n");   // ".."
  write("summary.csv", "KEEP\n");
  const Output r = nnsweep("run ...yaml -q");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("...yaml: error: the sweep's name '..' cannot name its output directory"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read(dir_ / "summary.csv"), "KEEP\n");
  EXPECT_FALSE(fs::exists(dir_ / "runs"));
  EXPECT_EQ(nnsweep("run ....yaml -q").exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "runs/.../trials.csv"));
}

TEST_F(Store, AnEmptyOrSpecialOutIsAnError) {
  write("s.yaml", kSmall);
  const Output empty = nnsweep("run s.yaml -q --out ''");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("--out needs a directory"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(dir_ / "runs"));
  EXPECT_EQ(nnsweep("run s.yaml -q --out -").exit_code, 2);
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  const Output fifo = nnsweep("run s.yaml -q --out fifo");
  EXPECT_EQ(fifo.exit_code, 2) << fifo.err;
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo"));
  EXPECT_EQ(nnsweep("merge x --out ''").exit_code, 2);
}

TEST_F(Store, PredictNeverReplacesItsInputAFifoOrADevice) {
  write("s.yaml", kSmall);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out --save-models all").exit_code, 0);
  const fs::path model = *fs::directory_iterator(dir_ / "out/models");
  const std::string m = fs::relative(model, dir_).string();
  const std::string data = "x1,x2\n1,2\n-3,0.5\n";
  write("data.csv", data);
  const std::string model_text = read(model);

  const Output stdout_run = nnsweep("predict " + m + " data.csv --out -");
  ASSERT_EQ(stdout_run.exit_code, 0) << stdout_run.err;
  EXPECT_EQ(lines(stdout_run.out).size(), 3u);
  EXPECT_EQ(stdout_run.out.rfind("x1,x2,probability_1,class\n", 0), 0u) << stdout_run.out;
  EXPECT_FALSE(fs::exists(dir_ / "-"));

  for (const std::string& out : {std::string("data.csv"), m}) {
    const Output r = nnsweep("predict " + m + " data.csv --out " + out);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("an input of this command"), std::string::npos) << r.err;
  }
  EXPECT_EQ(read(dir_ / "data.csv"), data);
  EXPECT_EQ(read(model), model_text);

  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  for (const char* out : {"fifo", "/dev/null", "out"}) {
    const Output r = nnsweep(std::string("predict ") + m + " data.csv --out " + out);
    EXPECT_EQ(r.exit_code, 2) << out << ": " << r.err;
    EXPECT_NE(r.err.find("--out is not a regular file"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(nnsweep("predict " + m + " data.csv --out ''").exit_code, 2);

  const Output file = nnsweep("predict " + m + " data.csv --out p.csv");
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(read(dir_ / "p.csv"), stdout_run.out);
}

TEST_F(Store, TheResumeCommandRepeatsEveryOptionThatMatters) {
  write("s.yaml", kSlow);
  const pid_t run =
      start("run s.yaml -q --threads 1 --shard 0/2 --save-models all --out 'my out'", "err.txt");
  ASSERT_TRUE(wait_for_rows(run, dir_ / "my out/trials.csv")) << "the run ended too soon";
  kill(run, SIGINT);
  EXPECT_EQ(finish(run), 130);
  const std::string err = read(dir_ / "err.txt");
  const std::string hint =
      "nnsweep run s.yaml --shard 0/2 --save-models all --out 'my out' --resume";
  ASSERT_NE(err.find(hint), std::string::npos) << err;
  const Output resumed = nnsweep(hint.substr(std::string("nnsweep ").size()) + " -q --threads 1");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // Every trial of the shard has its model, as an uninterrupted run with the option leaves.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "my out/models"), fs::directory_iterator{}),
            42);
}

TEST_F(Store, AFailureWritingTheTablesSaysHowToFinish) {
  // Long curves: curves.csv is the largest file by far, and it is rewritten in trial order.
  write("s.yaml", R"(name: long
seed: 1
data: { dataset: circle, points: 60 }
model: { hidden: [3] }
train: { epochs: 4000 }
grid:
  train.learning_rate: [0.01, 0.1, 0.3, 1]
)");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  ASSERT_GT(fs::file_size(dir_ / "out/curves.csv"), 1u << 20);
  const std::string curves = read(dir_ / "out/curves.csv");
  // Writes past 512 KiB fail as on a full disk: the tables phase of a resume with nothing left
  // to train cannot rewrite curves.csv.
  const std::string command = "cd '" + dir_.string() + "' && ulimit -f 512 && trap '' XFSZ && '" +
                              NNSWEEP_BINARY + "' run s.yaml -q --out out --resume 2>err.txt";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1);
  const std::string err = read(dir_ / "err.txt");
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  EXPECT_NE(err.find("then write them with: nnsweep run s.yaml --out out --resume"),
            std::string::npos)
      << err;
  EXPECT_EQ(read(dir_ / "out/curves.csv"), curves);
  EXPECT_EQ(nnsweep("run s.yaml -q --out out --resume").exit_code, 0);
}

}  // namespace
}  // namespace e2e
