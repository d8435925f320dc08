#include "nn/reference.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>

namespace nn::reference {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// A hidden layer's activation f at z and its derivative f'(z), side by side.
struct Activated {
  double f, df;
};
Activated activation(Activation kind, double slope, double z) {
  const double s = 1.0 / (1.0 + std::exp(-z));  // sigmoid(z)
  const double t = std::tanh(z);
  switch (kind) {
    case Activation::relu:
      return {std::max(z, 0.0), z > 0 ? 1.0 : 0.0};
    case Activation::tanh:
      return {t, 1.0 - t * t};
    case Activation::sigmoid:
      return {s, s * (1.0 - s)};
    case Activation::linear:
      return {z, 1.0};
    case Activation::leaky_relu:
      return {z > 0 ? z : slope * z, z > 0 ? 1.0 : slope};
    case Activation::elu:
      return {z > 0 ? z : std::expm1(z), z > 0 ? 1.0 : std::exp(z)};
    case Activation::softplus:  // log(1 + e^z), written so that e^z cannot overflow
      return {std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))), s};
  }
  return {z, 1.0};
}

// The loss of one sample's logits z against its target y, by the task and loss, and its
// gradient dloss/dz into dz. The output o is z (regression), p = sigmoid(z) (two classes) or
// p = softmax(z), p_i = e^z_i / sum_k e^z_k (more classes).
//   squared error, 1/2 sum_i (o_i - y_i)^2, the half as in TensorFlow Playground and
//   scikit-learn, so a learning rate means the same step there and here:
//     regression:   dz = z - y
//     two classes:  dz = (p - y) p (1 - p)                        (dp/dz = p (1 - p))
//     more classes: dz_k = sum_i (p_i - y_i) p_i (delta_ik - p_k)  (dp_i/dz_k)
//   cross-entropy (classes only):
//     two classes:  -y log p - (1 - y) log(1 - p);    dz = p - y
//                   = max(z, 0) - z y + log(1 + e^-|z|), which no z overflows
//     more classes: -sum_i y_i log p_i;               dz = p - y
//                   = log sum_i e^z_i - sum_i y_i z_i, the sum shifted by the largest z_i
double sample_loss(Task task, Loss loss, const VectorXd& z, const VectorXd& y, VectorXd& dz) {
  const double m = z.maxCoeff();
  const double log_sum_exp = m + std::log((z.array() - m).exp().sum());
  if (loss == Loss::mse) {
    if (task == Task::regression) {
      dz = z - y;
      return 0.5 * (z - y).squaredNorm();
    }
    const bool binary = task == Task::binary;
    const VectorXd p = binary ? VectorXd::Constant(1, 1.0 / (1.0 + std::exp(-z(0))))
                              : VectorXd((z.array() - log_sum_exp).exp());
    const VectorXd r = p - y;  // the residuals
    if (binary)
      dz = r.cwiseProduct(p).cwiseProduct((1.0 - p.array()).matrix());
    else
      dz = p.cwiseProduct(r - VectorXd::Constant(p.size(), r.dot(p)));
    return 0.5 * r.squaredNorm();
  }
  switch (task) {
    case Task::regression:  // refused by the constructor
      break;
    case Task::binary:
      dz = VectorXd::Constant(1, 1.0 / (1.0 + std::exp(-z(0))) - y(0));
      return std::max(z(0), 0.0) - z(0) * y(0) + std::log1p(std::exp(-std::abs(z(0))));
    case Task::multiclass:
      dz = (z.array() - log_sum_exp).exp().matrix() - y;
      return log_sum_exp - y.dot(z);
  }
  return 0;
}

}  // namespace

Network::Network(int inputs, const std::vector<int>& hidden, int outputs, Activation activation,
                 double leaky_slope, Task task, Loss loss)
    : activation_(activation),
      leaky_slope_(leaky_slope),
      task_(task),
      loss_(resolve_loss(loss, task)) {
  if (task == Task::regression && loss_ == Loss::cross_entropy)
    throw std::invalid_argument("cross-entropy needs classes, not a regression target");
  widths_.push_back(inputs);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(outputs);
  offsets_.push_back(0);
  for (int l = 1; l <= layers(); ++l)
    offsets_.push_back(offsets_.back() + Eigen::Index{widths_[l]} * (widths_[l - 1] + 1));
}

