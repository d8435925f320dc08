// Packs of trainings with different optimizers (nn/pack.h, nn/optimizer.h): each training's
// result is its result alone, to the bit, whatever shares its pack.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "nn/optimizer.h"
#include "nn/pack.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;

// One step of a pack of mixed kinds against one step of a pack of each lane's kind alone, on
// numbers that include -0, infinities, NaN and the largest doubles, for several steps (Adam's
// moments and bias corrections, momentum's velocity).
TEST(MixedOptimizers, EveryLaneStepsAsInAPackOfItsKind) {
  const std::vector<std::array<Optimizer, kLanes>> mixes = {
      {Optimizer::sgd, Optimizer::momentum, Optimizer::adam, Optimizer::sgd},
      {Optimizer::adam, Optimizer::adam, Optimizer::momentum, Optimizer::adam},
      {Optimizer::momentum, Optimizer::sgd, Optimizer::sgd, Optimizer::sgd}};
  const double inf = std::numeric_limits<double>::infinity();
  const double specials[] = {-0.0, 0.0, inf, -inf, std::nan(""), 1e308, -1e-310, 3.5};
  const Eigen::Index n = 37;  // not a multiple of any vector width
  Rng rng(3);
  for (const auto& kinds : mixes) {
    std::array<TrainConfig, kLanes> train;
    std::array<const TrainConfig*, kLanes> configs;
    for (int l = 0; l < kLanes; ++l) {
      train[l].optimizer = kinds[l];
      train[l].momentum = 0.5 + 0.1 * l;
      train[l].beta1 = 0.8 + 0.03 * l;
      configs[l] = &train[l];
    }
    OptimizerState mixed(configs, n);
    std::array<OptimizerState, kLanes> alone = {
        OptimizerState({configs[0], configs[0], configs[0], configs[0]}, n),
        OptimizerState({configs[1], configs[1], configs[1], configs[1]}, n),
        OptimizerState({configs[2], configs[2], configs[2], configs[2]}, n),
        OptimizerState({configs[3], configs[3], configs[3], configs[3]}, n)};
    LaneMatrix params(kLanes, n), grad(kLanes, n);
    for (Eigen::Index i = 0; i < params.size(); ++i) params(i) = uniform(rng, -2, 2);
    std::array<LaneMatrix, kLanes> own;
    own.fill(params);
    const Lanes rate(0.1, 0.0, 0.3, 1e-3);
    for (int t = 0; t < 6; ++t) {
      for (Eigen::Index i = 0; i < grad.size(); ++i)
        grad(i) = i % 5 == 0 ? specials[(i / 5 + t) % 8] : uniform(rng, -1, 1);
      mixed.step(params, grad, rate);
      for (int l = 0; l < kLanes; ++l) {
        alone[l].step(own[l], grad, rate);
        for (Eigen::Index e = 0; e < n; ++e)
          ASSERT_EQ(std::bit_cast<std::uint64_t>(params(l, e)),
                    std::bit_cast<std::uint64_t>(own[l](l, e)))
              << "lane " << l << " element " << e << " step " << t;
      }
    }
  }
}

