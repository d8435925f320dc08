#include "nn/mlp.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace nn {

Mlp::Mlp(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
         double leaky_slope, Task task, Loss loss, Precision precision)
    : lanes_(inputs, hidden, outputs, activation, leaky_slope, task, loss) {
  if (precision == Precision::float32)
    lanes32_.emplace(inputs, hidden, outputs, activation, leaky_slope, task, loss);
}

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
  if (lanes32_) {
    constexpr int kLanes = kLanesOf<float>;
    const Eigen::Index strip = (capacity + kLanes - 1) / kLanes;
    return {.lanes = {},
            .params = {},
            .x = {},
            .logits = Eigen::MatrixXd(width(layers()), capacity),
            .lanes32 = lanes32_->make_workspace(strip),
            .params32 = LaneMatrixOf<float>(kLanes, parameter_count()),
            .x32 = LaneMatrixOf<float>(kLanes, width(0) * strip)};
  }
  const Eigen::Index strip = (capacity + kLanes - 1) / kLanes;
  return {lanes_.make_workspace(strip), LaneMatrix(kLanes, parameter_count()),
          LaneMatrix(kLanes, width(0) * strip), Eigen::MatrixXd(width(layers()), capacity)};
}

namespace {

// Mlp::forward in lanes of T: the network `net` with `params` into `logits`.
template <typename T>
void forward_in(const LaneNetOf<T>& net, const double* params, const ConstMatrixRef& x,
                typename LaneNetOf<T>::Workspace& lanes, LaneMatrixOf<T>& lane_params,
                LaneMatrixOf<T>& lane_x, Eigen::MatrixXd& out) {
  constexpr int kLanes = kLanesOf<T>;
  // The same network in every lane, each lane running its own strip of the samples: a
  // sample's logits do not depend on the others in its batch, nor on its lane.
  const Eigen::Index b = x.cols(), inputs = net.width(0), outputs = net.width(net.layers());
  const Eigen::Index strip = (b + kLanes - 1) / kLanes;
  assert(strip <= lanes.capacity && x.rows() == inputs);
  for (Eigen::Index e = 0; e < net.parameter_count(); ++e)
    lane_params.col(e).setConstant(static_cast<T>(params[e]));
  for (int l = 0; l < kLanes; ++l)
    for (Eigen::Index k = 0; k < strip; ++k) {
      const Eigen::Index j = std::min(l * strip + k, b - 1);  // past the end: repeat the last
      for (Eigen::Index i = 0; i < inputs; ++i) lane_x(l, k * inputs + i) = static_cast<T>(x(i, j));
    }
  net.forward(lane_params, lane_x, strip, lanes);
  const LaneMatrixOf<T>& logits = lanes.out.back();
  for (Eigen::Index j = 0; j < b; ++j)
    for (Eigen::Index i = 0; i < outputs; ++i)
      out(i, j) = logits(j / strip, (j % strip) * outputs + i);
}

}  // namespace

ConstMatrixRef Mlp::forward(const double* params, const ConstMatrixRef& x, Workspace& ws) const {
  if (lanes32_)
    forward_in(*lanes32_, params, x, ws.lanes32, ws.params32, ws.x32, ws.logits);
  else
    forward_in(lanes_, params, x, ws.lanes, ws.params, ws.x, ws.logits);
  return ws.logits.leftCols(x.cols());
}

}  // namespace nn