Eigen::VectorXd Network::initial_parameters(Init init, Rng& rng) const {
  if (init == Init::automatic) {
    const bool relu_like = activation_ == Activation::relu ||
                           activation_ == Activation::leaky_relu || activation_ == Activation::elu;
    init = relu_like ? Init::he : Init::glorot;
  }
  VectorXd params(parameter_count());
  for (int l = 1; l <= layers(); ++l) {
    const double fan_in = widths_[l - 1], fan_out = widths_[l];
    double range = 0.5, bias = 0.1;  // Playground
    if (init == Init::glorot) range = std::sqrt(6.0 / (fan_in + fan_out)), bias = 0.0;
    if (init == Init::he) range = std::sqrt(6.0 / fan_in), bias = 0.0;
    // The weights in their column-major order, then the biases.
    const Eigen::Index w = offsets_[l - 1], b = w + Eigen::Index{widths_[l]} * widths_[l - 1];
    for (Eigen::Index e = w; e < b; ++e) params(e) = uniform(rng, -range, range);
    params.segment(b, widths_[l]).setConstant(bias);
  }
  return params;
}

Eigen::Map<const MatrixXd> Network::weights(const VectorXd& params, int l) const {
  return {params.data() + offsets_[l - 1], widths_[l], widths_[l - 1]};
}
Eigen::Map<const VectorXd> Network::biases(const VectorXd& params, int l) const {
  return {params.data() + offsets_[l - 1] + Eigen::Index{widths_[l]} * widths_[l - 1], widths_[l]};
}

// Forward, layer l = 1..L:  z_l = W_l a_{l-1} + b_l  (fan_out x b),  a_l = f(z_l),  a_0 = x.
// The last layer has no f: its z_L are the logits, which the loss turns into the output.
void Network::forward(const VectorXd& params, const MatrixXd& x, std::vector<MatrixXd>& z,
                      std::vector<MatrixXd>& a) const {
  z.resize(layers() + 1);
  a.resize(layers() + 1);
  a[0] = x;
  for (int l = 1; l <= layers(); ++l) {
    z[l] = (weights(params, l) * a[l - 1]).colwise() + biases(params, l);
    if (l < layers())
      a[l] = z[l].unaryExpr([&](double v) { return activation(activation_, leaky_slope_, v).f; });
  }
}

MatrixXd Network::logits(const VectorXd& params, const MatrixXd& x) const {
  std::vector<MatrixXd> z, a;
  forward(params, x, z, a);
  return z.back();
}

// L = (1/b) sum over the b samples j of w_j loss(z_L[:, j], y[:, j]), w_j = 1 unweighted.
double Network::loss(const VectorXd& params, const MatrixXd& x, const MatrixXd& y,
                     const VectorXd& w) const {
  const MatrixXd z = logits(params, x);
  double sum = 0;
  VectorXd dz;
  for (Eigen::Index j = 0; j < z.cols(); ++j)
    sum += (w.size() > 0 ? w(j) : 1.0) * sample_loss(task_, loss_, z.col(j), y.col(j), dz);
  return sum / static_cast<double>(z.cols());
}

// Backward, from delta_L = dL/dz_L = (w_j / b) dloss/dz per sample j (outputs x b), l = L..1:
//   dL/dW_l = delta_l a_{l-1}^T  (fan_out x fan_in);   dL/db_l = delta_l summed over samples
//   delta_{l-1} = (W_l^T delta_l) .* f'(z_{l-1})  (fan_in x b)
double Network::backward(const VectorXd& params, const MatrixXd& x, const MatrixXd& y,
                         VectorXd& grad, const VectorXd& w) const {
  std::vector<MatrixXd> z, a;
  forward(params, x, z, a);
  const Eigen::Index b = x.cols();
  double sum = 0;
  MatrixXd delta(widths_.back(), b);
  VectorXd dz;
  for (Eigen::Index j = 0; j < b; ++j) {
    const double weight = w.size() > 0 ? w(j) : 1.0;
    sum += weight * sample_loss(task_, loss_, z[layers()].col(j), y.col(j), dz);
    delta.col(j) = dz / static_cast<double>(b) * weight;
  }
  grad.resize(parameter_count());
  for (int l = layers(); l >= 1; --l) {
    const Eigen::Index at = offsets_[l - 1], fan_in = widths_[l - 1], fan_out = widths_[l];
    Eigen::Map<MatrixXd>(grad.data() + at, fan_out, fan_in) = delta * a[l - 1].transpose();
    grad.segment(at + fan_out * fan_in, fan_out) = delta.rowwise().sum();
    if (l > 1) {
      const MatrixXd f_prime =
          z[l - 1].unaryExpr([&](double v) { return activation(activation_, leaky_slope_, v).df; });
      delta = (weights(params, l).transpose() * delta).cwiseProduct(f_prime);
    }
  }
  return sum / static_cast<double>(b);
}

