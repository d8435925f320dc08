#include "nn/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace nn {
namespace {

// Four lanes with their own settings; only `optimizer` is shared.
struct Configs {
  std::array<TrainConfig, kLanes> train;
  std::array<const TrainConfig*, kLanes> pointers() const {
    std::array<const TrainConfig*, kLanes> p;
    for (int l = 0; l < kLanes; ++l) p[l] = &train[l];
    return p;
  }
};

Configs configs(Optimizer kind) {
  Configs c;
  for (int l = 0; l < kLanes; ++l) {
    c.train[l].optimizer = kind;
    c.train[l].momentum = 0.5 + 0.1 * l;
  }
  return c;
}

// A gradient of every sign and size, different in every lane and element.
LaneMatrix gradient(Eigen::Index count) {
  LaneMatrix g(kLanes, count);
  for (Eigen::Index i = 0; i < g.size(); ++i) g(i) = std::sin(1.7 * static_cast<double>(i) + 0.3);
  return g;
}

// Plain SGD, for parameter counts that fill whole vectors at every width and counts that leave
// a partial one: each lane steps by its own rate (a lane with rate 0 keeps its exact bits), as
// theta - rate g rounded once or twice.
TEST(OptimizerState, SgdStepsEachLaneByItsOwnRate) {
  const Lanes rate(0.1, 0.0, 1.0, 0.003);
  for (Eigen::Index count = 1; count <= 9; ++count) {
    const Configs c = configs(Optimizer::sgd);
    OptimizerState optimizer(c.pointers(), count);
    LaneMatrix params = gradient(count).reverse() * 3.0;
    const LaneMatrix before = params, g = gradient(count);
    optimizer.step(params, g, rate);
    for (Eigen::Index e = 0; e < count; ++e)
      for (int l = 0; l < kLanes; ++l) {
        const double expected = before(l, e) - rate[l] * g(l, e);
        if (rate[l] == 0.0) {
          EXPECT_EQ(std::memcmp(&params(l, e), &before(l, e), sizeof(double)), 0);
        } else {
          EXPECT_NEAR(params(l, e), expected, 4e-16 * std::abs(before(l, e)) + 1e-300)
              << "count " << count << ", lane " << l << ", element " << e;
        }
      }
  }
}

// Momentum: v <- mu v + g, theta <- theta - lr v, with each lane's own mu.
TEST(OptimizerState, MomentumKeepsAVelocityPerLane) {
  const Configs c = configs(Optimizer::momentum);
  OptimizerState optimizer(c.pointers(), 3);
  const Lanes rate = Lanes::Constant(0.5);
  LaneMatrix params = LaneMatrix::Zero(kLanes, 3);
  const LaneMatrix g = gradient(3);
  optimizer.step(params, g, rate);
  optimizer.step(params, g, rate);
  for (int l = 0; l < kLanes; ++l) {
    const double mu = c.train[l].momentum;
    for (Eigen::Index e = 0; e < 3; ++e)  // v1 = g, v2 = mu g + g
      EXPECT_NEAR(params(l, e), -0.5 * (g(l, e) + (mu * g(l, e) + g(l, e))), 1e-15);
  }
}

// Adam's first step moves every parameter by about the rate, against its gradient's sign,
// whatever the gradient's size (bias correction makes m / sqrt(s) = g / |g|).
TEST(OptimizerState, AdamFirstStepIsTheRateAgainstTheGradientsSign) {
  const Configs c = configs(Optimizer::adam);
  OptimizerState optimizer(c.pointers(), 5);
  LaneMatrix params = LaneMatrix::Zero(kLanes, 5);
  const LaneMatrix g = gradient(5) * 100.0;
  optimizer.step(params, g, Lanes::Constant(0.01));
  for (Eigen::Index i = 0; i < params.size(); ++i)
    EXPECT_NEAR(params(i), g(i) > 0 ? -0.01 : 0.01, 1e-8) << i;
}

}  // namespace
}  // namespace nn
