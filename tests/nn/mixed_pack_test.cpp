// Packs of trainings with different optimizers and activations (nn/pack.h, nn/optimizer.h,
// nn/lane_activation.cpp): each training's result is its result alone, to the bit, whatever
// shares its pack.
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

// A pack of sgd, momentum, adam and adam again (different rates), each lane with another
// activation, gives every training its result alone, and a pack of two its result too; also with
// class weights in some lanes (classification), snapshots and an observer that stops one lane.
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
    // Activations per lane: two leaky_relu lanes of different slopes; automatic initialisation
    // follows each lane's activation (He for relu-like, else Glorot).
    configs[1].model.activation = Activation::relu;
    configs[2].model.activation = Activation::leaky_relu;
    configs[2].model.leaky_relu_slope = 0.2;
    configs[3].model.activation = Activation::leaky_relu;
    configs[3].model.leaky_relu_slope = 0.05;
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

// A LaneNet whose lanes have different activations computes, in each lane, the bits of a
// LaneNet of that lane's activation: outputs, loss, the gradient, at either vector width.
TEST(LaneActivations, EachLaneIsItsActivationAlone) {
  const std::vector<std::array<Activation, kLanes>> sets = {
      {Activation::relu, Activation::tanh, Activation::leaky_relu, Activation::leaky_relu},
      {Activation::sigmoid, Activation::elu, Activation::softplus, Activation::linear},
      {Activation::tanh, Activation::tanh, Activation::relu, Activation::tanh}};
  const std::array<double, kLanes> slopes = {0.01, 0.5, 0.1, 0.3};
  const Eigen::Index b = 13;
  Rng rng(8);
  for (const auto& set : sets) {
    for (int width : {4, 8}) {
      LaneNet mixed(3, {7, 5}, 1, Activation::tanh, 0.01, Task::binary);
      mixed.use_lane_activations(set, slopes);
      if (!mixed.use_vector_width(width)) continue;  // no AVX-512 here
      LaneMatrix params(kLanes, mixed.parameter_count()), x(kLanes, 3 * b), y(kLanes, b);
      for (Eigen::Index i = 0; i < params.size(); ++i) params(i) = uniform(rng, -2, 2);
      for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = uniform(rng, -30, 30);
      for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = uniform(rng, 0, 1) > 0.5;
      LaneNet::Workspace ws = mixed.make_workspace(b);
      LaneMatrix grad(kLanes, mixed.parameter_count());
      mixed.forward(params, x, b, ws);
      const Lanes loss = mixed.loss_sum(y, b, ws);
      mixed.loss_gradient(y, b, ws);
      mixed.backward(params, x, b, ws, grad);
      for (int l = 0; l < kLanes; ++l) {
        LaneNet alone(3, {7, 5}, 1, set[l], slopes[l], Task::binary);
        ASSERT_TRUE(alone.use_vector_width(width));
        LaneNet::Workspace own = alone.make_workspace(b);
        LaneMatrix own_grad(kLanes, alone.parameter_count());
        alone.forward(params, x, b, own);
        const Lanes own_loss = alone.loss_sum(y, b, own);
        alone.loss_gradient(y, b, own);
        alone.backward(params, x, b, own, own_grad);
        const std::string what = std::string(to_string(set[l])) + " lane " + std::to_string(l) +
                                 " width " + std::to_string(width);
        const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
        EXPECT_EQ(bits(loss[l]), bits(own_loss[l])) << what;
        for (std::size_t k = 0; k < ws.out.size(); ++k)
          for (Eigen::Index e = 0; e < ws.out[k].cols(); ++e)
            ASSERT_EQ(bits(ws.out[k](l, e)), bits(own.out[k](l, e))) << what << " layer " << k;
        for (Eigen::Index e = 0; e < grad.cols(); ++e)
          ASSERT_EQ(bits(grad(l, e)), bits(own_grad(l, e))) << what << " gradient " << e;
      }
    }
  }
}

// A sweep over optimizers or activations fills packs: trained_with_first takes trainings of
// any optimizer and activation.
TEST(MixedOptimizers, TrainedTogether) {
  TrialConfig sgd = config_for(DatasetKind::circle, {8}, 0.1, 5), momentum = sgd, adam = sgd;
  momentum.train.optimizer = Optimizer::momentum;
  adam.train.optimizer = Optimizer::adam;
  adam.model.activation = Activation::relu;
  TrialConfig other_batch = adam;
  other_batch.train.batch_size = 1;
  const std::vector<const TrialConfig*> configs = {&sgd, &other_batch, &momentum, &adam};
  EXPECT_EQ(trained_with_first(configs), (std::vector<std::size_t>{0, 2, 3}));
}

// Other activations fill a pack only where the first training's own would leave it at least
// half empty: a pack of mixed activations computes each of them for every lane.
TEST(MixedActivations, JoinOnlyPacksThatWouldBeHalfEmpty) {
  TrialConfig relu = config_for(DatasetKind::circle, {8}, 0.1, 5), tanh = relu;
  relu.model.activation = Activation::relu;
  tanh.model.activation = Activation::tanh;
  TrialConfig leaky = relu, steeper = relu;
  leaky.model.activation = steeper.model.activation = Activation::leaky_relu;
  steeper.model.leaky_relu_slope = 0.3;
  using Indices = std::vector<std::size_t>;
  const std::vector<const TrialConfig*> three_relu = {&relu, &tanh, &relu, &tanh, &relu};
  EXPECT_EQ(trained_with_first(three_relu), (Indices{0, 2, 4}));
  const std::vector<const TrialConfig*> two_relu = {&relu, &tanh, &tanh, &relu, &tanh};
  EXPECT_EQ(trained_with_first(two_relu), (Indices{0, 1, 2, 3}));
  const std::vector<const TrialConfig*> alone = {&relu, &tanh, &tanh, &tanh, &tanh};
  EXPECT_EQ(trained_with_first(alone), (Indices{0, 1, 2, 3}));
  // leaky_relu of another slope is another activation.
  const std::vector<const TrialConfig*> slopes = {&leaky, &steeper, &leaky, &steeper, &leaky};
  EXPECT_EQ(trained_with_first(slopes), (Indices{0, 2, 4}));
}

}  // namespace
}  // namespace nn
