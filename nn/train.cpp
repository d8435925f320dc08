#include "nn/train.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <numeric>

#include "nn/lanes.h"
#include "nn/mlp.h"
#include "nn/optimizer.h"
#include "nn/random.h"

namespace nn {
namespace {

double monitored(const EpochMetrics& m, Monitor monitor) {
  return monitor == Monitor::val_loss ? m.val_loss : m.train_loss;
}

using LaneMetrics = std::array<EpochMetrics, kLanes>;

// Losses and accuracies of every lane's current parameters on every split. A split is run in
// blocks of samples, each copied into every lane as it is needed: memory stays bounded for any
// size of data (a split held in every lane at once would take kLanes times the dataset). A small
// split, one block of at most kHeldElements numbers, is copied once and held for every epoch.
class Evaluator {
 public:
  static constexpr Eigen::Index kBlock = 512, kHeldElements = 16384;

  Evaluator(const LaneNet& net, const Dataset& data)
      : net_(net),
        data_(data),
        block_(std::min(kBlock, std::max({data.train.size(), data.validation.size(),
                                          data.test.size(), Eigen::Index{1}}))),
        ws_(net.make_workspace(block_)),
        x_(kLanes, net.width(0) * block_),
        y_(kLanes, net.width(net.layers()) * block_) {
    const Split* splits[] = {&data.train, &data.validation, &data.test};
    for (std::size_t s = 0; s < held_.size(); ++s) {
      const Split& split = *splits[s];
      if (split.size() > 0 && split.size() <= block_ &&
          split.x.size() + split.y.size() <= kHeldElements)
        held_[s] = {broadcast(split.x), broadcast(split.y)};
    }
  }

  LaneMetrics operator()(const LaneMatrix& params, int epoch) {
    LaneMetrics m;
    const auto [train_loss, train_accuracy] = on(params, data_.train, held_[0]);
    const auto [val_loss, val_accuracy] = on(params, data_.validation, held_[1]);
    const auto [test_loss, test_accuracy] = on(params, data_.test, held_[2]);
    for (int l = 0; l < kLanes; ++l)
      m[l] = {epoch,           train_loss[l],   val_loss[l], test_loss[l], train_accuracy[l],
              val_accuracy[l], test_accuracy[l]};
    return m;
  }

 private:
  struct Held {
    LaneMatrix x, y;  // a whole split in every lane, or empty
  };

  std::pair<Lanes, Lanes> on(const LaneMatrix& params, const Split& split, const Held& held) {
    const Lanes none = Lanes::Constant(kNotApplicable);
    const Eigen::Index n = split.size();
    if (n == 0) return {none, none};
    Lanes loss = Lanes::Zero(), correct = Lanes::Zero();
    for (Eigen::Index start = 0; start < n; start += block_) {
      const Eigen::Index b = std::min(block_, n - start);
      const Eigen::Index inputs = split.x.rows(), outputs = split.y.rows();
      const bool whole = held.x.size() > 0;  // then start = 0 and b = n
      if (!whole) {
        for (Eigen::Index j = 0; j < b; ++j) {
          for (Eigen::Index i = 0; i < inputs; ++i)
            x_.col(j * inputs + i).setConstant(split.x(i, start + j));
          for (Eigen::Index i = 0; i < outputs; ++i)
            y_.col(j * outputs + i).setConstant(split.y(i, start + j));
        }
      }
      const LaneMatrix& x = whole ? held.x : x_;
      const LaneMatrix& y = whole ? held.y : y_;
      net_.forward(params, x, b, ws_);
      loss += net_.loss_sum(y, b, ws_);
      if (net_.task() != Task::regression) correct += net_.correct(y, b, ws_);
    }
    const double inv_n = 1.0 / static_cast<double>(n);
    return {loss * inv_n, net_.task() == Task::regression ? none : correct * inv_n};
  }

