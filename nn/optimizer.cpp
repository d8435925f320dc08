#include "nn/optimizer.h"

namespace nn {

OptimizerState::OptimizerState(const std::array<const TrainConfig*, kLanes>& configs,
                               Eigen::Index parameter_count)
    : kind_(configs[0]->optimizer) {
  for (int l = 0; l < kLanes; ++l) {
    momentum_[l] = configs[l]->momentum;
    beta1_[l] = configs[l]->beta1;
    beta2_[l] = configs[l]->beta2;
    epsilon_[l] = configs[l]->epsilon;
  }
  if (kind_ != Optimizer::sgd) first_.setZero(kLanes, parameter_count);
  if (kind_ == Optimizer::adam) second_.setZero(kLanes, parameter_count);
}

void OptimizerState::step(LaneMatrix& params, const LaneMatrix& grad, const Lanes& rate) {
  const Eigen::Index n = params.cols();
  switch (kind_) {
    case Optimizer::sgd:
      // theta <- theta - lr g
      for (Eigen::Index e = 0; e < n; ++e) params.col(e) -= rate * grad.col(e);
      return;
    case Optimizer::momentum:
      // v <- mu v + g;  theta <- theta - lr v
      for (Eigen::Index e = 0; e < n; ++e) {
        first_.col(e) = momentum_ * first_.col(e) + grad.col(e);
        params.col(e) -= rate * first_.col(e);
      }
      return;
    case Optimizer::adam: {
      // m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
      // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
      beta1_power_ *= beta1_;
      beta2_power_ *= beta2_;
      const Lanes m_scale = 1.0 / (1.0 - beta1_power_), s_scale = 1.0 / (1.0 - beta2_power_);
      for (Eigen::Index e = 0; e < n; ++e) {
        first_.col(e) = beta1_ * first_.col(e) + (1.0 - beta1_) * grad.col(e);
        second_.col(e) = beta2_ * second_.col(e) + (1.0 - beta2_) * grad.col(e).square();
        params.col(e) -=
            rate * (m_scale * first_.col(e)) / ((s_scale * second_.col(e)).sqrt() + epsilon_);
      }
      return;
    }
  }
}

}  // namespace nn
