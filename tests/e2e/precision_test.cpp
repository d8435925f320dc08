// End-to-end: train.precision float32 keeps the determinism promise within float32 (threads,
// shards, pack neighbours), and its saved models predict in float32.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "e2e.h"
#include "nn/csv_data.h"

namespace e2e {
namespace {

// 5 learning rates x 2 activations x 2 optimizers x 3 repeats = 60 trials, float32.
const char* kSweep = R"(name: f32
seed: 7
repeats: 3
data: { dataset: circle, points: 120 }
model: { hidden: [6] }
train: { batch_size: 10, epochs: 15, precision: float32 }
grid:
  train.learning_rate: [0.003, 0.03, 0.3, 3, 30]
  model.activation: [relu, tanh]
  train.optimizer: [sgd, adam]
)";

class Precision : public Scratch {
 protected:
  std::vector<std::string> trials(const std::string& dir) {
    return csv_without(read(dir_ / dir / "trials.csv"), {"wall_seconds"});
  }
};

TEST_F(Precision, Float32RowsAreIdenticalForAnyThreadsAndShards) {
  write("s.yaml", kSweep);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 1 --out t1").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 2 --out t2").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 2 --shard 0/2").exit_code, 0);
  ASSERT_EQ(nnsweep("run s.yaml -q --threads 1 --shard 1/2").exit_code, 0);
  const Output merged = nnsweep("merge runs/f32/shard-0-of-2 runs/f32/shard-1-of-2 --out merged");
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const auto one = trials("t1");
  EXPECT_EQ(one.size(), 61u);
  EXPECT_NE(one[1].find(",float32,"), std::string::npos) << one[1];
  EXPECT_EQ(one, trials("t2"));
  EXPECT_EQ(one, trials("merged"));
  EXPECT_EQ(read(dir_ / "t1/curves.csv"), read(dir_ / "t2/curves.csv"));
  EXPECT_EQ(read(dir_ / "t1/curves.csv"), read(dir_ / "merged/curves.csv"));
  // float64 is another training with another trial id, and the same sweep in float64 is not
  // these rows.
  ASSERT_EQ(nnsweep("run s.yaml -q --out double train.precision=float64").exit_code, 0);
  const auto wide = trials("double");
  ASSERT_EQ(wide.size(), one.size());
  EXPECT_NE(wide[1].substr(0, wide[1].find(',', 3)), one[1].substr(0, one[1].find(',', 3)));
}

// A float32 regression: predict on the data gives, per row, the squared error whose sums over
// the splits are the losses training reported (summed in float there: to a float's accuracy).
TEST_F(Precision, PredictOfAFloat32ModelGivesTheLossesTrainingReported) {
  std::string text = "x1,x2,y\n";
  for (int i = 0; i < 40; ++i)
    text +=
        fmt::format("{},{},{}\n", (i % 9) * 0.25 - 1, (i % 5) * 0.5 - 1, std::sin(i * 0.7) + 0.25);
  write("d.csv", text);
  write("s.yaml",
        "name: reg\nseed: 3\ndata: { dataset: csv, path: d.csv, target: y, train_fraction: 0.5 "
        "}\nmodel: { hidden: [5], activation: tanh }\ntrain: { epochs: 30, precision: float32 "
        "}\n");
  ASSERT_EQ(nnsweep("run s.yaml -q --out out --save-models all").exit_code, 0);
  const fs::path model = fs::directory_iterator(dir_ / "out/models")->path();
  EXPECT_NE(read(model).find("train.precision: \"float32\""), std::string::npos);
  const Output predict = nnsweep(fmt::format("predict '{}' d.csv --out p.csv", model.string()));
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const nn::CsvTable p = nn::read_csv_table((dir_ / "p.csv").string());
  const nn::CsvTable d = nn::read_csv_table((dir_ / "d.csv").string());
  const nn::CsvTable t = nn::read_csv_table((dir_ / "out/trials.csv").string());
  ASSERT_EQ(p.rows.size(), 40u);
  const auto cell = [](const nn::CsvTable& table, std::size_t row, const std::string& name) {
    const auto at = std::find(table.header.begin(), table.header.end(), name);
    EXPECT_NE(at, table.header.end()) << name;
    return std::stod(
        table.rows[row].fields[static_cast<std::size_t>(at - table.header.begin())].text);
  };
  double sum = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    const double e = cell(p, i, "prediction") - cell(d, i, "y");
    sum += 0.5 * e * e;
  }
  const double trained = 20 * cell(t, 0, "final_train_loss") + 20 * cell(t, 0, "final_test_loss");
  EXPECT_NEAR(sum, trained, 1e-5 * trained);

  // A precision predict has no kernels for is refused with its position.
  std::string edited = read(model);
  edited.replace(edited.find("\"float32\""), 9, "\"float16\"");
  write("bad.yaml", edited);
  const Output bad = nnsweep("predict bad.yaml d.csv");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("float16"), std::string::npos) << bad.err;
}

// plan calibrates and counts packs of eight float32 trainings, as run trains them.
TEST_F(Precision, PlanCountsEightFloat32TrainingsToAPack) {
  write("p.yaml",
        "name: p\nrepeats: 16\ndata: { dataset: circle, points: 40 }\n"
        "train: { epochs: 2, precision: float32 }\n");
  const Output plan = nnsweep("plan p.yaml");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("a pack of 8 copies"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("packs will hold 8.0 trainings of 8"), std::string::npos) << plan.out;
  write("q.yaml", "name: q\nrepeats: 16\ndata: { dataset: circle, points: 40 }\n");
  const Output wide = nnsweep("plan q.yaml");
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("packs will hold 4.0 trainings of 4"), std::string::npos) << wide.out;
}

}  // namespace
}  // namespace e2e