  const LaneNet& net_;
  const Dataset& data_;
  const Eigen::Index block_;  // kBlock, or the largest split when smaller
  LaneNet::Workspace ws_;
  LaneMatrix x_, y_;          // the block being evaluated, in every lane
  std::array<Held, 3> held_;  // train, validation, test
};

// Column row[l] of m into lane l of m.rows() consecutive lane elements at out: one sample of
// every lane's batch. Raw pointers and the lanes innermost (a fixed count) let the compiler
// unroll the copy; Eigen's indexed form of this loop keeps run-time row counts and a loop of
// its own per row, which for the one or two rows of a sample is mostly overhead.
// `out` never overlaps m (__restrict, a GCC and Clang extension): without it the compiler checks
// for overlap at run time on every call, a stall of its own for the one or two rows of a sample.
// The measurements are in bench/README.md ("Why the kernels are written as they are").
void gather(const Eigen::MatrixXd& m, const std::array<Eigen::Index, kLanes>& row,
            double* __restrict out) {
  const Eigen::Index rows = m.rows();
  std::array<const double*, kLanes> column;
  for (int l = 0; l < kLanes; ++l) column[l] = m.data() + row[l] * rows;
  for (Eigen::Index i = 0; i < rows; ++i)
    for (int l = 0; l < kLanes; ++l) out[kLanes * i + l] = column[l][i];
}

}  // namespace

Monitor resolve_monitor(Monitor monitor, bool has_validation) {
  if (monitor != Monitor::automatic) return monitor;
  return has_validation ? Monitor::val_loss : Monitor::train_loss;
}

TrainResult train(const TrialConfig& config, const Dataset& data, std::uint64_t seed,
                  const EpochObserver& observer) {
  const TrainJob job{&config, seed, observer};
  return std::move(train_pack(std::span(&job, 1), data).front());
}

bool can_share_pack(const TrialConfig& a, const TrialConfig& b) {
  const bool leaky = a.model.activation == Activation::leaky_relu;
  return a.model.hidden == b.model.hidden && a.model.activation == b.model.activation &&
         a.model.loss == b.model.loss &&
         (!leaky || a.model.leaky_relu_slope == b.model.leaky_relu_slope) &&
         a.train.batch_size == b.train.batch_size && a.train.optimizer == b.train.optimizer &&
         a.train.regularization == b.train.regularization;
}

std::vector<TrainResult> train_pack(std::span<const TrainJob> jobs, const Dataset& data) {
  assert(!jobs.empty() && jobs.size() <= static_cast<std::size_t>(kLanes));
  const int used = static_cast<int>(jobs.size());
  // Lanes past the jobs repeat the last one, frozen (step size 0) and never reported.
  std::array<const TrainJob*, kLanes> job;
  std::array<const TrainConfig*, kLanes> train_configs;
  for (int l = 0; l < kLanes; ++l) {
    job[l] = &jobs[static_cast<std::size_t>(std::min(l, used - 1))];
    train_configs[l] = &job[l]->config->train;
  }
  const TrialConfig& first = *job[0]->config;
  for (int l = 1; l < used; ++l) assert(can_share_pack(first, *job[l]->config));
  const Regularization reg = first.train.regularization;
  const Mlp shape(data.inputs(), first.model.hidden, data.outputs(), first.model.activation,
                  first.model.leaky_relu_slope, data.task, first.model.loss);
  const LaneNet& net = shape.lanes();

  struct Lane {
    Rng rng{0};
    std::vector<Eigen::Index> order;
    std::vector<EpochMetrics> curve;
    std::vector<double> parameters;  // when it stopped training
    Monitor monitor = Monitor::train_loss;
    bool reshuffle = true;  // every epoch, or only before the first
    double initial = 0;
    bool active = false, stopped = false;
  };
  const Eigen::Index n = data.train.size();
  const bool has_validation = data.validation.size() > 0;
  const double baseline = baseline_loss(data, first.model.loss);
  std::array<Lane, kLanes> lanes;
  LaneMatrix params(kLanes, net.parameter_count()), grad(kLanes, net.parameter_count());
  Lanes rate = Lanes::Zero(), penalty_rate = Lanes::Zero();
  for (int l = 0; l < kLanes; ++l) {
    const TrialConfig& c = *job[l]->config;
    Lane& lane = lanes[l];
    lane.rng = Rng(job[l]->seed);
    params.row(l) = shape.initial_parameters(c.model.init, lane.rng).transpose();
    lane.order.resize(static_cast<std::size_t>(n));
    std::iota(lane.order.begin(), lane.order.end(), Eigen::Index{0});
    lane.curve.reserve(static_cast<std::size_t>(c.train.epochs) + 1);
    lane.monitor = resolve_monitor(c.convergence.monitor, has_validation);
    lane.reshuffle = c.train.shuffle == Shuffle::every_epoch;
    penalty_rate[l] =
        c.train.regularization == Regularization::none ? 0.0 : c.train.regularization_rate;
  }
  OptimizerState optimizer(train_configs, net.parameter_count());

  const Eigen::Index batch =
      std::min<Eigen::Index>(first.train.batch_size, std::max<Eigen::Index>(n, 1));
  LaneNet::Workspace ws = net.make_workspace(batch);
  LaneMatrix batch_x(kLanes, data.inputs() * batch), batch_y(kLanes, data.outputs() * batch);
  Evaluator evaluate(net, data);
  const Shuffler shuffle_order(static_cast<std::size_t>(n));

  // Records a lane's metrics after `epoch`; decides whether it trains on.
  const auto record = [&](int l, const EpochMetrics& m, int epoch) {
    Lane& lane = lanes[l];
    const TrialConfig& c = *job[l]->config;
    lane.curve.push_back(m);
    if (job[l]->observer && !job[l]->observer(m)) lane.stopped = true;
    const double loss = monitored(m, lane.monitor);
    if (epoch == 0) lane.initial = loss;
    const bool diverged = !std::isfinite(loss) || loss > kStopFactor * lane.initial;
    lane.active = !lane.stopped && !diverged && epoch < c.train.epochs && n > 0;
    rate[l] = lane.active ? c.train.learning_rate : 0.0;
    if (!lane.active) {
      // Kept now: a frozen lane still takes steps of size 0, and 0 x an infinite gradient
      // would turn a diverged network's last parameters into NaN.
      lane.parameters.resize(static_cast<std::size_t>(net.parameter_count()));
      Eigen::Map<Eigen::RowVectorXd>(lane.parameters.data(), net.parameter_count()) = params.row(l);
    }
  };
  const LaneMetrics initial = evaluate(params, 0);
  for (int l = 0; l < used; ++l) record(l, initial[l], 0);

  for (int epoch = 1;
       std::any_of(lanes.begin(), lanes.end(), [](const Lane& lane) { return lane.active; });
       ++epoch) {
    for (Lane& lane : lanes)
      if (lane.active && (lane.reshuffle || epoch == 1))
        shuffle_order(std::span(lane.order), lane.rng);
    for (Eigen::Index start = 0; start < n; start += batch) {
      const Eigen::Index b = std::min(batch, n - start);
      for (Eigen::Index k = 0; k < b; ++k) {
        std::array<Eigen::Index, kLanes> row;
        for (int l = 0; l < kLanes; ++l)
          row[l] = lanes[l].order[static_cast<std::size_t>(start + k)];
        gather(data.train.x, row, batch_x.data() + kLanes * k * data.inputs());
        gather(data.train.y, row, batch_y.data() + kLanes * k * data.outputs());
      }
      net.forward(params, batch_x, b, ws);         // forward
      net.loss_gradient(batch_y, b, ws);           // loss
      net.backward(params, batch_x, b, ws, grad);  // backward
      net.add_penalty(params, reg, penalty_rate, grad);
      optimizer.step(params, grad, rate);  // update
    }
    const LaneMetrics m = evaluate(params, epoch);
    for (int l = 0; l < used; ++l)
      if (lanes[l].active) record(l, m[l], epoch);
  }

  std::vector<TrainResult> results;
  for (int l = 0; l < used; ++l) {
    Lane& lane = lanes[l];
    TrainResult result =
        summarize(lane.curve, job[l]->config->convergence, has_validation, baseline);
    result.stopped = lane.stopped;
    result.curve = std::move(lane.curve);
    result.parameters = std::move(lane.parameters);
    results.push_back(std::move(result));
  }
  return results;
}

TrainResult summarize(std::span<const EpochMetrics> curve, const ConvergenceConfig& config,
                      bool has_validation, double baseline_loss) {
  TrainResult r;
  r.baseline_loss = baseline_loss;
  if (curve.empty()) return r;
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
  r.verdict = judge(curve, config, baseline_loss, has_validation);
  return r;
}

}  // namespace nn
