// float32 packs of mixed optimizers and activations, and wide float32 layers: the float kernels
// keep the promises mixed_pack_test.cpp and mlp_test.cpp check of the double ones. Each lane of
// a mixed float pack is its training alone to the bit; a wide product sums each output in order,
// one fused multiply-add a step, whatever the blocking.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "nn/mlp.h"
#include "nn/optimizer.h"
#include "nn/pack.h"
#include "nn/training_support.h"

namespace nn {
namespace {

using testing_support::config_for;
using testing_support::expect_same_bits;
using F = LanesOf<float>;
using FMatrix = LaneMatrixOf<float>;
constexpr int kFloatLanes = kLanesOf<float>;

std::uint32_t bits(float v) {
  return std::bit_cast<std::uint32_t>(v);
}

// One step of a float pack of mixed kinds against one of a pack of each lane's kind alone, on
// numbers that include -0, infinities, NaN and the largest floats, for several steps.
TEST(Float32Mixed, EveryLaneStepsAsInAPackOfItsKind) {
  using Kinds = std::array<Optimizer, kFloatLanes>;
  const Optimizer s = Optimizer::sgd, m = Optimizer::momentum, a = Optimizer::adam;
  const std::vector<Kinds> mixes = {
      {s, m, a, s, a, a, m, s}, {a, a, m, a, a, a, a, a}, {m, s, s, s, m, m, s, s}};
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {-0.0F, 0.0F, inf, -inf, std::nanf(""), 3e38F, -1e-40F, 3.5F};
  const Eigen::Index n = 37;  // not a multiple of any vector width
  Rng rng(3);
  for (const Kinds& kinds : mixes) {
    std::array<TrainConfig, kFloatLanes> train;
    std::array<const TrainConfig*, kFloatLanes> configs;
    for (int l = 0; l < kFloatLanes; ++l) {
      train[l].optimizer = kinds[l];
      train[l].momentum = 0.5 + 0.05 * l;
      train[l].beta1 = 0.8 + 0.02 * l;
      configs[l] = &train[l];
    }
    OptimizerStateOf<float> mixed(configs, n);
    std::vector<OptimizerStateOf<float>> alone;
    for (int l = 0; l < kFloatLanes; ++l) {
      std::array<const TrainConfig*, kFloatLanes> same;
      same.fill(configs[l]);
      alone.emplace_back(same, n);
    }
    FMatrix params(kFloatLanes, n), grad(kFloatLanes, n);
    for (Eigen::Index i = 0; i < params.size(); ++i)
      params(i) = static_cast<float>(uniform(rng, -2, 2));
    std::vector<FMatrix> own(kFloatLanes, params);
    F rate;
    rate << 0.1F, 0.0F, 0.3F, 1e-3F, 0.05F, 2.0F, 0.01F, 0.2F;
    for (int t = 0; t < 6; ++t) {
      for (Eigen::Index i = 0; i < grad.size(); ++i)
        grad(i) = i % 5 == 0 ? specials[(i / 5 + t) % 8] : static_cast<float>(uniform(rng, -1, 1));
      mixed.step(params, grad, rate);
      for (int l = 0; l < kFloatLanes; ++l) {
        alone[l].step(own[l], grad, rate);
        for (Eigen::Index e = 0; e < n; ++e)
          ASSERT_EQ(bits(params(l, e)), bits(own[l](l, e)))
              << "lane " << l << " element " << e << " step " << t;
      }
    }
  }
}

// A float LaneNet whose lanes have different activations computes, in each lane, the bits of a
// float LaneNet of that lane's activation: outputs, loss, the gradient, at either vector width.
TEST(Float32Mixed, EachLaneIsItsActivationAlone) {
  using Set = std::array<Activation, kFloatLanes>;
  const std::vector<Set> sets = {
      {Activation::relu, Activation::tanh, Activation::leaky_relu, Activation::leaky_relu,
       Activation::sigmoid, Activation::elu, Activation::softplus, Activation::linear},
      {Activation::tanh, Activation::tanh, Activation::relu, Activation::tanh, Activation::tanh,
       Activation::relu, Activation::tanh, Activation::tanh}};
  const std::array<double, kFloatLanes> slopes = {0.01, 0.5, 0.1, 0.3, 0.01, 0.01, 0.01, 0.01};
  const Eigen::Index b = 13;
  Rng rng(8);
  for (const Set& set : sets) {
    for (int width : {4, 8}) {
      LaneNetOf<float> mixed(3, {7, 5}, 1, Activation::tanh, 0.01, Task::binary);
      mixed.use_lane_activations(set, slopes);
      if (!mixed.use_vector_width(width)) continue;  // no AVX-512 here
      FMatrix params(kFloatLanes, mixed.parameter_count()), x(kFloatLanes, 3 * b),
          y(kFloatLanes, b);
      for (Eigen::Index i = 0; i < params.size(); ++i)
        params(i) = static_cast<float>(uniform(rng, -2, 2));
      for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = static_cast<float>(uniform(rng, -30, 30));
      for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = uniform(rng, 0, 1) > 0.5 ? 1.0F : 0.0F;
      auto ws = mixed.make_workspace(b);
      FMatrix grad(kFloatLanes, mixed.parameter_count());
      mixed.forward(params, x, b, ws);
      const F loss = mixed.loss_sum(y, b, ws);
      mixed.loss_gradient(y, b, ws);
      mixed.backward(params, x, b, ws, grad);
      for (int l = 0; l < kFloatLanes; ++l) {
        LaneNetOf<float> alone(3, {7, 5}, 1, set[l], slopes[l], Task::binary);
        ASSERT_TRUE(alone.use_vector_width(width));
        auto own = alone.make_workspace(b);
        FMatrix own_grad(kFloatLanes, alone.parameter_count());
        alone.forward(params, x, b, own);
        const F own_loss = alone.loss_sum(y, b, own);
        alone.loss_gradient(y, b, own);
        alone.backward(params, x, b, own, own_grad);
        const std::string what = std::string(to_string(set[l])) + " lane " + std::to_string(l) +
                                 " width " + std::to_string(width);
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

// Eight float32 trainings of mixed optimizers and activations share a pack, and each is its
// training alone to the bit, with class weights in some lanes and one lane diverging.
TEST(Float32Mixed, EachTrainingIsItsTrainingAloneBitForBit) {
  for (const Task task : {Task::binary, Task::multiclass}) {
    TrialConfig base = config_for(DatasetKind::csv, {6, 5}, 0.03, 12);
    base.train.batch_size = 7;
    base.train.precision = Precision::float32;
    const Dataset data = testing_support::imbalanced_data(task, 6, 50);
    std::vector<TrialConfig> configs(kFloatLanes, base);
    const Optimizer kinds[] = {Optimizer::sgd, Optimizer::momentum, Optimizer::adam};
    const Activation activations[] = {Activation::tanh, Activation::relu, Activation::leaky_relu};
    for (std::size_t i = 0; i < configs.size(); ++i) {
      TrialConfig& c = configs[i];
      c.train.optimizer = kinds[i % 3];
      c.model.activation = activations[i % 3 == 0 ? 0 : i % 4 == 1 ? 1 : 2];
      c.model.leaky_relu_slope = 0.05 * static_cast<double>(1 + i % 2);
      c.train.learning_rate = 0.01 * static_cast<double>(i + 1);
      if (i % 2 == 1) c.train.class_weight = ClassWeight::balanced;
    }
    configs[5].train.learning_rate = 1e4;  // diverges
    std::vector<TrainJob> jobs;
    std::vector<const TrialConfig*> pointers;
    for (std::size_t i = 0; i < configs.size(); ++i) {
      ASSERT_TRUE(can_share_pack(configs[0], configs[i]));
      jobs.push_back({&configs[i], 10 + i, {}, {0, 3, 7}});
      pointers.push_back(&configs[i]);
    }
    const std::vector<TrainResult> packed = PackOf<float>(jobs, data).run();
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const std::string what = "task " + std::to_string(static_cast<int>(task)) + ", job " +
                               std::to_string(i) + " (" +
                               std::string(to_string(configs[i].train.optimizer)) + ", " +
                               std::string(to_string(configs[i].model.activation)) + ")";
      const TrainResult one = train_jobs(std::span(jobs).subspan(i, 1), data).front();
      expect_same_bits(packed[i], one, what);
      EXPECT_EQ(packed[i].snapshots, one.snapshots) << what;
    }
  }
}

// A wide float layer: every pre-activation, weight gradient and delta is the sum over t in
// order in float, each step one fused multiply-add as the build fuses, at every vector width,
// with layers wider than a stretch of the product and a batch longer than forward()'s chunk.
TEST(Float32Mixed, WideLayersSumEachOutputInOrderWhateverTheBlocking) {
  constexpr int kInputs = 150, kBatch = 150;
  const Mlp net(kInputs, {130, 70}, 2, Activation::linear, 0.01, Task::regression);
  const auto step = [](float acc, float a, float b) {
#ifdef __FP_FAST_FMAF
    return std::fma(a, b, acc);
#else
    return acc + a * b;
#endif
  };
  Rng rng(5);
  FMatrix params(kFloatLanes, net.parameter_count()), x(kFloatLanes, kInputs * kBatch);
  for (int l = 0; l < kFloatLanes; ++l)
    params.row(l) = net.initial_parameters(Init::glorot, rng).transpose().cast<float>();
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = static_cast<float>(uniform(rng, -2, 2));
  const FMatrix y = broadcast<float>(Eigen::MatrixXd::Random(2, kBatch));
  for (const int width : {4, 8}) {
    LaneNetOf<float> lanes(kInputs, {130, 70}, 2, Activation::linear, 0.01, Task::regression);
    if (!lanes.use_vector_width(width)) continue;
    auto ws = lanes.make_workspace(kBatch);
    FMatrix grad(kFloatLanes, net.parameter_count());
    lanes.forward(params, x, kBatch, ws);
    lanes.loss_gradient(y, kBatch, ws);
    lanes.backward(params, x, kBatch, ws, grad);
    const int lane = 6;
    const auto w = [&](int layer, int i, int k) {  // W(i, k) of a layer, in the lane
      return params(lane, lanes.offset(layer) + i + k * lanes.width(layer + 1));
    };
    for (const auto& [i, j] : {std::pair{0, 0}, {129, 149}, {77, 64}}) {
      float out = params(lane, lanes.offset(0) + 130 * kInputs + i);  // the bias
      for (int k = 0; k < kInputs; ++k) out = step(out, w(0, i, k), x(lane, j * kInputs + k));
      EXPECT_EQ(bits(ws.out[0](lane, j * 130 + i)), bits(out))
          << "width " << width << ", unit " << i;
      float below = 0;  // the delta of the first layer, through the second's weights
      for (int k = 0; k < 70; ++k) below = step(below, w(1, k, i), ws.delta[1](lane, j * 70 + k));
      EXPECT_EQ(bits(ws.delta[0](lane, j * 130 + i)), bits(below))
          << "width " << width << ", unit " << i;
    }
    for (const auto& [i, k] : {std::pair{0, 0}, {69, 129}, {65, 64}}) {
      float dw = 0;
      for (int j = 0; j < kBatch; ++j)
        dw = step(dw, ws.delta[1](lane, j * 70 + i), ws.out[0](lane, j * 130 + k));
      EXPECT_EQ(bits(grad(lane, lanes.offset(1) + i + k * 70)), bits(dw)) << "width " << width;
    }
  }
}

}  // namespace
}  // namespace nn
