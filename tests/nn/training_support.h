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
#include "nn/dataset.h"
#include "nn/random.h"
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
                       &EpochMetrics::train_accuracy, &EpochMetrics::test_accuracy,
                       &EpochMetrics::train_balanced_accuracy, &EpochMetrics::val_balanced_accuracy,
                       &EpochMetrics::test_balanced_accuracy, &EpochMetrics::train_macro_f1,
                       &EpochMetrics::val_macro_f1, &EpochMetrics::test_macro_f1})
      ASSERT_EQ(bits(a.curve[t].*field), bits(b.curve[t].*field)) << what << " epoch " << t;
  ASSERT_EQ(a.parameters.size(), b.parameters.size()) << what;
  for (std::size_t i = 0; i < a.parameters.size(); ++i)
    ASSERT_EQ(bits(a.parameters[i]), bits(b.parameters[i])) << what << " parameter " << i;
  EXPECT_EQ(a.verdict.outcome, b.verdict.outcome) << what;
  EXPECT_EQ(a.stopped, b.stopped) << what;
}

// A few dozen random points of 3 inputs whose classes are imbalanced: two classes, about one
// sample in five of class 1; or three, about 70% class 0, 20% class 1 and 10% class 2.
inline Dataset imbalanced_data(Task task, std::uint64_t seed, int train = 40) {
  Rng rng(seed);
  const int outputs = task == Task::multiclass ? 3 : 1;
  const auto split = [&](int n) {
    Split s{Eigen::MatrixXd(3, n), Eigen::MatrixXd::Zero(outputs, n)};
    for (Eigen::Index i = 0; i < s.x.size(); ++i) s.x(i) = uniform(rng, -2, 2);
    for (int j = 0; j < n; ++j) {
      const double x0 = s.x(0, j);
      if (task == Task::binary)
        s.y(0, j) = x0 > 1.2 ? 1.0 : 0.0;
      else
        s.y(x0 > 1.2 ? 1 : (x0 < -1.6 ? 2 : 0), j) = 1.0;
    }
    return s;
  };
  Dataset d;
  d.task = task;
  d.train = split(train);
  d.validation = split(15);
  d.test = split(20);
  return d;
}

}  // namespace nn::testing_support
