// What the training tests share: a small configuration, and a bit-for-bit comparison of two
// trainings' results.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/config.h"
#include "nn/train.h"

namespace nn::testing_support {

inline TrialConfig config_for(DatasetKind dataset, std::vector<int> hidden, double lr, int epochs) {
  TrialConfig c;
  c.data.dataset = dataset;
  c.model.hidden = std::move(hidden);
  c.train.learning_rate = lr;
  c.train.epochs = epochs;
  return c;
}

// Whether two results are the same to the bit: every curve value, every parameter, the outcome
// and whether the training was stopped.
inline void expect_same_bits(const TrainResult& a, const TrainResult& b, const std::string& what) {
  const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
  ASSERT_EQ(a.curve.size(), b.curve.size()) << what;
  for (std::size_t t = 0; t < a.curve.size(); ++t)
    for (auto field : {&EpochMetrics::train_loss, &EpochMetrics::val_loss, &EpochMetrics::test_loss,
                       &EpochMetrics::train_accuracy, &EpochMetrics::test_accuracy})
      ASSERT_EQ(bits(a.curve[t].*field), bits(b.curve[t].*field)) << what << " epoch " << t;
  ASSERT_EQ(a.parameters.size(), b.parameters.size()) << what;
  for (std::size_t i = 0; i < a.parameters.size(); ++i)
    ASSERT_EQ(bits(a.parameters[i]), bits(b.parameters[i])) << what << " parameter " << i;
  EXPECT_EQ(a.verdict.outcome, b.verdict.outcome) << what;
  EXPECT_EQ(a.stopped, b.stopped) << what;
}

}  // namespace nn::testing_support
