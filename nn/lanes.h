// Several networks of one shape computed side by side, one per lane. A lane is one network's
// share of every number of a LaneNet: each number is stored as kLanes doubles, one per network,
// which together fill a vector register (half of one with AVX-512), and lane l of every matrix,
// gradient and optimizer moment belongs to network l.
//
// The networks of a sweep are tiny (a 2-8-8-1 layer is an 8x8 product on a batch of 10), so a
// matrix library spends most of its time packing operands and dispatching on sizes, and the
// vector units idle. Here element e of a (rows x cols) matrix of every network is column e of a
// LaneMatrix (kLanes x rows*cols, elements column-major). Every arithmetic operation then acts
// on all the networks at once with one vector instruction, whatever the layer sizes, and nothing
// ever mixes lanes: a network's results are the same bits whatever is in the other lanes.
// Which trainings fill the lanes is a pack's business (nn/pack.h); Mlp (nn/mlp.h) is the
// one-network view of the same arithmetic.
#pragma once

#include <Eigen/Core>
#include <array>
#include <vector>

#include "nn/activation.h"
#include "nn/config.h"
#include "nn/dataset.h"

namespace nn {

// Lanes of a scalar type: as many as fill 32 bytes, 4 doubles or 8 floats (train.precision).
template <typename T>
inline constexpr int kLanesOf = static_cast<int>(32 / sizeof(T));
template <typename T>
using LanesOf = Eigen::Array<T, kLanesOf<T>, 1>;
template <typename T>
using LaneMatrixOf = Eigen::Array<T, kLanesOf<T>, Eigen::Dynamic>;

inline constexpr int kLanes = kLanesOf<double>;
using Lanes = LanesOf<double>;
using LaneMatrix = LaneMatrixOf<double>;

// T: double or float, the numbers the networks compute in (train.precision); both are built.
template <typename T>
class LaneNetOf {
 public:
  static constexpr int kLanes = kLanesOf<T>;
  using Lanes = LanesOf<T>;
  using LaneMatrix = LaneMatrixOf<T>;
  // Contiguous numbers: ArrayMap, ConstArrayMap for double; ArrayMapF, ConstArrayMapF for float.
  using Map = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
  using ConstMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

  // Throws std::invalid_argument for cross_entropy on regression (see resolve_loss).
  LaneNetOf(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
            double leaky_slope, Task task, Loss loss = Loss::automatic);

  int layers() const { return static_cast<int>(widths_.size()) - 1; }
  // The units of a layer: 0 = inputs, layers() = outputs.
  int width(int layer) const { return widths_[layer]; }
  // Parameters in nn/mlp.h's flat layout (per layer: weights column-major, then biases).
  Eigen::Index parameter_count() const { return offsets_.back(); }
  Eigen::Index offset(int layer) const { return offsets_[layer]; }  // of its weights
  Task task() const { return task_; }
  Loss loss() const { return loss_; }  // resolved: mse or cross_entropy
  Activation activation() const { return activation_; }
  // Products, activations, their derivatives and the binary cross-entropy run eight numbers
  // per instruction (AVX-512, two rows or samples of four lanes) where the CPU can, else four;
  // the bits are the same. Forces a vector width (4 or 8); false if this CPU lacks it.
  bool use_vector_width(int numbers);
  // Gives lane l the hidden activation activations[l] (slopes[l] for leaky_relu) instead of the
  // constructor's: trainings of different activations side by side (nn/pack.h). Each lane gets
  // the bits of a LaneNet of its activation alone (nn/lane_activation.cpp). Call before
  // make_workspace().
  void use_lane_activations(const std::array<Activation, kLanes>& activations,
                            const std::array<double, kLanes>& slopes);

