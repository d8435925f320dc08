// End-to-end: train.early_stopping. The stopped_epoch column, rows that do not depend on
// threads, packs or epoch siblings, and saved models with the best epoch's weights.
#include <cstdlib>

#include "e2e.h"

namespace e2e {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

class EarlyStopping : public Scratch {
 protected:
  static bool has_pandas() {
    return std::system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") == 0;
  }
  // Runs check.py with `args`: its exit code and what it printed.
  Output python(const std::string& args) {
    Output o;
    o.exit_code = std::system(
        ("cd '" + dir_.string() + "' && " + kPython + " check.py " + args + " >py.out 2>&1")
            .c_str());
    o.out = read(dir_ / "py.out");
    return o;
  }
  std::string trials(const std::string& out) { return read(dir_ / out / "trials.csv"); }
};

// A sweep whose patient trainings stop well before 300 epochs; the 40-epoch trials are read off
// the 300-epoch ones (epoch siblings).
std::string sweep(const std::string& name, const std::string& epochs) {
  return "name: " + name + R"(
seed: 5
data: { dataset: spiral, points: 200, noise: 0.3, validation_fraction: 0.3 }
model: { hidden: [6, 6] }
train: { optimizer: adam, batch_size: 10 }
grid:
  train.early_stopping.patience: [0, 8]
  train.learning_rate: [0.01, 0.05]
  train.epochs: )" +
         epochs + "\n";
}

TEST_F(EarlyStopping, RowsSayWhereTheyStoppedAndDoNotDependOnThreadsOrSiblings) {
  if (!has_pandas()) GTEST_SKIP() << "python3-pandas is not installed";
  write("both.yaml", sweep("both", "[40, 300]"));
  write("long.yaml", sweep("long", "[300]"));
  write("short.yaml", sweep("short", "[40]"));
  ASSERT_EQ(nnsweep("run both.yaml -q --threads 1 --out one").exit_code, 0);
  ASSERT_EQ(nnsweep("run both.yaml -q --threads 2 --out two").exit_code, 0);
  ASSERT_EQ(nnsweep("run long.yaml -q --out long").exit_code, 0);
  ASSERT_EQ(nnsweep("run short.yaml -q --out short").exit_code, 0);
  EXPECT_EQ(csv_without(trials("one"), {"wall_seconds"}),
            csv_without(trials("two"), {"wall_seconds"}));

  write("check.py", R"(import sys, pandas as pd
both = pd.read_csv("one/trials.csv").drop(columns=["trial_index", "wall_seconds"])
assert pd.api.types.is_numeric_dtype(both["stopped_epoch"]), both["stopped_epoch"].dtype
off = both[both["train.early_stopping.patience"] == 0]
assert off["stopped_epoch"].isna().all()
assert off["train.early_stopping.min_delta"].isna().all()  # does not apply when off
on = both[(both["train.early_stopping.patience"] == 8) & (both["train.epochs"] == 300)]
assert on["stopped_epoch"].notna().all(), on["stopped_epoch"]
assert (on["stopped_epoch"] == on["epochs_run"]).all()
assert (on["stopped_epoch"] < 300).all() and (on["stopped_epoch"] == on["best_epoch"] + 8).all()
assert not (on["outcome"] == "still_learning").any()
# A sibling whose 40 epochs end before the stop was not stopped.
short_on = both[(both["train.early_stopping.patience"] == 8) & (both["train.epochs"] == 40)]
for _, row in short_on.iterrows():
    long_row = on[on["train.learning_rate"] == row["train.learning_rate"]].iloc[0]
    stopped = long_row["stopped_epoch"] < 40
    assert row["stopped_epoch"] == long_row["stopped_epoch"] if stopped else pd.isna(row["stopped_epoch"])
# The same rows as sweeps without siblings.
alone = pd.concat([pd.read_csv(d + "/trials.csv") for d in ["long", "short"]])
alone = alone.drop(columns=["trial_index", "wall_seconds"]).set_index("trial_id").sort_index()
both = both.set_index("trial_id").sort_index()
pd.testing.assert_frame_equal(both, alone)
first = on.iloc[0]
print(first["trial_id"], int(first["best_epoch"]), first["train.learning_rate"])
)");
  const Output checked = python("");
  ASSERT_EQ(checked.exit_code, 0) << checked.out;
}

