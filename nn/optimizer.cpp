#include "nn/optimizer.h"

namespace nn {

OptimizerState::OptimizerState(const TrainConfig& config, Eigen::Index parameter_count)
    : config_(config), size_(parameter_count) {
  if (config.optimizer != Optimizer::sgd) first_.setZero(parameter_count);
  if (config.optimizer == Optimizer::adam) second_.setZero(parameter_count);
}

void OptimizerState::step(double* params_ptr, const double* grad_ptr) {
  Eigen::Map<Eigen::ArrayXd> theta(params_ptr, size_);
  const Eigen::Map<const Eigen::ArrayXd> g(grad_ptr, size_);
  const double lr = config_.learning_rate;
  switch (config_.optimizer) {
    case Optimizer::sgd:
      // theta <- theta - lr g
      theta -= lr * g;
      return;
    case Optimizer::momentum:
      // v <- mu v + g;  theta <- theta - lr v
      first_.array() = config_.momentum * first_.array() + g;
      theta -= lr * first_.array();
      return;
    case Optimizer::adam: {
      // m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
      // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
      const double b1 = config_.beta1, b2 = config_.beta2;
      beta1_power_ *= b1;
      beta2_power_ *= b2;
      first_.array() = b1 * first_.array() + (1.0 - b1) * g;
      second_.array() = b2 * second_.array() + (1.0 - b2) * g.square();
      const double m_scale = 1.0 / (1.0 - beta1_power_), s_scale = 1.0 / (1.0 - beta2_power_);
      theta -=
          lr * (m_scale * first_.array()) / ((s_scale * second_.array()).sqrt() + config_.epsilon);
      return;
    }
  }
}

}  // namespace nn
