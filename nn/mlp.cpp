#include "nn/mlp.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace nn {

Mlp::Mlp(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
         double leaky_slope, Task task)
    : activation_(activation), leaky_slope_(leaky_slope), task_(task) {
  widths_.push_back(inputs);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(outputs);
  offsets_.push_back(0);
  for (int l = 0; l < layers(); ++l)
    offsets_.push_back(offsets_.back() + Eigen::Index{widths_[l + 1]} * (widths_[l] + 1));
}

Eigen::Map<Eigen::MatrixXd> Mlp::weights(double* params, int l) const {
  return {params + offsets_[l], widths_[l + 1], widths_[l]};
}
Eigen::Map<const Eigen::MatrixXd> Mlp::weights(const double* params, int l) const {
  return {params + offsets_[l], widths_[l + 1], widths_[l]};
}
Eigen::Map<Eigen::VectorXd> Mlp::biases(double* params, int l) const {
  return {params + offsets_[l] + Eigen::Index{widths_[l + 1]} * widths_[l], widths_[l + 1]};
}
Eigen::Map<const Eigen::VectorXd> Mlp::biases(const double* params, int l) const {
  return {params + offsets_[l] + Eigen::Index{widths_[l + 1]} * widths_[l], widths_[l + 1]};
}

Eigen::VectorXd Mlp::initial_parameters(Init init, Rng& rng) const {
  if (init == Init::automatic) {
    const bool relu_like = activation_ == Activation::relu ||
                           activation_ == Activation::leaky_relu || activation_ == Activation::elu;
    init = relu_like ? Init::he : Init::glorot;
  }
  Eigen::VectorXd params(parameter_count());
  for (int l = 0; l < layers(); ++l) {
    const double fan_in = widths_[l], fan_out = widths_[l + 1];
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
  Workspace ws;
  ws.capacity = capacity;
  for (int l = 0; l < layers(); ++l) {
    ws.out.emplace_back(widths_[l + 1], capacity);
    ws.delta.emplace_back(widths_[l + 1], capacity);
  }
  return ws;
}

ConstMatrixRef Mlp::forward(const double* params, const ConstMatrixRef& x, Workspace& ws) const {
  const Eigen::Index b = x.cols();
  assert(b <= ws.capacity && x.rows() == widths_.front());
  for (int l = 0; l < layers(); ++l) {
    auto out = ws.out[l].leftCols(b);  // (fan_out, b)
    // z = W x + b, the biases first: a product added to a matrix skips the zeroing pass that
    // Eigen makes before a product assigned to one.
    out.colwise() = biases(params, l);
    if (l == 0)
      out.noalias() += weights(params, l) * x;
    else
      out.noalias() += weights(params, l) * ws.out[l - 1].leftCols(b);
    if (l + 1 < layers()) activate(activation_, leaky_slope_, out);
  }
  return ws.out.back().leftCols(b);
}

double Mlp::loss_and_gradient(const ConstMatrixRef& y, Workspace& ws, Eigen::Index b,
                              bool want_gradient) const {
  const auto z = ws.out.back().leftCols(b).array();  // logits, (outputs, b)
  auto grad = ws.delta.back().leftCols(b).array();
  const auto t = y.array();
  const double inv_b = 1.0 / static_cast<double>(b);
  switch (task_) {
    case Task::regression: {
      // Mean squared error; d/dz of mean (z - y)^2 is 2 (z - y) / b.
      const double loss = (z - t).square().sum() * inv_b;
      if (want_gradient) grad = (2.0 * inv_b) * (z - t);
      return loss;
    }
    case Task::binary: {
      // Binary cross-entropy on sigmoid(z), stable for any z:
      // max(z, 0) - z y + log(1 + e^-|z|); its derivative is sigmoid(z) - y.
      // One output row: the b logits (and targets) are contiguous, and viewed as one vector
      // Eigen vectorises exp and log1p, which it cannot along a column of one element.
      assert(y.rows() == 1 && y.outerStride() == 1);
      const Eigen::Map<const Eigen::ArrayXd> zv(ws.out.back().data(), b), tv(y.data(), b);
      // log(1 + e^-|z|) rather than log1p(): the argument is in (1, 2], where log is as exact,
      // and Eigen vectorises log but not log1p.
      const double loss = (zv.max(0.0) - zv * tv + (1.0 + (-zv.abs()).exp()).log()).sum() * inv_b;
      if (want_gradient)
        Eigen::Map<Eigen::ArrayXd>(ws.delta.back().data(), b) =
            inv_b * (1.0 / (1.0 + (-zv).exp()) - tv);
      return loss;
    }
    case Task::multiclass: {
      // Cross-entropy on softmax(z) through log-sum-exp; its derivative is softmax(z) - y.
      double loss = 0.0;
      for (Eigen::Index j = 0; j < b; ++j) {
        const auto zj = z.col(j);
        const double m = zj.maxCoeff();
        const double lse = m + std::log((zj - m).exp().sum());
        loss += lse - (zj * t.col(j)).sum();
        if (want_gradient) grad.col(j) = inv_b * ((zj - lse).exp() - t.col(j));
      }
      return loss * inv_b;
    }
  }
  return 0.0;
}

void Mlp::backward(const double* params, const ConstMatrixRef& x, Workspace& ws,
                   double* grad) const {
  const Eigen::Index b = x.cols();
  for (int l = layers() - 1; l >= 0; --l) {
    const auto delta = ws.delta[l].leftCols(b);  // (fan_out, b)
    auto grad_w = weights(grad, l);              // (fan_out, fan_in)
    if (l == 0)
      grad_w.noalias() = delta * x.transpose();
    else
      grad_w.noalias() = delta * ws.out[l - 1].leftCols(b).transpose();
    biases(grad, l) = delta.rowwise().sum();
    if (l > 0) {
      auto below = ws.delta[l - 1].leftCols(b);  // (fan_in, b)
      below.noalias() = weights(params, l).transpose() * delta;
      multiply_by_derivative(activation_, leaky_slope_, ws.out[l - 1].leftCols(b), below);
    }
  }
}

double Mlp::add_penalty(const double* params, Regularization reg, double rate, double* grad) const {
  if (reg == Regularization::none || rate == 0.0) return 0.0;
  double penalty = 0.0;
  for (int l = 0; l < layers(); ++l) {
    const auto w = weights(params, l).array();
    auto g = weights(grad, l).array();
    if (reg == Regularization::l1) {
      penalty += rate * w.abs().sum();
      g += rate * w.sign();
    } else {
      penalty += 0.5 * rate * w.square().sum();
      g += rate * w;
    }
  }
  return penalty;
}

double Mlp::accuracy(const ConstMatrixRef& logits, const ConstMatrixRef& y) const {
  const Eigen::Index n = logits.cols();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  Eigen::Index correct = 0;
  if (task_ == Task::binary) {
    for (Eigen::Index j = 0; j < n; ++j) correct += (logits(0, j) > 0.0) == (y(0, j) > 0.5);
  } else {
    for (Eigen::Index j = 0; j < n; ++j) {
      Eigen::Index predicted = 0, actual = 0;
      logits.col(j).maxCoeff(&predicted);
      y.col(j).maxCoeff(&actual);
      correct += predicted == actual;
    }
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace nn
