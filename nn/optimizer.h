// Parameter updates from a gradient: plain SGD, momentum and Adam, for the networks of a pack
// (nn/pack.h), one per lane (nn/lanes.h). Each lane has its own kind of optimizer and its own
// rates. State (velocity, moments) is sized once at construction, so step() never allocates.
//
// Lanes of different kinds let trainings that differ only in their optimizer share a pack, a
// common sweep axis whose trainings would otherwise run in packs of one (3 of 4 lanes wasted).
// A pack of mixed kinds computes each kind's update, with the same expressions a pack of that
// kind alone compiles, for every lane and keeps in each lane its own kind's result: each lane
// gets the bits it would get in a pack of its kind alone. (Expressing sgd as momentum 0, or
// masking terms with zero rates, would not: fused multiply-adds and -0, inf and NaN change bits.)
#pragma once

#include <array>

#include "nn/config.h"
#include "nn/lanes.h"
#include "nn/vector_math.h"

namespace nn {

// T: the networks' numbers, double or float (nn/lanes.h).
template <typename T>
class OptimizerStateOf {
 public:
  static constexpr int kLanes = kLanesOf<T>;
  using Lanes = LanesOf<T>;
  using LaneMatrix = LaneMatrixOf<T>;
  // A mask of lanes: -1 (every bit set) for a lane in it, 0 for the others (integers of T's
  // size, as comparing two lane elements gives).
  using LaneMask = decltype(typename simd::Vectors<T>::Narrow{} <
                            typename simd::Vectors<T>::Narrow{});

  // configs[l]: lane l's training settings, its optimizer among them.
  OptimizerStateOf(const std::array<const TrainConfig*, kLanes>& configs,
                   Eigen::Index parameter_count);

  // One update of every lane's parameters against its gradient, with step size `rate` per lane
  // (a lane's learning rate, or 0 to leave it as it is).
  void step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate);

 private:
  bool uses(Optimizer kind) const;
  // Adam: advances beta1^t and beta2^t to this step's.
  void advance_adam();
  void step_mixed(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate);

  std::array<Optimizer, kLanes> kind_;
  bool mixed_ = false;  // lanes of more than one kind
  // is_[k][l]: -1 (all bits set) if lane l's optimizer is kind k (Optimizer's order), else 0.
  std::array<LaneMask, 3> is_;
  Lanes momentum_, beta1_, beta2_, epsilon_;
  LaneMatrix velocity_;                                              // momentum
  LaneMatrix first_;                                                 // adam: first moment
  LaneMatrix second_;                                                // adam: second moment
  Lanes beta1_power_ = Lanes::Ones(), beta2_power_ = Lanes::Ones();  // adam: beta^t
};

using OptimizerState = OptimizerStateOf<double>;
extern template class OptimizerStateOf<double>;
extern template class OptimizerStateOf<float>;

}  // namespace nn
