// train.early_stopping.patience and .min_delta in sweep files: both forms, their checks, and
// trial ids that stay as they were when it is off.
#include <gtest/gtest.h>

#include <string>

#include "sweep_test_util.h"
#include "sweeps/spec.h"

namespace sweeps {
namespace {

using testing::error_of;
using testing::parse;

TEST(EarlyStoppingSetting, MayBeWrittenNestedOrDotted) {
  const Sweep nested = parse("train: {early_stopping: {patience: 20, min_delta: 0.001}}\n");
  const Sweep dotted =
      parse("train: {early_stopping.patience: 20, early_stopping.min_delta: 0.001}\n");
  EXPECT_EQ(nested.hash(), dotted.hash());
  EXPECT_EQ(nested.trial(0).id, dotted.trial(0).id);
  EXPECT_EQ(nested.trial(0).config.train.early_stopping_patience, 20);
  EXPECT_EQ(nested.trial(0).config.train.early_stopping_min_delta, 0.001);
}

// Off (patience 0, or not written) is how training ran before the setting: trial ids and
// seeds stay; min_delta without patience applies to nothing.
TEST(EarlyStoppingSetting, OffLeavesTrialIdsAsTheyWere) {
  const Sweep plain = parse("train: {epochs: 50}\n");
  const Sweep off = parse("train: {epochs: 50, early_stopping: {patience: 0, min_delta: 0.5}}\n");
  const Sweep on = parse("train: {epochs: 50, early_stopping: {patience: 5}}\n");
  EXPECT_EQ(plain.trial(0).id, off.trial(0).id);
  EXPECT_NE(plain.trial(0).id, on.trial(0).id);
  // It changes no random stream: the same initial weights and batches as without it.
  EXPECT_EQ(plain.trial(0).seed, on.trial(0).seed);
  const Sweep delta =
      parse("train: {epochs: 50, early_stopping: {patience: 5, min_delta: 0.01}}\n");
  EXPECT_NE(on.trial(0).id, delta.trial(0).id);
}

TEST(EarlyStoppingSetting, CanBeAGridAxis) {
  const Sweep s = parse("grid:\n  train.early_stopping.patience: [0, 10, 20]\n");
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.trial(2).config.train.early_stopping_patience, 20);
}

TEST(EarlyStoppingSetting, BadValuesAreRefusedWhereTheyAreWritten) {
  EXPECT_EQ(error_of("train:\n  early_stopping: {patience: -1}\n"),
            "s.yaml:2:30: error: train.early_stopping.patience must be a whole number >= 0, got "
            "'-1'");
  EXPECT_EQ(error_of("train:\n  early_stopping: {patience: 5, min_delta: -0.1}\n"),
            "s.yaml:2:44: error: train.early_stopping.min_delta must be >= 0, got -0.1");
  EXPECT_NE(error_of("train:\n  early_stopping: {patience: 5, min_delta: .nan}\n")
                .find("s.yaml:2:44: error: train.early_stopping.min_delta"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: {patience: ten}\n")
                .find("s.yaml:2:30: error: train.early_stopping.patience"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: {patience: 2.5}\n").find("s.yaml:2:30: error:"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: 20\n").find("s.yaml:2:19: error:"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: {patience: 5, min_delta: [1]}\n")
                .find("s.yaml:2:44: error:"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: {patients: 5}\n").find("unknown key 'patients'"),
            std::string::npos);
  EXPECT_NE(error_of("train:\n  early_stopping: {patience: 2000000}\n").find("cap"),
            std::string::npos);
}

}  // namespace
}  // namespace sweeps