// Over the weights only, never the biases: l1 rate * sum|w|, whose gradient is rate * sign(w);
// l2 rate/2 * sum w^2, whose gradient is rate * w.
double Network::penalty(const VectorXd& params, Regularization reg, double rate,
                        VectorXd& grad) const {
  double sum = 0;
  for (int l = 1; l <= layers(); ++l) {
    const Eigen::Index start = offsets_[l - 1], n = Eigen::Index{widths_[l]} * widths_[l - 1];
    const auto w = params.segment(start, n);
    if (reg == Regularization::l1) {
      sum += rate * w.cwiseAbs().sum();
      grad.segment(start, n) += rate * w.cwiseSign();
    } else if (reg == Regularization::l2) {
      sum += 0.5 * rate * w.squaredNorm();
      grad.segment(start, n) += rate * w;
    }
  }
  return sum;
}

namespace {

// One update of the parameters theta from the gradient g, with learning rate lr.
class Update {
 public:
  Update(const TrainConfig& c, Eigen::Index n)
      : c_(c), v_(VectorXd::Zero(n)), m_(VectorXd::Zero(n)), s_(VectorXd::Zero(n)) {}

  void operator()(VectorXd& theta, const VectorXd& g) {
    const double lr = c_.learning_rate;
    switch (c_.optimizer) {
      case Optimizer::sgd:  // theta <- theta - lr g
        theta -= lr * g;
        break;
      case Optimizer::momentum:  // v <- mu v + g;  theta <- theta - lr v
        v_ = c_.momentum * v_ + g;
        theta -= lr * v_;
        break;
      case Optimizer::adam: {
        // t <- t + 1;  m <- b1 m + (1 - b1) g;  s <- b2 s + (1 - b2) g^2
        // theta <- theta - lr m^ / (sqrt(s^) + eps),  m^ = m / (1 - b1^t),  s^ = s / (1 - b2^t)
        ++t_;
        m_ = c_.beta1 * m_ + (1.0 - c_.beta1) * g;
        s_ = c_.beta2 * s_ + (1.0 - c_.beta2) * g.cwiseProduct(g);
        const VectorXd m_hat = m_ / (1.0 - std::pow(c_.beta1, t_));
        const VectorXd s_hat = s_ / (1.0 - std::pow(c_.beta2, t_));
        theta.array() -= lr * m_hat.array() / (s_hat.array().sqrt() + c_.epsilon);
        break;
      }
    }
  }

 private:
  const TrainConfig& c_;
  VectorXd v_, m_, s_;  // momentum's velocity; adam's first and second moments
  int t_ = 0;           // adam: updates so far
};

// Data loss, accuracy, balanced accuracy and macro F1 of a split (class_scores of its per-class
// counts); NaN for an empty split and for the class scores of regression. Binary: class 1 when
// the logit is above 0; multiclass: the first largest logit.
std::array<double, 4> evaluate(const Network& net, Task task, const VectorXd& params,
                               const Split& split) {
  if (split.size() == 0) return {kNotApplicable, kNotApplicable, kNotApplicable, kNotApplicable};
  const double loss = net.loss(params, split.x, split.y);
  if (task == Task::regression) return {loss, kNotApplicable, kNotApplicable, kNotApplicable};
  const MatrixXd z = net.logits(params, split.x);
  const std::vector<int> actual = class_labels(split, task);
  const std::size_t classes = task == Task::binary ? 2 : static_cast<std::size_t>(z.rows());
  std::vector<double> hits(classes, 0.0), predicted(classes, 0.0), samples(classes, 0.0);
  double correct = 0;
  for (Eigen::Index j = 0; j < split.size(); ++j) {
    Eigen::Index guess = z(0, j) > 0.0 ? 1 : 0;
    if (task == Task::multiclass) z.col(j).maxCoeff(&guess);
    const auto c = static_cast<std::size_t>(actual[static_cast<std::size_t>(j)]);
    ++samples[c];
    ++predicted[static_cast<std::size_t>(guess)];
    if (static_cast<std::size_t>(guess) == c) ++hits[c], ++correct;
  }
  const ClassScores scores = class_scores(hits, predicted, samples);
  return {loss, correct / static_cast<double>(split.size()), scores.balanced_accuracy,
          scores.macro_f1};
}

EpochMetrics metrics(const Network& net, const Dataset& data, const VectorXd& params, int epoch) {
  const auto train = evaluate(net, data.task, params, data.train);
  const auto val = evaluate(net, data.task, params, data.validation);
  const auto test = evaluate(net, data.task, params, data.test);
  return {epoch,    train[0], val[0],  test[0],  train[1], val[1], test[1],
          train[2], val[2],   test[2], train[3], val[3],   test[3]};
}

// train.early_stopping, as Keras' EarlyStopping: the selection loss (validation when there is
// a split, else training) has to fall more than min_delta below its best so far (epoch 0's
// loss the first best); `patience` epochs in a row without that stop the training.
class Patience {
 public:
  explicit Patience(const TrainConfig& c)
      : patience_(c.early_stopping_patience), min_delta_(c.early_stopping_min_delta) {}
  bool on() const { return patience_ > 0; }
  bool stop_after(double loss) {
    if (loss < best_ - min_delta_)
      best_ = loss, wait_ = 0;
    else
      ++wait_;
    return wait_ >= patience_;
  }

