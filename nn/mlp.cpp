#include "nn/mlp.h"

#include <cassert>
#include <cmath>

namespace nn {

Mlp::Mlp(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
         double leaky_slope, Task task)
    : lanes_(inputs, hidden, outputs, activation, leaky_slope, task) {}

Eigen::Map<Eigen::MatrixXd> Mlp::weights(double* params, int l) const {
  return {params + lanes_.offset(l), width(l + 1), width(l)};
}
Eigen::Map<const Eigen::MatrixXd> Mlp::weights(const double* params, int l) const {
  return {params + lanes_.offset(l), width(l + 1), width(l)};
}
Eigen::Map<Eigen::VectorXd> Mlp::biases(double* params, int l) const {
  return {params + lanes_.offset(l) + Eigen::Index{width(l + 1)} * width(l), width(l + 1)};
}
Eigen::Map<const Eigen::VectorXd> Mlp::biases(const double* params, int l) const {
  return {params + lanes_.offset(l) + Eigen::Index{width(l + 1)} * width(l), width(l + 1)};
}

Eigen::VectorXd Mlp::initial_parameters(Init init, Rng& rng) const {
  if (init == Init::automatic) {
    const bool relu_like = activation() == Activation::relu ||
                           activation() == Activation::leaky_relu ||
                           activation() == Activation::elu;
    init = relu_like ? Init::he : Init::glorot;
  }
  Eigen::VectorXd params(parameter_count());
  for (int l = 0; l < layers(); ++l) {
    const double fan_in = width(l), fan_out = width(l + 1);
    double range = 0.5, bias = 0.1;  // Playground
    if (init == Init::glorot) range = std::sqrt(6.0 / (fan_in + fan_out)), bias = 0.0;
    if (init == Init::he) range = std::sqrt(6.0 / fan_in), bias = 0.0;
    auto w = weights(params.data(), l);
    for (Eigen::Index j = 0; j < w.cols(); ++j)
      for (Eigen::Index i = 0; i < w.rows(); ++i) w(i, j) = uniform(rng, -range, range);
    biases(params.data(), l).setConstant(bias);
  }
  return params;
}

Mlp::Workspace Mlp::make_workspace(Eigen::Index capacity) const {
  return {lanes_.make_workspace(capacity), LaneMatrix(kLanes, parameter_count()),
          LaneMatrix(kLanes, width(0) * capacity), Eigen::MatrixXd(width(layers()), capacity)};
}

ConstMatrixRef Mlp::forward(const double* params, const ConstMatrixRef& x, Workspace& ws) const {
  const Eigen::Index b = x.cols(), inputs = width(0), outputs = width(layers());
  assert(b <= ws.lanes.capacity && x.rows() == inputs);
  for (Eigen::Index e = 0; e < parameter_count(); ++e) ws.params.col(e).setConstant(params[e]);
  for (Eigen::Index j = 0; j < b; ++j)
    for (Eigen::Index i = 0; i < inputs; ++i) ws.x.col(j * inputs + i).setConstant(x(i, j));
  lanes_.forward(ws.params, ws.x, b, ws.lanes);
  for (Eigen::Index j = 0; j < b; ++j)
    for (Eigen::Index i = 0; i < outputs; ++i)
      ws.logits(i, j) = ws.lanes.out.back()(0, j * outputs + i);
  return ws.logits.leftCols(b);
}

}  // namespace nn