// The saved model of a stopped trial holds its best epoch's weights and says so: the same
// weights, and the same predictions, as a model trained for exactly that many epochs.
TEST_F(EarlyStopping, ASavedModelHoldsTheBestEpochsWeights) {
  if (!has_pandas()) GTEST_SKIP() << "python3-pandas is not installed";
  write("s.yaml", sweep("s", "[300]"));
  ASSERT_EQ(nnsweep("run s.yaml -q --save-models all --out out").exit_code, 0);
  write("check.py", R"(import sys, pandas as pd
t = pd.read_csv("out/trials.csv")
t = t[t["stopped_epoch"].notna()]
assert len(t) == 2, t
row = t.iloc[0]
print(row["trial_id"], int(row["best_epoch"]), row["train.learning_rate"], int(row["stopped_epoch"]))
)");
  const Output found = python("");
  ASSERT_EQ(found.exit_code, 0) << found.out;
  std::istringstream fields(found.out);
  std::string id, rate;
  int best = 0, stopped = 0;
  fields >> id >> best >> rate >> stopped;
  ASSERT_LT(best, stopped);
  const std::string model = read(dir_ / "out" / "models" / (id + ".yaml"));
  EXPECT_NE(model.find("weights_epoch: " + std::to_string(best) + "\n"), std::string::npos)
      << model;
  EXPECT_NE(model.find("weights_from: lowest_val_loss\n"), std::string::npos);

  // The same trial without early stopping, for exactly `best` epochs: the same initial weights
  // and batches, so the same parameters to the bit.
  write("best.yaml",
        "name: best\nseed: 5\n"
        "data: { dataset: spiral, points: 200, noise: 0.3, validation_fraction: 0.3 }\n"
        "model: { hidden: [6, 6] }\n"
        "train: { optimizer: adam, batch_size: 10, learning_rate: " +
            rate + ", epochs: " + std::to_string(best) + " }\n");
  ASSERT_EQ(nnsweep("run best.yaml -q --save-models all --out best").exit_code, 0);
  fs::path other;
  for (const auto& entry : fs::directory_iterator(dir_ / "best" / "models")) other = entry.path();
  const std::string reference = read(other);
  const auto layers = [](const std::string& text) { return text.substr(text.find("\nlayers:")); };
  EXPECT_EQ(layers(model), layers(reference));
  write("points.csv", "x1,x2\n0.5,-1\n-3,2.5\n4,4\n0,0\n");
  const Output a = nnsweep("predict out/models/" + id + ".yaml points.csv");
  const Output b = nnsweep("predict '" + other.string() + "' points.csv");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

// A trials.csv from before the stopped_epoch and rung columns: report reads it, --resume refuses
// to append rows of another width to it.
TEST_F(EarlyStopping, OlderTrialsFilesAreReadButNotResumed) {
  write("s.yaml", sweep("s", "[20]"));
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  std::ifstream in(dir_ / "out/trials.csv", std::ios::binary);
  results::CsvReader reader(in, "trials.csv");
  results::CsvRecord record;
  std::size_t column = 0;
  std::string older;
  while (reader.next(record)) {
    std::vector<std::string> fields;
    for (std::size_t i = 0; i < record.size(); ++i)
      if (record[i] == "stopped_epoch") column = i;
    for (std::size_t i = 0; i + 1 < record.size(); ++i)  // the last column is the rung
      if (i != column) fields.push_back(record[i]);
    older += results::format_row(fields);
  }
  in.close();
  ASSERT_GT(column, 0u);
  write("out/trials.csv", older);
  const Output report = nnsweep("report out");
  EXPECT_EQ(report.exit_code, 0) << report.err;
  const Output resume = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.err.find("without the fold, class score, stopped_epoch or rung columns"),
            std::string::npos)
      << resume.err;
}

}  // namespace
}  // namespace e2e
