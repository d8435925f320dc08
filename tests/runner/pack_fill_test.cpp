// How full `run` will fill its packs, for `plan`'s time estimate (runner/pack_fill.h).
#include "runner/pack_fill.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "nn/train.h"
#include "sweeps/spec.h"

namespace runner {
namespace {

double fill(const std::string& grid) {
  std::string text = "name: fill\ndata: { dataset: circle, points: 40 }\n";
  text += grid;
  return expected_pack_fill(sweeps::parse_sweep(text, "fill.yaml", "."));
}

TEST(PackFill, TrainingsThatShareLanesFillPacks) {
  ASSERT_EQ(nn::trainings_side_by_side(), 4);
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.learning_rate: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n"), 3.0);
  EXPECT_DOUBLE_EQ(fill("repeats: 8\n"), 4.0);
  EXPECT_DOUBLE_EQ(fill(""), 1.0);
  // Optimizers share packs, batch sizes do not: two packs of three.
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.optimizer: [sgd, momentum, adam]\n"
                        "  train.batch_size: [1, 10]\n"),
                   3.0);
}

TEST(PackFill, Float32PacksHoldTwiceTheTrainings) {
  ASSERT_EQ(nn::trainings_side_by_side(nn::Precision::float32), 8);
  EXPECT_DOUBLE_EQ(fill("repeats: 16\ntrain: { precision: float32 }\n"), 8.0);
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.learning_rate: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n"
                        "train: { precision: float32 }\n"),
                   6.0);
  // The precisions train apart: 6 of each, in packs of 6 (float32) and of 4 and 2 (float64).
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.learning_rate: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n"
                        "  train.precision: [float64, float32]\n"),
                   4.0);
}

TEST(PackFill, NetworksOrBatchSizesThatDifferTrainApart) {
  EXPECT_DOUBLE_EQ(fill("grid:\n  model.hidden: [[4], [8], [8, 8]]\n"), 1.0);
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.batch_size: [1, 10, 16]\n  model.hidden: [[4], [8]]\n"),
                   1.0);
}

TEST(PackFill, EpochSiblingsAreOneTraining) {
  // Two trainings (one per learning rate), each serving both epoch counts: one pack of two.
  EXPECT_DOUBLE_EQ(fill("grid:\n  train.epochs: [5, 10]\n  train.learning_rate: [0.1, 0.2]\n"),
                   2.0);
}

// A grid of 2 learning rates (outside) x `count` networks of one layer (inside).
std::string networks(int count) {
  std::ostringstream grid;
  grid << "grid:\n  train.learning_rate: [0.1, 0.2]\n  model.hidden: [";
  for (int k = 1; k <= count; ++k) grid << (k > 1 ? ", [" : "[") << k << "]";
  grid << "]\n";
  return grid.str();
}

TEST(PackFill, PartnersFurtherThanTheWindowTrainApart) {
  // 40 networks inside, 2 learning rates outside: a training's partner is 40 trainings on.
  EXPECT_DOUBLE_EQ(fill(networks(40)), 1.0);
  // 20 networks: the partner is within the window.
  EXPECT_DOUBLE_EQ(fill(networks(20)), 2.0);
}

}  // namespace
}  // namespace runner
