// End-to-end: class weights and the class scores on an imbalanced CSV, as a user runs them.
#include <random>

#include "e2e.h"
#include "results/trial_record.h"

namespace e2e {
namespace {

class Imbalance : public Scratch {
 protected:
  // 400 rows, 90% class a and 10% class b, b shifted up and right into a's cloud: rare and
  // overlapping, so an unweighted network answers a almost everywhere.
  void write_imbalanced_csv() {
    std::mt19937 gen(3);
    const auto noise = [&] { return static_cast<double>(gen() % 2001) / 1000.0 - 1.0; };
    std::string csv = "x1,x2,label\n";
    for (int i = 0; i < 400; ++i) {
      const bool b = i % 10 == 0;
      csv += std::to_string((b ? 0.9 : 0.0) + noise()) + "," +
             std::to_string((b ? 0.54 : 0.0) + noise()) + (b ? ",b\n" : ",a\n");
    }
    write("imbalanced.csv", csv);
  }

  std::vector<results::TrialRecord> trials(const std::string& out) {
    std::ifstream in(dir_ / out / "trials.csv", std::ios::binary);
    std::vector<results::TrialRecord> rows;
    results::read_trials(in, "trials.csv",
                         [&](results::TrialRecord&& r) { rows.push_back(std::move(r)); });
    return rows;
  }
};

constexpr const char* kSweep = R"(name: imbalanced
data: { dataset: csv, path: imbalanced.csv, target: label, validation_fraction: 0.25 }
model: { hidden: [4] }
train: { epochs: 60 }
grid:
  train.class_weight: [none, balanced]
)";

// Always answering a is right 90% of the time: the accuracy hides what the balanced accuracy
// shows, and weighting the classes raises the balanced accuracy on the test split.
TEST_F(Imbalance, BalancedWeightsRaiseTheBalancedAccuracy) {
  write_imbalanced_csv();
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  const auto rows = trials("out");
  ASSERT_EQ(rows.size(), 2u);
  const auto class_weight = [](const results::TrialRecord& r) {
    return *std::find_if(r.params.begin(), r.params.end(),
                         [](const auto& p) { return p.first == "train.class_weight"; });
  };
  EXPECT_EQ(class_weight(rows[0]),
            (std::pair<std::string, std::string>{"train.class_weight", "none"}));
  EXPECT_EQ(class_weight(rows[1]).second, "balanced");
  for (const auto& r : rows) {
    for (double v :
         {r.final.train_balanced_accuracy, r.final.val_balanced_accuracy,
          r.final.test_balanced_accuracy, r.best.test_balanced_accuracy, r.final.train_macro_f1,
          r.final.val_macro_f1, r.final.test_macro_f1, r.best.val_macro_f1})
      EXPECT_TRUE(v >= 0 && v <= 1) << v;
    EXPECT_EQ(r.baseline_loss, rows[0].baseline_loss);  // the class frequencies, unweighted
  }
  EXPECT_GT(rows[1].final.test_balanced_accuracy, rows[0].final.test_balanced_accuracy + 0.05);
  // The header names the columns; summary.csv aggregates them.
  const std::string header = read(dir_ / "out/trials.csv").substr(0, 4096);
  EXPECT_NE(header.find(",final_val_balanced_accuracy,"), std::string::npos);
  EXPECT_NE(header.find(",best_test_macro_f1,"), std::string::npos);
  EXPECT_NE(read(dir_ / "out/summary.csv").find(",final_test_macro_f1_mean,"), std::string::npos);
  // The trial without weights is the trial of a sweep that never names the setting.
  write("plain.yaml", std::string(kSweep).substr(0, std::string(kSweep).find("grid:")));
  const Output plan = nnsweep("plan plain.yaml --format csv");
  EXPECT_NE(plan.out.find(rows[0].id), std::string::npos) << plan.out;
  // A report cell can show them.
  write("cell.yaml", std::string(kSweep) + "report: {cell: final_test_balanced_accuracy}\n");
  EXPECT_EQ(nnsweep("run cell.yaml -q --out cell").exit_code, 0);
  EXPECT_NE(read(dir_ / "cell/convergence.md").find("Cells: mean final_test_balanced_accuracy"),
            std::string::npos);
}

TEST_F(Imbalance, ClassWeightOnARegressionTargetExitsTwoAtItsPlace) {
  write("plane.csv", "x,y\n1,0.5\n2,1.5\n3,2.25\n4,3.75\n5,4.5\n6,5.25\n7,6.5\n8,7.75\n");
  write("s.yaml",
        "data: { dataset: csv, path: plane.csv, target: y }\n"
        "train: { batch_size: 2 }\n"
        "grid:\n"
        "  train.class_weight: [none, balanced]\n");
  const Output r = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "s.yaml:4:30: error: train.class_weight balanced needs a classification task, and "
            "column 'y' of 'plane.csv' is a regression; use none; in the combination "
            "train.class_weight=balanced\n");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

// A trials.csv from before the class scores: report reads it (their cells empty), --resume
// refuses to append rows of another width to it.
TEST_F(Imbalance, OlderTrialsFilesAreReadButNotResumed) {
  write_imbalanced_csv();
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --out out").exit_code, 0);
  std::ifstream in(dir_ / "out/trials.csv", std::ios::binary);
  results::CsvReader reader(in, "trials.csv");
  results::CsvRecord record;
  std::vector<bool> keep;
  std::string older;
  while (reader.next(record)) {
    if (keep.empty())
      for (const auto& f : record.fields)
        keep.push_back(f.text.find("balanced_accuracy") == std::string::npos &&
                       f.text.find("macro_f1") == std::string::npos && f.text != "fold" &&
                       f.text != "rung" && f.text != "stopped_epoch");  // newer still
    std::vector<std::string> fields;
    for (std::size_t i = 0; i < record.size(); ++i)
      if (keep[i]) fields.push_back(record[i]);
    older += results::format_row(fields);
  }
  in.close();
  write("out/trials.csv", older);
  const Output report = nnsweep("report out");
  EXPECT_EQ(report.exit_code, 0) << report.err;
  const auto rows = trials("out");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(std::isnan(rows[0].final.test_macro_f1));
  EXPECT_FALSE(std::isnan(rows[0].final.test_accuracy));
  const Output resume = nnsweep("run s.yaml -q --out out --resume");
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.err.find("out/trials.csv:1:1: error: cannot --resume: this trials.csv was "
                            "written by an older nnsweep"),
            std::string::npos)
      << resume.err;
  EXPECT_EQ(read(dir_ / "out/trials.csv"), older);
}

}  // namespace
}  // namespace e2e
