// End-to-end: a CSV with a text column and missing cells, trained with data.categorical: onehot
// and data.missing: mean, saved, and predicted on its raw rows: predict's encoding equals
// training's. And the bad inputs of both settings.
#include <fmt/format.h>

#include <cmath>

#include "e2e.h"
#include "nn/csv_data.h"

namespace e2e {
namespace {

class Encoding : public Scratch {
 protected:
  // 60 rows: x (empty in every 7th row), color (red, green, blue), y = x / 2 + 1 for red.
  void write_data() {
    std::string text = "x,color,y\n";
    const char* colors[] = {"red", "green", "blue"};
    for (int i = 0; i < 60; ++i) {
      const double x = (i % 11) * 0.3 - 1.5;
      text += fmt::format("{},{},{}\n", i % 7 == 2 ? "" : fmt::format("{}", x), colors[i % 3],
                          x / 2 + (i % 3 == 0 ? 1.0 : 0.0) + 0.125);
    }
    write("d.csv", text);
  }
  void write_sweep(const std::string& data) {
    write("s.yaml", "name: enc\nseed: 3\ndata: { dataset: csv, path: d.csv, target: y, " + data +
                        " }\nmodel: { hidden: [4] }\ntrain: { epochs: 25, learning_rate: 0.05 "
                        "}\n");
  }
  // Column `name` of a CSV file's rows, as numbers.
  static std::vector<double> column(const fs::path& file, const std::string& name) {
    const nn::CsvTable table = nn::read_csv_table(file.string());
    const auto at = std::find(table.header.begin(), table.header.end(), name);
    EXPECT_NE(at, table.header.end()) << name;
    std::vector<double> values;
    for (const auto& row : table.rows)
      values.push_back(
          std::stod(row.fields[static_cast<std::size_t>(at - table.header.begin())].text));
    return values;
  }
};

TEST_F(Encoding, PredictOnTheRawRowsGivesTheLossesTrainingReported) {
  write_data();
  write_sweep("categorical: onehot, missing: mean, validation_fraction: 0.25");
  const Output run = nnsweep("run s.yaml -q --out out --save-models all");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path model = fs::directory_iterator(dir_ / "out/models")->path();
  const std::string text = read(model);
  EXPECT_NE(text.find(R"({type: onehot, categories: ["blue", "green", "red"], missing: zeros})"),
            std::string::npos)
      << text;
  const Output predict = nnsweep(fmt::format("predict '{}' d.csv --out p.csv", model.string()));
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(predict.err, "");
  const std::string csv = read(dir_ / "p.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "x,color,prediction");
  EXPECT_NE(csv.find("\n,blue,"), std::string::npos) << csv;  // row 3: empty x, echoed empty

  // Every row's squared error, from predict, against the losses training reported for its
  // last epoch (the weights --save-models all keeps): 23 training rows, 7 validation, 30 test.
  const std::vector<double> p = column(dir_ / "p.csv", "prediction");
  const std::vector<double> y = column(dir_ / "d.csv", "y");
  ASSERT_EQ(p.size(), 60u);
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum += 0.5 * (p[i] - y[i]) * (p[i] - y[i]);
  const auto loss = [&](const std::string& name) {
    return column(dir_ / "out/trials.csv", name)[0];
  };
  const double trained =
      23 * loss("final_train_loss") + 7 * loss("final_val_loss") + 30 * loss("final_test_loss");
  EXPECT_NEAR(sum, trained, 1e-9 * trained);
  EXPECT_GT(trained, 0);

  // A colour training never saw predicts as all zeros, with a warning naming its cell.
  write("new.csv", "color,x\npurple,0.3\nred,\n");
  const Output unseen = nnsweep(fmt::format("predict '{}' new.csv", model.string()));
  ASSERT_EQ(unseen.exit_code, 0) << unseen.err;
  EXPECT_NE(unseen.err.find("warning: new.csv:2:1: column 'color': 'purple' is not a category of "
                            "the training split; it is encoded as all zeros"),
            std::string::npos)
      << unseen.err;
  EXPECT_EQ(unseen.out.substr(0, unseen.out.find('\n')), "x,color,prediction");
  EXPECT_NE(unseen.out.find("\n0.3,purple,"), std::string::npos) << unseen.out;
  EXPECT_NE(unseen.out.find("\n,red,"), std::string::npos) << unseen.out;

  // A CSV without one of the model's columns, or with text in a number column, is bad input.
  write("nocolor.csv", "x,y\n1,2\n");
  const Output missing = nnsweep(fmt::format("predict '{}' nocolor.csv", model.string()));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nocolor.csv:1:1: error: no column named 'color'"), std::string::npos)
      << missing.err;
  write("text.csv", "x,color\nbig,red\n");
  const Output text_x = nnsweep(fmt::format("predict '{}' text.csv", model.string()));
  EXPECT_EQ(text_x.exit_code, 2);
  EXPECT_NE(text_x.err.find("text.csv:2:1: error: column 'x': 'big' is not a finite number"),
            std::string::npos)
      << text_x.err;
}

TEST_F(Encoding, DropRowsTrainsOnTheCompleteRowsAndPredictRefusesAnEmptyCell) {
  write_data();
  write_sweep("categorical: onehot, missing: drop_rows");
  const Output run = nnsweep("run s.yaml -q --out out");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path model = fs::directory_iterator(dir_ / "out/models")->path();
  const Output predict = nnsweep(fmt::format("predict '{}' d.csv", model.string()));
  EXPECT_EQ(predict.exit_code, 2);
  EXPECT_NE(predict.err.find("d.csv:4:1: error: column 'x': missing value; the model was trained "
                             "without data.missing: mean"),
            std::string::npos)
      << predict.err;
}

// The splits are cut from the rows drop_rows keeps: checked against those, at load.
TEST_F(Encoding, DropRowsSizesTheSplitsFromTheRowsItKeeps) {
  write("d.csv", "x,y\n1,0.5\n,1.5\n3,2.5\n,3.5\n,4.5\n,5.5\n");
  write("s.yaml",
        "name: few\ndata: { dataset: csv, path: d.csv, target: y, missing: drop_rows }\n"
        "train: { batch_size: 2 }\n");
  const Output r = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("train.batch_size 2 is larger than the training set of 1 samples (2 rows "
                       "of d.csv without a missing value x train_fraction 0.5)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Encoding, BadInputsNameTheCellAndTheSetting) {
  write_data();
  write_sweep("");
  const Output text = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.err.find("d.csv:2:6: error: column 'color': 'red' is not a number; to use a "
                          "column of text (categories) as a feature, set data.categorical: "
                          "onehot"),
            std::string::npos)
      << text.err;
  write_sweep("categorical: onehot");
  const Output missing = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("d.csv:4:1: error: column 'x': missing value; set data.missing"),
            std::string::npos)
      << missing.err;
  std::string many = "name,y\n";
  for (int i = 0; i < 1001; ++i) many += fmt::format("n{},{}.5\n", i, i % 4);
  write("d.csv", many);
  write_sweep("categorical: onehot");
  const Output cap = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(cap.exit_code, 2);
  EXPECT_NE(cap.err.find("d.csv:1002:1: error: column 'name': 'n1000' makes 1001 distinct texts, "
                         "more than the 1000 categories data.categorical: onehot encodes"),
            std::string::npos)
      << cap.err;
  write_sweep("categorical: one_hot");
  const Output spelling = nnsweep("run s.yaml -q --out out");
  EXPECT_EQ(spelling.exit_code, 2);
  EXPECT_NE(spelling.err.find("s.yaml:3:"), std::string::npos) << spelling.err;
  EXPECT_NE(spelling.err.find("unknown data.categorical 'one_hot'"), std::string::npos)
      << spelling.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
}  // namespace e2e