// The settings a mixed pack is tested under: one base config per case, varied per lane.
struct Case {
  std::string name;
  TrialConfig base;
  Dataset data;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const auto add = [&](std::string name, TrialConfig c, std::uint64_t data_seed) {
    Dataset data = make_dataset(c.data, data_seed);
    out.push_back({std::move(name), std::move(c), std::move(data)});
  };
  const auto add_multiclass = [&](std::string name, TrialConfig c) {
    out.push_back(
        {std::move(name), std::move(c), testing_support::imbalanced_data(Task::multiclass, 6, 50)});
  };
  TrialConfig c = config_for(DatasetKind::circle, {6, 5}, 0.03, 12);
  c.model.activation = Activation::tanh;
  c.train.batch_size = 7;
  add("binary tanh cross-entropy", c, 1);
  c.model.loss = Loss::mse;
  c.model.activation = Activation::relu;
  c.model.hidden = {9};
  add("binary relu mse", c, 2);
  c = config_for(DatasetKind::spiral, {5}, 0.05, 10);
  c.data.validation_fraction = 0.25;
  c.train.regularization = Regularization::l1;
  c.train.batch_size = 1;
  add("binary, l1, validation", c, 3);
  c = config_for(DatasetKind::xor_, {4, 4}, 0.1, 15);
  c.train.regularization = Regularization::l2;
  c.train.early_stopping_patience = 2;
  c.data.validation_fraction = 0.3;
  add("l2, early stopping", c, 4);
  c = config_for(DatasetKind::plane, {3}, 0.02, 8);
  c.train.batch_size = 32;
  add("regression", c, 5);
  c = config_for(DatasetKind::csv, {5}, 0.1, 9);
  c.model.activation = Activation::leaky_relu;
  c.train.batch_size = 6;
  add_multiclass("multiclass leaky_relu cross-entropy", c);
  c.model.loss = Loss::mse;
  c.model.activation = Activation::sigmoid;
  add_multiclass("multiclass sigmoid mse", c);
  return out;
}

// A pack of sgd, momentum, adam and adam again (different rates) gives every training its
// result alone, and a pack of two its result too; also with class weights in some lanes
// (classification), snapshots and an observer that stops one lane.
TEST(MixedOptimizers, EachTrainingIsItsTrainingAloneBitForBit) {
  for (Case& k : cases()) {
    std::vector<TrialConfig> configs(4, k.base);
    configs[0].train.optimizer = Optimizer::sgd;
    configs[1].train.optimizer = Optimizer::momentum;
    configs[1].train.momentum = 0.8;
    configs[2].train.optimizer = Optimizer::adam;
    configs[2].train.learning_rate = 0.01;
    configs[3].train.optimizer = Optimizer::adam;
    configs[3].train.beta1 = 0.7;
    configs[3].train.learning_rate = 1e4;  // diverges
    if (k.data.task != Task::regression) {
      configs[1].train.class_weight = ClassWeight::balanced;
      configs[2].train.class_weight = ClassWeight::balanced;
    }
    const EpochObserver stop_at_5 = [](const EpochMetrics& m) { return m.epoch < 5; };
    std::vector<TrainJob> jobs;
    for (std::size_t i = 0; i < configs.size(); ++i) {
      ASSERT_TRUE(can_share_pack(configs[0], configs[i])) << k.name;
      jobs.push_back({&configs[i], 10 + i, i == 1 ? stop_at_5 : EpochObserver{}, {0, 3, 7}});
    }
    const std::vector<TrainResult> packed = train_jobs(jobs, k.data);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const std::string what = k.name + ", job " + std::to_string(i);
      const TrainResult one = train_jobs(std::span(jobs).subspan(i, 1), k.data).front();
      expect_same_bits(packed[i], one, what);
      EXPECT_EQ(packed[i].snapshots, one.snapshots) << what;
      EXPECT_EQ(packed[i].best_parameters, one.best_parameters) << what;
      EXPECT_EQ(packed[i].stopped_epoch, one.stopped_epoch) << what;
    }
    const std::vector<TrainResult> pair = train_jobs(std::span(jobs).subspan(2, 2), k.data);
    expect_same_bits(pair[0], packed[2], k.name + ", pair job 0");
    expect_same_bits(pair[1], packed[3], k.name + ", pair job 1");
  }
}

// A sweep over optimizers fills packs: trained_with_first takes trainings of any optimizer.
TEST(MixedOptimizers, TrainedTogether) {
  TrialConfig sgd = config_for(DatasetKind::circle, {8}, 0.1, 5), momentum = sgd, adam = sgd;
  momentum.train.optimizer = Optimizer::momentum;
  adam.train.optimizer = Optimizer::adam;
  TrialConfig other_batch = adam;
  other_batch.train.batch_size = 1;
  const std::vector<const TrialConfig*> configs = {&sgd, &other_batch, &momentum, &adam};
  EXPECT_EQ(trained_with_first(configs), (std::vector<std::size_t>{0, 2, 3}));
}

}  // namespace
}  // namespace nn
