// End-to-end: every CSV file a run writes is read by pandas with no options, with numeric
// columns as numbers and values that round-trip exactly. Needs Debian's python3-pandas
// (scripts/setup.sh test installs it); skipped where it is missing.
#include <cstdlib>

#include "e2e.h"

namespace e2e {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

class Pandas : public Scratch {
 protected:
  static bool has(const std::string& module) {
    return std::system(
               (std::string(kPython) + " -c 'import " + module + "' 2>/dev/null").c_str()) == 0;
  }
  // Runs check.py on the output directory `out`: its exit code and what it printed.
  Output check(const std::string& out) {
    Output o;
    const std::string command =
        "cd '" + dir_.string() + "' && " + kPython + " check.py " + out + " >py.out 2>&1";
    o.exit_code = std::system(command.c_str());
    o.out = read(dir_ / "py.out");
    return o;
  }
};

TEST_F(Pandas, ReadsEveryOutputFileWithNoOptions) {
  if (!has("pandas")) GTEST_SKIP() << "python3-pandas is not installed";
  write("s.yaml", R"(name: pd
repeats: 2
data: { dataset: circle, points: 100, validation_fraction: 0.2 }
model: { hidden: [3] }
train: { epochs: 20 }
grid:
  train.learning_rate: [0.01, 0.3, 50]
  model.activation: [tanh, "linear"]
)");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  write("check.py", R"(import sys, pandas as pd
d = sys.argv[1]
t = pd.read_csv(d + "/trials.csv")
assert len(t) == 12, len(t)
for col in ["trial_index", "seed", "epochs_run", "final_train_loss", "final_val_loss",
            "final_test_accuracy", "final_val_balanced_accuracy", "best_test_macro_f1",
            "train.learning_rate", "wall_seconds"]:
    assert pd.api.types.is_numeric_dtype(t[col]), (col, t[col].dtype)
outcomes = {"learned", "still_learning", "underfit", "stalled", "unstable", "overfit", "diverged"}
assert set(t["outcome"]) <= outcomes, set(t["outcome"])
assert (t["outcome"] == "diverged").any()
assert t["outcome_reason"].str.len().min() > 20, t["outcome_reason"]
assert pd.api.types.is_numeric_dtype(t["baseline_loss"]) and (t["baseline_loss"] > 0).all()
c = pd.read_csv(d + "/curves.csv")
assert pd.api.types.is_float_dtype(c["train_loss"])
assert c.groupby("trial_id").size().min() >= 2
# Exact round trip: the text in the file reads back as the double written, with pandas'
# round_trip parser (its default parser is only promised to within one unit in the last place).
raw = open(d + "/curves.csv").read().splitlines()[1].split(",")[2]
exact = pd.read_csv(d + "/curves.csv", float_precision="round_trip")
assert exact["train_loss"].iloc[0] == float(raw), raw
assert abs(c["train_loss"].iloc[0] - float(raw)) <= 2.3e-16 * abs(float(raw)), raw
s = pd.read_csv(d + "/summary.csv")
assert len(s) == 6 and s["n"].sum() == 12, s
v = pd.read_csv(d + "/convergence.csv", index_col=0)
assert list(v.index) == [0.01, 0.3, 50.0], list(v.index)
pd.read_csv(d + "/convergence_cells.csv")
print("ok")
)");
  const Output r = check("out");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "ok\n");
}

// importance.csv of a real run, against statsmodels' analysis of variance of the same trials
// (an independent implementation): y ~ each setting + their interaction + the repeat block.
TEST_F(Pandas, ImportanceMatchesStatsmodelsOnARun) {
  if (!has("statsmodels")) GTEST_SKIP() << "python3-statsmodels is not installed";
  write("s.yaml", R"(name: anova
repeats: 3
data: { dataset: xor, points: 120, validation_fraction: 0.25 }
model: { hidden: [4] }
train: { epochs: 15 }
grid:
  train.learning_rate: [0.01, 0.1, 0.3, 1]
  model.activation: [tanh, relu, sigmoid]
)");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  write("check.py", R"py(import sys, warnings, numpy as np, pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm
warnings.simplefilter("ignore")
d = sys.argv[1]
t = pd.read_csv(d + "/trials.csv")
t = t[np.isfinite(t["best_val_loss"])]
t = t.rename(columns={"train.learning_rate": "lr", "model.activation": "act"})
t["lr"] = t["lr"].astype(str)
m = smf.ols("best_val_loss ~ C(act) + C(lr) + C(act):C(lr) + C(repeat)", data=t).fit()
ref = anova_lm(m, typ=2)
names = {"model.activation": "C(act)", "train.learning_rate": "C(lr)",
         "model.activation:train.learning_rate": "C(act):C(lr)", "repeat": "C(repeat)",
         "residual": "Residual"}
imp = pd.read_csv(d + "/importance.csv")
assert set(imp["term"]) == set(names), set(imp["term"])
assert (imp["trials_used"] == len(t)).all(), (imp["trials_used"], len(t))
for _, row in imp.iterrows():
    r = ref.loc[names[row["term"]]]
    assert abs(row["sum_sq"] - r["sum_sq"]) <= 1e-9 * max(1.0, r["sum_sq"]), (row, r)
    assert row["df"] == r["df"], (row, r)
    if row["term"] != "residual":
        assert abs(row["f"] - r["F"]) <= 1e-6 * max(1.0, r["F"]), (row, r)
        assert abs(row["p_value"] - r["PR(>F)"]) <= 1e-6, (row, r)
assert abs(imp["share"].sum() - 1) < 1e-12
print("ok")
)py");
  const Output r = check("out");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "ok\n");
}

}  // namespace
}  // namespace e2e
