// A multilayer perceptron over one flat parameter vector: for each layer l its weights W_l
// (fan_out x fan_in, column-major) followed by its biases b_l (fan_out). Gradients and optimizer
// moments use the same layout. The output layer gives logits; the output activation and loss
// follow the task (linear + MSE, sigmoid + binary cross-entropy, softmax + cross-entropy) and
// are fused in loss_and_gradient(). Workspaces are sized once; forward/backward never allocate.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "nn/activation.h"
#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/random.h"

namespace nn {

using VectorRef = Eigen::Ref<Eigen::VectorXd>;
using ConstVectorRef = Eigen::Ref<const Eigen::VectorXd>;

class Mlp {
 public:
  Mlp(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
      double leaky_slope, Task task);

  int layers() const { return static_cast<int>(widths_.size()) - 1; }
  int width(int layer) const { return widths_[layer]; }  // 0 = inputs, layers() = outputs
  Eigen::Index parameter_count() const { return offsets_.back(); }
  Task task() const { return task_; }
  Activation activation() const { return activation_; }

  // Views of layer l's weights (fan_out x fan_in) and biases in a flat vector.
  Eigen::Map<Eigen::MatrixXd> weights(double* params, int l) const;
  Eigen::Map<const Eigen::MatrixXd> weights(const double* params, int l) const;
  Eigen::Map<Eigen::VectorXd> biases(double* params, int l) const;
  Eigen::Map<const Eigen::VectorXd> biases(const double* params, int l) const;

  // Initial parameters: weights ~ U(-r, r) with r = sqrt(6 / (fan_in + fan_out)) (Glorot) or
  // sqrt(6 / fan_in) (He), biases 0; or Playground's U(-0.5, 0.5) weights with biases 0.1.
  Eigen::VectorXd initial_parameters(Init init, Rng& rng) const;

  // Buffers for batches of up to `capacity` samples.
  struct Workspace {
    std::vector<Eigen::MatrixXd> out;    // out[l]: output of layer l+1, (width x capacity)
    std::vector<Eigen::MatrixXd> delta;  // delta[l]: dLoss/d(pre-activation) of layer l+1
    Eigen::Index capacity = 0;
  };
  Workspace make_workspace(Eigen::Index capacity) const;

  // Runs x (inputs x b) through the network; returns the logits (outputs x b), a view into ws.
  ConstMatrixRef forward(const double* params, const ConstMatrixRef& x, Workspace& ws) const;

  // Mean data loss over the b samples of the last forward(); with `want_gradient`, also
  // dLoss/dlogits into ws (used by backward()).
  double loss_and_gradient(const ConstMatrixRef& y, Workspace& ws, Eigen::Index b,
                           bool want_gradient) const;

  // Gradient of the mean data loss (from the last forward() and loss_and_gradient()) into
  // `grad` (parameter_count()).
  void backward(const double* params, const ConstMatrixRef& x, Workspace& ws, double* grad) const;

  // Adds the gradient of the weight penalty (rate * sum|w| or rate/2 * sum w^2, biases never)
  // to grad; returns the penalty's value.
  double add_penalty(const double* params, Regularization reg, double rate, double* grad) const;

  // Fraction of samples whose predicted class matches y (classification only).
  double accuracy(const ConstMatrixRef& logits, const ConstMatrixRef& y) const;

 private:
  std::vector<int> widths_;
  std::vector<Eigen::Index> offsets_;  // offsets_[l]: start of layer l's weights; last = total
  Activation activation_;
  double leaky_slope_;
  Task task_;
};

}  // namespace nn
