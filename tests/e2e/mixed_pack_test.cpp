// End-to-end: trials that differ in their optimizer or activation train side by side in one
// pack, and their rows are those of the same trials run in sweeps of one optimizer each (and of
// one activation each), to the last digit.
#include <fmt/format.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "e2e.h"

namespace e2e {
namespace {

// 3 optimizers x 2 activations x 2 batch sizes x 3 learning rates: packs that mix optimizers
// and activations.
const char* kSweep = R"(name: mixed
seed: 11
data: { dataset: spiral, points: 120, validation_fraction: 0.2 }
model: { hidden: [5, 4] }
train: { epochs: 12, regularization: l2, regularization_rate: 0.001 }
grid:
  train.optimizer: [sgd, momentum, adam]
  model.activation: [relu, tanh]
  train.batch_size: [1, 8]
  train.learning_rate: [0.003, 0.03, 30]
)";

class MixedPack : public Scratch {};

// Every row of a CSV by its trial_id (and epoch, in curves.csv), as column -> text.
using Rows = std::map<std::string, std::map<std::string, std::string>>;
Rows by_id(const std::string& text) {
  std::istringstream in(text);
  results::CsvReader reader(in, "csv");
  results::CsvRecord record;
  std::vector<std::string> header;
  Rows rows;
  while (reader.next(record)) {
    if (header.empty()) {
      for (const auto& field : record.fields) header.push_back(field.text);
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < record.fields.size(); ++i) row[header[i]] = record.fields[i].text;
    rows[row["trial_id"] + "," + row["epoch"]] = row;
  }
  return rows;
}

// The rows of a one-optimizer sweep are in the whole sweep's, with the same text in every
// column (the whole sweep has columns more: the other optimizers' settings, empty here).
void expect_rows_within(const Rows& part, const Rows& whole, const std::string& what) {
  for (const auto& [id, row] : part) {
    ASSERT_TRUE(whole.contains(id)) << what << " " << id;
    for (const auto& [column, text] : row) {
      if (column == "wall_seconds" || column == "trial_index") continue;
      EXPECT_EQ(whole.at(id).at(column), text) << what << " " << id << " " << column;
    }
  }
}

TEST_F(MixedPack, RowsAreThoseOfEachOptimizerAndActivationAlone) {
  write("all.yaml", kSweep);
  ASSERT_EQ(nnsweep("run all.yaml -q --threads 2 --out all").exit_code, 0);
  const Rows trials = by_id(read(dir_ / "all/trials.csv"));
  const Rows curves = by_id(read(dir_ / "all/curves.csv"));
  EXPECT_EQ(trials.size(), 36u);
  std::size_t seen = 0;
  for (const std::string optimizer : {"sgd", "momentum", "adam"})
    for (const std::string activation : {"relu", "tanh"}) {
      std::string text = kSweep;
      text.replace(text.find("[sgd, momentum, adam]"), 21, fmt::format("[{}]", optimizer));
      text.replace(text.find("[relu, tanh]"), 12, fmt::format("[{}]", activation));
      const std::string name = optimizer + "_" + activation;
      write(name + ".yaml", text);
      ASSERT_EQ(nnsweep(fmt::format("run {0}.yaml -q --threads 1 --out {0}", name)).exit_code, 0);
      const Rows own = by_id(read(dir_ / name / "trials.csv"));
      seen += own.size();
      expect_rows_within(own, trials, name);
      expect_rows_within(by_id(read(dir_ / name / "curves.csv")), curves, name);
    }
  EXPECT_EQ(seen, trials.size());
}

}  // namespace
}  // namespace e2e
