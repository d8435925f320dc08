#include "nn/train.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/mlp.h"
#include "nn/optimizer.h"
#include "nn/random.h"

namespace nn {
namespace {

double monitored(const EpochMetrics& m, Monitor monitor) {
  return monitor == Monitor::val_loss ? m.val_loss : m.train_loss;
}

// Losses and accuracies of the current parameters on every split, each in one batched pass.
class Evaluator {
 public:
  Evaluator(const Mlp& net, const Dataset& data)
      : net_(net),
        data_(data),
        ws_(net.make_workspace(
            std::max({data.train.size(), data.validation.size(), data.test.size()}))) {}

  EpochMetrics operator()(const double* params, int epoch) {
    EpochMetrics m;
    m.epoch = epoch;
    std::tie(m.train_loss, m.train_accuracy) = on(params, data_.train);
    std::tie(m.val_loss, m.val_accuracy) = on(params, data_.validation);
    std::tie(m.test_loss, m.test_accuracy) = on(params, data_.test);
    return m;
  }

 private:
  std::pair<double, double> on(const double* params, const Split& split) {
    if (split.size() == 0) return {kNotApplicable, kNotApplicable};
    const ConstMatrixRef logits = net_.forward(params, split.x, ws_);
    const double loss = net_.loss_and_gradient(split.y, ws_, split.size(), false);
    const double accuracy =
        net_.task() == Task::regression ? kNotApplicable : net_.accuracy(logits, split.y);
    return {loss, accuracy};
  }

