// End-to-end: successive halving and hyperband (`halving:`). Survivors' rows are a plain run's,
// pruned rows are a shorter plain run's with outcome pruned, and which trials survive does not
// depend on threads or on a resume.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "e2e.h"

namespace e2e {
namespace {

// 6 learning rates x 2 activations = 12 configurations x 2 repeats; rungs at 3, 9 and 27 epochs.
const std::string kGrid = R"(name: hv
seed: 5
repeats: 2
data: { dataset: circle, points: 120, validation_fraction: 0.25 }
model: { hidden: [6] }
train: { batch_size: 10, epochs: 27 }
grid:
  train.learning_rate: [0.01, 0.03, 0.1, 0.3, 1, 3]
  model.activation: [relu, tanh]
)";
const std::string kHalving = kGrid + "halving: { metric: val_loss, min_epochs: 3, eta: 3 }\n";

class Halving : public Scratch {
 protected:
  // The rows of trials.csv (header first) whose column `key` holds `value`, without the
  // columns in `drop`.
  std::vector<std::string> rows_where(const std::string& file, const std::string& key,
                                      const std::string& value,
                                      const std::vector<std::string>& drop) {
    std::istringstream in(read(dir_ / file));
    results::CsvReader reader(in, file);
    results::CsvRecord record;
    std::vector<std::string> header, out;
    std::vector<std::string> lines = csv_without(read(dir_ / file), drop);
    for (std::size_t row = 0; reader.next(record); ++row) {
      if (row == 0) {
        for (const auto& f : record.fields) header.push_back(f.text);
        out.push_back(lines[0]);
        continue;
      }
      const auto at = std::find(header.begin(), header.end(), key) - header.begin();
      if (record.fields[static_cast<std::size_t>(at)].text == value) out.push_back(lines[row]);
    }
    return out;
  }
  std::vector<std::string> column(const std::string& file, const std::string& key) {
    std::istringstream in(read(dir_ / file));
    results::CsvReader reader(in, file);
    results::CsvRecord record;
    std::vector<std::string> out;
    std::size_t at = 0;
    for (bool header = true; reader.next(record); header = false) {
      if (header) {
        while (record.fields[at].text != key) ++at;
        continue;
      }
      out.push_back(record.fields[at].text);
    }
    return out;
  }
};

TEST_F(Halving, SurvivorsAreThePlainRunsRowsAndPrunedRowsAShorterPlainRunsWithTheirRung) {
  write("grid.yaml", kGrid);
  write("hv.yaml", kHalving);
  std::string short_grid = kGrid;
  short_grid.replace(short_grid.find("epochs: 27"), 10, "epochs: 3");
  write("short.yaml", short_grid);
  ASSERT_EQ(nnsweep("run grid.yaml -q --out grid").exit_code, 0);
  ASSERT_EQ(nnsweep("run short.yaml -q --out short").exit_code, 0);
  const Output r = nnsweep("run hv.yaml -q --out hv");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // 12 configurations: 4 go on from rung 0, 2 from rung 1; a row per trial, in trial order.
  const std::vector<std::string> rungs = column("hv/trials.csv", "rung");
  ASSERT_EQ(rungs.size(), 24u);
  EXPECT_EQ(std::count(rungs.begin(), rungs.end(), "0"), 16);
  EXPECT_EQ(std::count(rungs.begin(), rungs.end(), "1"), 4);
  EXPECT_EQ(std::count(rungs.begin(), rungs.end(), "2"), 4);
  const std::vector<std::string> outcomes = column("hv/trials.csv", "outcome");
  for (std::size_t i = 0; i < rungs.size(); ++i)
    EXPECT_EQ(outcomes[i] == "pruned", rungs[i] != "2") << i;
  // Repeats go on together: both repeats of a configuration stop at the same rung.
  for (std::size_t i = 0; i < rungs.size(); i += 2) EXPECT_EQ(rungs[i], rungs[i + 1]);
  EXPECT_TRUE(column("grid/trials.csv", "rung") == std::vector<std::string>(24, ""));

  // Survivors: the full grid's rows, byte for byte apart from timing and the rung.
  const std::vector<std::string> timing = {"wall_seconds", "rung"};
  const auto survivors = rows_where("hv/trials.csv", "rung", "2", timing);
  ASSERT_EQ(survivors.size(), 5u);
  const auto grid = csv_without(read(dir_ / "grid/trials.csv"), timing);
  for (std::size_t k = 1; k < survivors.size(); ++k)
    EXPECT_NE(std::find(grid.begin(), grid.end(), survivors[k]), grid.end()) << survivors[k];

  // Pruned at rung 0: the 3-epoch run's metrics, under the sweep's own id and settings.
  const std::vector<std::string> other = {"wall_seconds", "rung",    "trial_id",
                                          "train.epochs", "outcome", "outcome_reason"};
  const auto pruned = rows_where("hv/trials.csv", "rung", "0", other);
  const auto shorter = csv_without(read(dir_ / "short/trials.csv"), other);
  ASSERT_EQ(pruned.size(), 17u);
  for (std::size_t k = 1; k < pruned.size(); ++k)
    EXPECT_NE(std::find(shorter.begin(), shorter.end(), pruned[k]), shorter.end()) << pruned[k];
  EXPECT_NE(read(dir_ / "hv/trials.csv").find("pruned after 3 epochs: its mean val_loss"),
            std::string::npos);
  // The counts keep them apart from the outcomes of finished trainings.
  EXPECT_NE(read(dir_ / "hv/manifest.yaml").find("  pruned: 20\n"), std::string::npos);
}

TEST_F(Halving, TheSameTrialsSurviveOnOneAndTwoThreadsAndAfterAResume) {
  write("hv.yaml", kHalving);
  ASSERT_EQ(nnsweep("run hv.yaml -q --threads 1 --out one").exit_code, 0);
  ASSERT_EQ(nnsweep("run hv.yaml -q --threads 2 --out two").exit_code, 0);
  const auto one = csv_without(read(dir_ / "one/trials.csv"), {"wall_seconds"});
  EXPECT_EQ(csv_without(read(dir_ / "two/trials.csv"), {"wall_seconds"}), one);
  EXPECT_EQ(read(dir_ / "two/rungs.csv"), read(dir_ / "one/rungs.csv"));

  // Stopped during rung 1: rungs.csv holds rung 0 and part of rung 1, the last line torn; no
  // final row was written yet.
  const std::string rung_rows = read(dir_ / "one/rungs.csv");
  const std::size_t cut = first_lines(rung_rows, 1 + 24 + 3);
  write("two/rungs.csv", rung_rows.substr(0, cut) + "9,1");
  write("two/trials.csv",
        read(dir_ / "one/trials.csv").substr(0, first_lines(read(dir_ / "one/trials.csv"), 1)));
  write("two/curves.csv",
        read(dir_ / "one/curves.csv").substr(0, first_lines(read(dir_ / "one/curves.csv"), 1)));
  const Output r = nnsweep("run hv.yaml -q --threads 2 --out two --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "two/trials.csv"), {"wall_seconds"}), one);
  EXPECT_EQ(read(dir_ / "two/curves.csv"), read(dir_ / "one/curves.csv"));
  EXPECT_EQ(read(dir_ / "two/rungs.csv"), rung_rows);
}

// Ctrl-C during a rung, then --resume: the rung's decision is made from the metrics on disk and
// the ones trained after, and every file equals an uninterrupted run's.
TEST_F(Halving, InterruptedDuringARungThenResumedEqualsAnUninterruptedRun) {
  std::string big = kHalving;
  big.replace(big.find("epochs: 27"), 10, "epochs: 8100");
  big.replace(big.find("min_epochs: 3"), 13, "min_epochs: 900");
  write("hv.yaml", big);
  ASSERT_EQ(nnsweep("run hv.yaml -q --threads 2 --out full").exit_code, 0);
  const std::string command = "cd '" + dir_.string() +
                              "' && exec '" NNSWEEP_BINARY
                              "' run hv.yaml -q --threads 2 --out cut 2>err.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Interrupt once some trials of the first rung are on disk, however slow the machine.
  for (int wait = 0; wait < 4000; ++wait) {
    if (csv_without(read(dir_ / "cut/rungs.csv"), {}).size() > 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 130) {  // (not when it finished first: nothing to resume then)
    EXPECT_LT(csv_without(read(dir_ / "cut/trials.csv"), {}).size(), 25u);
  }
  const Output r = nnsweep("run hv.yaml -q --threads 2 --out cut --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv_without(read(dir_ / "cut/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "full/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "cut/curves.csv"), read(dir_ / "full/curves.csv"));
}

TEST_F(Halving, HyperbandBracketsGiveEveryTrialOneRowAndReuseWhatTheyMeet) {
  std::string spec = kGrid + "halving: { metric: val_loss, min_epochs: 3, eta: 3, brackets: 2 }\n";
  write("hb.yaml", spec);
  write("grid.yaml", kGrid);
  ASSERT_EQ(nnsweep("run grid.yaml -q --out grid").exit_code, 0);
  const Output r = nnsweep("run hb.yaml -q --out hb");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> rungs = column("hb/trials.csv", "rung");
  ASSERT_EQ(rungs.size(), 24u);
  const auto grid = csv_without(read(dir_ / "grid/trials.csv"), {"wall_seconds", "rung"});
  const auto survivors = rows_where("hb/trials.csv", "rung", "2", {"wall_seconds", "rung"});
  EXPECT_GE(survivors.size(), 5u);
  for (std::size_t k = 1; k < survivors.size(); ++k)
    EXPECT_NE(std::find(grid.begin(), grid.end(), survivors[k]), grid.end());
  // Bracket 1 starts 4 configurations at 9 epochs; any that bracket 0 trained there is not
  // trained again: rungs.csv holds each (epochs, trial) once.
  const auto lines = csv_without(read(dir_ / "hb/rungs.csv"), {"metric"});
  std::vector<std::string> sorted = lines;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

// report.html says where the trials stopped: 12 configurations x 2 repeats, 8 pruned at the
// first rung (3 epochs), 4 more at the second (9), 4 ran to the end (27).
TEST_F(Halving, TheReportSaysWhereTheTrialsStopped) {
  write("hv.yaml", kHalving);
  ASSERT_EQ(nnsweep("run hv.yaml -q --out hv").exit_code, 0);
  const std::string page = read(dir_ / "hv/report.html");
  EXPECT_NE(page.find("<caption>Where the trials stopped (successive halving)</caption>"),
            std::string::npos);
  EXPECT_NE(page.find("<tr><td>0</td><td>3</td><td>16</td><td>0</td></tr>\n"
                      "<tr><td>1</td><td>9</td><td>4</td><td>0</td></tr>\n"
                      "<tr><td>2</td><td>27</td><td>0</td><td>4</td></tr>\n"),
            std::string::npos);
  write("grid.yaml", kGrid);
  ASSERT_EQ(nnsweep("run grid.yaml -q --out grid").exit_code, 0);
  EXPECT_EQ(read(dir_ / "grid/report.html").find("Where the trials stopped"), std::string::npos);
}

TEST_F(Halving, PlanShowsTheRungsAndTheWorkAgainstTheFullGrid) {
  write("hv.yaml", kHalving);
  const Output r = nnsweep("plan hv.yaml --no-calibration");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("halving by val_loss (lowest first), eta 3, 1 bracket (survivors are "
                       "retrained from zero):\n"
                       "  bracket  rung  epochs  configurations    trials\n"
                       "        0     0       3              12        24\n"
                       "        0     1       9               4         8\n"
                       "        0     2      27               2         4\n"),
            std::string::npos)
      << r.out;
  // 12 x 3 + 4 x 9 + 2 x 27 = 126 of 12 x 27 = 324 trial-epochs.
  EXPECT_NE(r.out.find("% of the full grid's"), std::string::npos);
  EXPECT_NE(r.out.find(", 39% of the full grid's"), std::string::npos) << r.out;
}

TEST_F(Halving, ShardsAreRefusedSayingWhy) {
  write("hv.yaml", kHalving);
  const Output r = nnsweep("run hv.yaml -q --shard 0/2 --out s");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "--shard: error: a sweep with halving cannot be cut into shards: each rung waits for "
            "all of its trials before it picks the survivors; to spread it over machines run it "
            "with --mpi (mpirun), whose ranks train each rung together\n");
  EXPECT_FALSE(fs::exists(dir_ / "s"));
}

// MPI ranks train each rung as a hand-out of its own and rank 0 decides: the files are those of
// one process. Needs a build with MPI and Debian's openmpi-bin; skipped otherwise.
TEST_F(Halving, ThreeMpiRanksGiveTheFilesOfOneProcess) {
  if (const std::string missing = mpi_missing(); !missing.empty()) GTEST_SKIP() << missing;
  write("hb.yaml", kGrid + "halving: { metric: val_loss, min_epochs: 3, eta: 3, brackets: 2 }\n");
  ASSERT_EQ(nnsweep("run hb.yaml -q --out one").exit_code, 0);
  const Output ranks = nnsweep_on_mpi_ranks(3, "run hb.yaml -q --mpi --threads 1 --out mpi");
  ASSERT_EQ(ranks.exit_code, 0) << ranks.out;
  EXPECT_EQ(csv_without(read(dir_ / "mpi/trials.csv"), {"wall_seconds"}),
            csv_without(read(dir_ / "one/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "mpi/curves.csv"), read(dir_ / "one/curves.csv"));
  std::vector<std::string> one = csv_without(read(dir_ / "one/rungs.csv"), {}),
                           mpi = csv_without(read(dir_ / "mpi/rungs.csv"), {});
  std::sort(one.begin(), one.end()), std::sort(mpi.begin(), mpi.end());
  EXPECT_EQ(mpi, one);
}

}  // namespace
}  // namespace e2e
