// A multilayer perceptron over one flat parameter vector: for each layer l its weights W_l
// (fan_out x fan_in, column-major) followed by its biases b_l (fan_out). Gradients and optimizer
// moments use the same layout. The output layer gives logits; the output activation follows
// the task (linear, sigmoid, softmax), the loss too unless chosen (nn::Loss: linear + squared
// error, sigmoid + binary cross-entropy, softmax + cross-entropy; or the squared error of the
// sigmoid's or softmax's probabilities).
// Training runs on nn/lanes.h, several networks side by side; this is the one-network view of
// the same arithmetic: the layout, the initialisation, and forward() for predictions.
// Why an Mlp is built on a four-lane LaneNet rather than on plain Eigen products: a prediction
// (a saved model, a decision boundary) must give the bits its training computed, and only the
// same kernels do that (their products sum in a fixed order and exp, tanh and log1p are their
// own). forward() spreads the samples over the lanes, so no lane is wasted. The plain,
// readable version of the arithmetic is nn/reference.h, held to these kernels by its test.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <vector>

#include "nn/activation.h"
#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/lanes.h"
#include "nn/random.h"

namespace nn {

class Mlp {
 public:
  // float32: forward() computes in floats, as a train.precision float32 training did.
  Mlp(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
      double leaky_slope, Task task, Loss loss = Loss::automatic,
      Precision precision = Precision::float64);

  int layers() const { return lanes_.layers(); }
  int width(int layer) const { return lanes_.width(layer); }  // 0 = inputs, layers() = outputs
  Eigen::Index parameter_count() const { return lanes_.parameter_count(); }
  Task task() const { return lanes_.task(); }
  Loss loss() const { return lanes_.loss(); }
  Activation activation() const { return lanes_.activation(); }
  const LaneNet& lanes() const { return lanes_; }
  Precision precision() const { return lanes32_ ? Precision::float32 : Precision::float64; }

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
    LaneNet::Workspace lanes;  // for a strip of capacity / kLanes samples
    LaneMatrix params, x;      // the parameters in every lane; each lane's strip of inputs
    Eigen::MatrixXd logits;    // (outputs x capacity)
    // The same of floats, for a float32 network (then `lanes` is unused).
    LaneNetOf<float>::Workspace lanes32;
    LaneMatrixOf<float> params32, x32;
  };
  Workspace make_workspace(Eigen::Index capacity) const;

  // Runs x (inputs x b) through the network; returns the logits (outputs x b), a view into ws.
  // The same bits as the network's lane in a training pack, a quarter of the samples per lane
  // (an eighth in float32, whose parameters are rounded to floats: they were floats).
  ConstMatrixRef forward(const double* params, const ConstMatrixRef& x, Workspace& ws) const;

 private:
  LaneNet lanes_;
  std::optional<LaneNetOf<float>> lanes32_;  // float32 only
};

}  // namespace nn
