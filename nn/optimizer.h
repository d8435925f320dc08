// Parameter updates from a gradient: plain SGD, momentum and Adam. State (velocity, moments) is
// sized once at construction in the parameters' flat layout, so step() never allocates.
#pragma once

#include <Eigen/Core>

#include "nn/config.h"

namespace nn {

class OptimizerState {
 public:
  OptimizerState(const TrainConfig& config, Eigen::Index parameter_count);

  // One update of `params` against the gradient `grad` (both parameter_count long).
  void step(double* params, const double* grad);

 private:
  TrainConfig config_;
  Eigen::Index size_;
  Eigen::VectorXd first_;                         // momentum: velocity; adam: first moment
  Eigen::VectorXd second_;                        // adam: second moment
  double beta1_power_ = 1.0, beta2_power_ = 1.0;  // adam: beta^t for the bias corrections
};

}  // namespace nn
