// End-to-end: k-fold cross-validation and stratified splits, as users run them: a CSV with an
// uneven class, every configuration trained once per fold, rows identical however the sweep
// is run (threads, shards, resume, MPI), and the aggregates over folds read back with pandas.
#include <cstdlib>

#include <fmt/format.h>

#include "e2e.h"

namespace e2e {
namespace {

// 3 classes of 60, 30 and 12 rows, two informative features and a noise column, the rows in
// a fixed pseudo-random order.
std::string uneven_csv() {
  std::string text = "a,b,noise,kind\n";
  unsigned state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return static_cast<double>((state >> 8) % 1000) / 1000.0;
  };
  for (int i = 0; i < 102; ++i) {
    const int c = i % 17 < 10 ? 0 : i % 17 < 15 ? 1 : 2;
    text += fmt::format("{:.3f},{:.3f},{:.3f},{}\n", c + next(), 2 - c + next(), next(),
                        c == 0   ? "common"
                        : c == 1 ? "middle"
                                 : "rare");
  }
  return text;
}

// 2 configurations x 2 epoch counts x 2 repeats x 4 folds = 32 trials.
const char* kSweep = R"(name: cv
seed: 3
repeats: 2
data:
  dataset: csv
  path: uneven.csv
  target: kind
  train_fraction: 0.8
  split: { method: kfold, folds: 4 }
model: { hidden: [5] }
train: { optimizer: adam, learning_rate: 0.02, batch_size: 8 }
grid:
  model.activation: [tanh, relu]
  train.epochs: [6, 12]
)";

class CrossValidation : public Scratch {
 protected:
  void SetUp() override {
    Scratch::SetUp();
    write("uneven.csv", uneven_csv());
    write("s.yaml", kSweep);
  }
};

TEST_F(CrossValidation, RowsAreIdenticalForAnyThreadsShardsAndResume) {
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 1 --out t1").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 2 --out t2").exit_code, 0);
  const auto one = csv_without(read(dir_ / "t1/trials.csv"), {"wall_seconds"});
  ASSERT_EQ(one.size(), 33u);
  EXPECT_EQ(one, csv_without(read(dir_ / "t2/trials.csv"), {"wall_seconds"}));
  EXPECT_EQ(read(dir_ / "t1/curves.csv"), read(dir_ / "t2/curves.csv"));

  std::string dirs;
  for (int k = 0; k < 3; ++k) {
    ASSERT_EQ(nnsweep(fmt::format("run s.yaml -q --shard {}/3", k)).exit_code, 0);
    dirs += fmt::format(" runs/cv/shard-{}-of-3", k);
  }
  ASSERT_EQ(nnsweep("merge" + dirs + " --out merged").exit_code, 0);
  EXPECT_EQ(csv_without(read(dir_ / "merged/trials.csv"), {"wall_seconds"}), one);

  // A run cut after 13 rows (a kill) and resumed.
  ASSERT_EQ(nnsweep("run s.yaml -q --out part").exit_code, 0);
  const std::string text = read(dir_ / "part/trials.csv");
  write("part/trials.csv", text.substr(0, first_lines(text, 14) + 20));
  const Output resumed = nnsweep("run s.yaml -q --out part --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(csv_without(read(dir_ / "part/trials.csv"), {"wall_seconds"}), one);
  EXPECT_EQ(read(dir_ / "part/curves.csv"), read(dir_ / "t1/curves.csv"));
}

TEST_F(CrossValidation, EpochSiblingsOfAFoldShareItsTraining) {
  // The 6-epoch trials are the first 6 epochs of the 12-epoch ones, fold by fold.
  ASSERT_EQ(nnsweep("run s.yaml -q --out both").exit_code, 0);
  std::string alone = kSweep;
  alone.replace(alone.find("[6, 12]"), 7, "[6]");
  write("six.yaml", alone);
  ASSERT_EQ(nnsweep("run six.yaml -q --out six").exit_code, 0);
  auto six = csv_without(read(dir_ / "six/trials.csv"), {"wall_seconds", "trial_index"});
  auto both = csv_without(read(dir_ / "both/trials.csv"), {"wall_seconds", "trial_index"});
  std::size_t found = 0;
  for (std::size_t r = 1; r < six.size(); ++r)
    found += std::count(both.begin() + 1, both.end(), six[r]);
  EXPECT_EQ(found, 16u);
}

TEST_F(CrossValidation, PandasSeesEveryFoldAndTheAggregatesOverThem) {
  if (std::system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-pandas is not installed";
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  write("check.py", R"py(import sys, pandas as pd
t = pd.read_csv("out/trials.csv")
s = pd.read_csv("out/summary.csv")
assert sorted(t["fold"].unique()) == [0, 1, 2, 3], t["fold"].unique()
assert t["data.split.method"].eq("kfold").all()
# Every configuration: each fold of each repeat once.
keys = ["model.activation", "train.epochs"]
per = t.groupby(keys).apply(lambda g: sorted(zip(g["repeat"], g["fold"])))
assert all(p == [(r, f) for r in range(2) for f in range(4)] for p in per), per
assert t["trial_id"].is_unique
# summary.csv: n counts folds x repeats, the mean is over all of them.
assert (s["n"] == 8).all(), s["n"]
m = t.groupby(keys)["best_val_loss"].mean()
for _, row in s.iterrows():
    want = m[(row["model.activation"], row["train.epochs"])]
    assert abs(row["best_val_loss_mean"] - want) <= 1e-12 * max(1, abs(want)), (row, want)
    assert row["best_val_loss_ci95_low"] <= row["best_val_loss_mean"] <= row["best_val_loss_ci95_high"]
print("ok")
)py");
  const std::string command =
      "cd '" + dir_.string() + "' && /usr/bin/python3 check.py >py.out 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << read(dir_ / "py.out");
}

TEST_F(CrossValidation, TheImportanceTableHasTheFoldAsABlock) {
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const std::string importance = read(dir_ / "out/importance.csv");
  EXPECT_NE(importance.find(",fold,block,3,"), std::string::npos) << importance;
  EXPECT_NE(importance.find(",repeat,block,1,"), std::string::npos) << importance;
}

TEST_F(CrossValidation, BadSplitsExitTwoWithThePosition) {
  std::string text = kSweep;
  text.replace(text.find("folds: 4"), 8, "folds: 12");  // the rare class has 10 rows to share
  write("rare.yaml", text);
  Output r = nnsweep("plan rare.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("rare.yaml:9:34: error: data.split.folds 12 is more than the 9 samples "
                        "of the smallest class",
                        0),
            0u)
      << r.err;
  text = kSweep;
  text.replace(text.find("grid:"), 5, "grid:\n  data.split.folds: [3, 4]");
  write("axis.yaml", text);
  r = nnsweep("run axis.yaml -q --out axis");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("axis.yaml:13:3: error: data.split.folds decides how many trainings", 0),
            0u)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "axis"));
  write("one.yaml", "data: {split: {method: kfold, folds: 1}}\n");
  r = nnsweep("plan one.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("one.yaml:1:38: error: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace e2e
