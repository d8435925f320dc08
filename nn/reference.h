// The readable twin of nn/train.h: one network trained with plain Eigen matrices, a forward and
// a backward pass per batch, a loss, an update. It is the same model as the fast path (the flat
// parameter layout of nn/mlp.h, the same initial weights, the same order of samples, the same
// losses, optimizers and penalties) written for a reader, not for speed: read it beside the
// lesson. tests/nn/reference_test.cpp holds the fast kernels to it. Unlike train(), it trains
// every epoch asked for (no stop on a diverging loss) and has no convergence rules.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <vector>

#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/random.h"
#include "nn/train.h"

namespace nn::reference {

// A multilayer perceptron whose parameters live in one flat vector: per layer l its weights W_l
// (fan_out x fan_in, column-major), then its biases b_l (fan_out).
class Network {
 public:
  // Throws std::invalid_argument for cross_entropy on regression (see resolve_loss).
  Network(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
          double leaky_slope, Task task, Loss loss = Loss::automatic);

  Eigen::Index parameter_count() const { return offsets_.back(); }

  // Weights ~ U(-r, r) (Glorot r = sqrt(6 / (fan_in + fan_out)), He r = sqrt(6 / fan_in)) and
  // biases 0; Playground: U(-0.5, 0.5) and 0.1. The numbers Mlp::initial_parameters draws.
  Eigen::VectorXd initial_parameters(Init init, Rng& rng) const;

  // The logits z_L (outputs x b) of the inputs x (inputs x b).
  Eigen::MatrixXd logits(const Eigen::VectorXd& params, const Eigen::MatrixXd& x) const;
  // The mean data loss over the samples of (x, y), y (outputs x b); with weights w (b of them,
  // train.class_weight's), the mean of w_j times sample j's loss. Empty w: every w_j is 1.
  double loss(const Eigen::VectorXd& params, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
              const Eigen::VectorXd& w = {}) const;
  // The same loss; its gradient with respect to every parameter into grad (the flat layout).
  double backward(const Eigen::VectorXd& params, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                  Eigen::VectorXd& grad, const Eigen::VectorXd& w = {}) const;
  // The penalty rate * sum|w| (l1) or rate/2 * sum w^2 (l2) over the weights, never the biases;
  // its gradient is added to grad.
  double penalty(const Eigen::VectorXd& params, Regularization reg, double rate,
                 Eigen::VectorXd& grad) const;

 private:
  int layers() const { return static_cast<int>(widths_.size()) - 1; }
  // Views of layer l's (1..layers()) weights W_l (fan_out x fan_in) and biases b_l in params.
  Eigen::Map<const Eigen::MatrixXd> weights(const Eigen::VectorXd& params, int l) const;
  Eigen::Map<const Eigen::VectorXd> biases(const Eigen::VectorXd& params, int l) const;
  // Every layer's z_l and a_l = f(z_l) (width_l x b), a_0 = x; z_L are the logits.
  void forward(const Eigen::VectorXd& params, const Eigen::MatrixXd& x,
               std::vector<Eigen::MatrixXd>& z, std::vector<Eigen::MatrixXd>& a) const;

  std::vector<int> widths_;            // widths_[0] inputs, ..., widths_.back() outputs
  std::vector<Eigen::Index> offsets_;  // [l - 1]: where layer l starts; back(): the count
  Activation activation_;
  double leaky_slope_;
  Task task_;
  Loss loss_;  // resolved: mse or cross_entropy
};

struct Result {
  std::vector<EpochMetrics> curve;  // epochs 0..config.train.epochs, as train() records them
  Eigen::VectorXd parameters;       // after the last epoch
  // train.early_stopping: the epoch it stopped at before its budget, and the parameters of the
  // epoch of the lowest selection loss (the first such; empty without early stopping).
  std::optional<int> stopped_epoch;
  Eigen::VectorXd best_parameters;
};

// Trains as train(config, data, seed) does, every epoch (or until train.early_stopping stops
// it).
Result train(const TrialConfig& config, const Dataset& data, std::uint64_t seed);

}  // namespace nn::reference
