// Parameter updates from a gradient: plain SGD, momentum and Adam, for the networks of a pack
// (nn/pack.h), one per lane (nn/lanes.h). All lanes use one kind of optimizer; its rates are per
// lane. State (velocity, moments) is sized once at construction, so step() never allocates.
#pragma once

#include <array>

#include "nn/config.h"
#include "nn/lanes.h"

namespace nn {

// T: the networks' numbers, double or float (nn/lanes.h).
template <typename T>
class OptimizerStateOf {
 public:
  static constexpr int kLanes = kLanesOf<T>;
  using Lanes = LanesOf<T>;
  using LaneMatrix = LaneMatrixOf<T>;

  // configs[l]: lane l's training settings; every lane's optimizer is configs[0]'s kind.
  OptimizerStateOf(const std::array<const TrainConfig*, kLanes>& configs,
                   Eigen::Index parameter_count);

  // One update of every lane's parameters against its gradient, with step size `rate` per lane
  // (a lane's learning rate, or 0 to leave it as it is).
  void step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate);

 private:
  Optimizer kind_;
  Lanes momentum_, beta1_, beta2_, epsilon_;
  LaneMatrix first_;   // momentum: velocity; adam: first moment
  LaneMatrix second_;  // adam: second moment
  Lanes beta1_power_ = Lanes::Ones(), beta2_power_ = Lanes::Ones();  // adam: beta^t
};

using OptimizerState = OptimizerStateOf<double>;
extern template class OptimizerStateOf<double>;
extern template class OptimizerStateOf<float>;

}  // namespace nn