  struct Workspace {
    std::vector<LaneMatrix> out;    // out[l]: output of layer l+1, (width x capacity) elements
    std::vector<LaneMatrix> delta;  // delta[l]: dLoss/d(pre-activation) of layer l+1
    LaneMatrix panels;              // the weights copied as the products read them
    LaneMatrix before, each;        // lanes of mixed activations: a layer's input, one's result
    Eigen::Index capacity = 0;
  };
  Workspace make_workspace(Eigen::Index capacity) const;

  // Runs b samples x (inputs x b elements) through every lane's network; the logits (outputs
  // x b elements) are left in ws.out.back().
  void forward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b, Workspace& ws) const;
  // Data loss per lane summed over the b samples of the last forward() against targets y
  // (outputs x b elements), in sample order: 1/2 (o - y)^2 summed over the outputs for mse
  // (o the logits for regression, the probabilities for classes), the cross-entropy otherwise.
  Lanes loss_sum(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const;
  // The gradient of the mean loss, dLoss/dlogits, into ws, for backward().
  void loss_gradient(const LaneMatrix& y, Eigen::Index b, Workspace& ws) const;
  // Gradient of the mean data loss of the last forward() and loss() into grad.
  void backward(const LaneMatrix& params, const LaneMatrix& x, Eigen::Index b, Workspace& ws,
                LaneMatrix& grad) const;
  // Adds the gradient of rate * sum|w| (l1) or rate/2 * sum w^2 (l2) over the weights (never
  // the biases) to grad.
  void add_penalty(const LaneMatrix& params, Regularization reg, const Lanes& rate,
                   LaneMatrix& grad) const;
  // Scales the gradient loss_gradient() left in ws of sample j < b by w's lane element j, in
  // each lane: the sample's class weight (train.class_weight). A weight of 1 changes no bit.
  void weight_samples(const LaneMatrix& w, Eigen::Index b, Workspace& ws) const;
  // How many of the b samples of the last forward() have y's class predicted (classification).
  Lanes correct(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const;
  // Per class (rows: 2 for two classes, else the outputs) and lane (columns), counts of
  // samples; whole numbers, the same whatever blocks a split is counted in.
  struct Confusion {
    Eigen::ArrayXXd hits;       // of the class, predicted so
    Eigen::ArrayXXd predicted;  // predicted to be of the class
    Eigen::ArrayXXd actual;     // of the class
  };
  Confusion empty_confusion() const;
  // Adds the b samples of the last forward() against targets y to `into` (classification); the
  // predicted class is the one correct() counts.
  void tally(const LaneMatrix& y, Eigen::Index b, const Workspace& ws, Confusion& into) const;

 private:
  // f(z) or grad *= f'(a) for the hidden layers, each lane by its own activation.
  void activate(Map z, Workspace& ws) const;
  void multiply_by_derivative(ConstMap a, Map grad, Workspace& ws) const;
  // loss_gradient() of the squared error of the probabilities (mse on classes).
  void mse_of_probabilities(const LaneMatrix& y, Eigen::Index b, Workspace& ws) const;
  // loss_sum() for mse, of the logits (regression) or of the probabilities (classes).
  Lanes mse_sum(const LaneMatrix& y, Eigen::Index b, const Workspace& ws) const;

  std::vector<int> widths_;
  std::vector<Eigen::Index> offsets_;
  Activation activation_;
  double leaky_slope_;
  Task task_;
  Loss loss_;
  int vector_width_;  // numbers per instruction: 4 or 8
  // use_lane_activations(): each lane's activation and slope, when they are not all the same.
  bool mixed_activations_ = false;
  std::array<Activation, kLanes> lane_activation_{};
  std::array<double, kLanes> lane_slope_{};
};

using LaneNet = LaneNetOf<double>;
extern template class LaneNetOf<double>;
extern template class LaneNetOf<float>;

// Every lane's copy of a matrix of samples (rows x cols), for data shared by all lanes.
template <typename T = double>
LaneMatrixOf<T> broadcast(const Eigen::MatrixXd& m);

}  // namespace nn