  const Mlp& net_;
  const Dataset& data_;
  Mlp::Workspace ws_;
};

// The monitored loss averaged over a centred window of `share` x epochs (truncated at the ends);
// shorter curves than 1/share epochs are left as they are.
std::vector<double> smoothed(std::span<const EpochMetrics> curve, Monitor monitor, double share) {
  const std::size_t n = curve.size();
  const auto half = static_cast<std::size_t>(share * static_cast<double>(n - 1) / 2.0);
  std::vector<double> prefix(n + 1, 0.0);  // prefix[i] = sum of the first i losses
  for (std::size_t t = 0; t < n; ++t) prefix[t + 1] = prefix[t] + monitored(curve[t], monitor);
  std::vector<double> out(n);
  for (std::size_t t = 0; t < n; ++t) {
    const std::size_t lo = t > half ? t - half : 0, hi = std::min(n, t + half + 1);
    out[t] = half == 0 ? monitored(curve[t], monitor)
                       : (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
  }
  return out;
}

}  // namespace

Monitor resolve_monitor(Monitor monitor, bool has_validation) {
  if (monitor != Monitor::automatic) return monitor;
  return has_validation ? Monitor::val_loss : Monitor::train_loss;
}

TrainResult train(const TrialConfig& config, const Dataset& data, std::uint64_t seed,
                  const EpochObserver& observer) {
  const TrainConfig& tc = config.train;
  const Mlp net(data.inputs(), config.model.hidden, data.outputs(), config.model.activation,
                config.model.leaky_relu_slope, data.task);
  Rng rng(seed);
  Eigen::VectorXd params = net.initial_parameters(config.model.init, rng);
  Eigen::VectorXd grad(params.size());
  OptimizerState optimizer(tc, params.size());

  const Eigen::Index n = data.train.size();
  const Eigen::Index batch = std::min<Eigen::Index>(tc.batch_size, std::max<Eigen::Index>(n, 1));
  Mlp::Workspace ws = net.make_workspace(batch);
  Eigen::MatrixXd batch_x(data.inputs(), batch), batch_y(data.outputs(), batch);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  Evaluator evaluate(net, data);

  const bool has_validation = data.validation.size() > 0;
  const Monitor monitor = resolve_monitor(config.convergence.monitor, has_validation);
  std::vector<EpochMetrics> curve;
  curve.reserve(static_cast<std::size_t>(tc.epochs) + 1);
  curve.push_back(evaluate(params.data(), 0));
  const double initial = monitored(curve.front(), monitor);
  bool stopped = observer && !observer(curve.back());

  for (int epoch = 1; epoch <= tc.epochs && !stopped && n > 0; ++epoch) {
    if (!std::isfinite(initial)) break;
    shuffle(std::span(order), rng);
    for (Eigen::Index start = 0; start < n; start += batch) {
      const Eigen::Index b = std::min(batch, n - start);
      for (Eigen::Index k = 0; k < b; ++k) {
        batch_x.col(k) = data.train.x.col(order[static_cast<std::size_t>(start + k)]);
        batch_y.col(k) = data.train.y.col(order[static_cast<std::size_t>(start + k)]);
      }
      const auto x = batch_x.leftCols(b);
      net.forward(params.data(), x, ws);                        // forward
      net.loss_and_gradient(batch_y.leftCols(b), ws, b, true);  // loss
      net.backward(params.data(), x, ws, grad.data());          // backward
      net.add_penalty(params.data(), tc.regularization, tc.regularization_rate, grad.data());
      optimizer.step(params.data(), grad.data());  // update
    }
    curve.push_back(evaluate(params.data(), epoch));
    if (observer && !observer(curve.back())) stopped = true;
    const double loss = monitored(curve.back(), monitor);
    if (!std::isfinite(loss) || loss > config.convergence.divergence_factor * initial) break;
  }

  TrainResult result = summarize(curve, config.convergence, has_validation);
  result.stopped = stopped;
  result.curve = std::move(curve);
  result.parameters.assign(params.data(), params.data() + params.size());
  return result;
}

TrainResult summarize(std::span<const EpochMetrics> curve, const ConvergenceConfig& config,
                      bool has_validation) {
  TrainResult r;
  if (curve.empty()) return r;
  const Monitor monitor = resolve_monitor(config.monitor, has_validation);
  const auto loss = [&](std::size_t t) { return monitored(curve[t], monitor); };
  const std::size_t last = curve.size() - 1;
  r.initial = curve.front();
  r.final = curve.back();
  r.epochs_run = curve.back().epoch;

  // The best epoch by the selection loss: validation when it exists, never test.
  const auto selection = [&](const EpochMetrics& m) {
    return has_validation ? m.val_loss : m.train_loss;
  };
  r.best = curve.front();
  for (const EpochMetrics& m : curve)
    if (std::isfinite(selection(m)) && !(selection(m) >= selection(r.best))) r.best = m;

  // Diverged: a non-finite loss, or one above divergence_factor x the initial loss.
  const double initial = loss(0);
  for (std::size_t t = 0; t <= last; ++t) {
    if (!std::isfinite(loss(t)) || loss(t) > config.divergence_factor * initial) {
      r.status = Status::diverged;
      return r;
    }
  }
  // Converged: the loss settled, i.e. from some epoch on it stays within tolerance x (its total
  // improvement) of its final value, and stays there for at least the final window of epochs.
  // Measuring the band against the improvement, not the initial loss, keeps a network that
  // learns slowly (a tiny learning rate) from counting as settled at epoch 0. The rule reads a
  // centred moving average of the curve, so the epoch-to-epoch jitter of SGD on a loss that
  // has stopped falling is not mistaken for learning.
  const std::vector<double> smooth = smoothed(curve, monitor, config.smoothing);
  const double start = smooth.front();
  const double lowest = *std::min_element(smooth.begin(), smooth.end());
  const double band = config.tolerance * (start - lowest);
  std::size_t settled = last;
  while (settled > 0 && std::abs(smooth[settled - 1] - smooth[last]) <= band) --settled;
  const auto window =
      static_cast<std::size_t>(std::max(1.0, std::ceil(config.window * static_cast<double>(last))));
  if (start > lowest && last >= window && settled <= last - window) {
    r.status = Status::converged;
    r.epochs_to_converge = curve[settled].epoch;
  } else {
    r.status = Status::not_converged;
  }
  return r;
}

}  // namespace nn