 private:
  int patience_;
  double min_delta_;
  double best_ = std::numeric_limits<double>::infinity();
  int wait_ = 0;
};

double selection_loss(const Dataset& data, const EpochMetrics& m) {
  return data.validation.size() > 0 ? m.val_loss : m.train_loss;
}

}  // namespace

Result train(const TrialConfig& config, const Dataset& data, std::uint64_t seed) {
  const ModelConfig& m = config.model;
  const TrainConfig& c = config.train;
  const Network net(data.inputs(), m.hidden, data.outputs(), m.activation, m.leaky_relu_slope,
                    data.task, m.loss);
  const double penalty_rate =
      c.regularization == Regularization::none ? 0.0 : c.regularization_rate;
  // One generator: first the initial weights, then each epoch's shuffle of the training samples
  // (train.shuffle every_epoch), or only the first epoch's (never: that order for every epoch).
  Rng rng(seed);
  Result r;
  r.parameters = net.initial_parameters(m.init, rng);
  r.curve.push_back(metrics(net, data, r.parameters, 0));
  Update update(c, net.parameter_count());
  Patience patience(c);
  double best = selection_loss(data, r.curve.back());
  if (patience.on()) r.best_parameters = r.parameters, patience.stop_after(best);

  const Eigen::Index n = data.train.size();
  const Eigen::Index batch = std::min<Eigen::Index>(c.batch_size, std::max<Eigen::Index>(n, 1));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  VectorXd grad;
  // train.class_weight balanced: each training sample's weight, n / (K n_c) for its class c.
  const std::vector<double> weights =
      data.task == Task::regression ? std::vector<double>{} : sample_weights(data, c.class_weight);
  const Eigen::Map<const VectorXd> weight(weights.data(),
                                          static_cast<Eigen::Index>(weights.size()));
  for (int epoch = 1; epoch <= c.epochs; ++epoch) {
    if (c.shuffle == Shuffle::every_epoch || epoch == 1)
      shuffle(std::span(order), rng);  // the previous epoch's order, shuffled again
    for (Eigen::Index start = 0; start < n; start += batch) {
      const std::span<const Eigen::Index> rows(order.data() + start, std::min(batch, n - start));
      const MatrixXd x = data.train.x(Eigen::all, rows), y = data.train.y(Eigen::all, rows);
      const VectorXd w = weights.empty() ? VectorXd() : VectorXd(weight(rows));
      net.backward(r.parameters, x, y, grad, w);  // forward, loss, backward
      net.penalty(r.parameters, c.regularization, penalty_rate, grad);
      update(r.parameters, grad);  // update
    }
    r.curve.push_back(metrics(net, data, r.parameters, epoch));
    if (!patience.on()) continue;
    const double loss = selection_loss(data, r.curve.back());
    if (std::isfinite(loss) && !(loss >= best)) best = loss, r.best_parameters = r.parameters;
    if (patience.stop_after(loss) && epoch < c.epochs) {
      r.stopped_epoch = epoch;
      break;
    }
  }
  return r;
}

}  // namespace nn::reference
