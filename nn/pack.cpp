#include "nn/pack.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>
#include <numeric>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace nn {

// Losses and accuracies of every lane's current parameters on every split. A split is run in
// blocks of samples, each copied into every lane as it is needed: memory stays bounded for any
// size of data (a split held in every lane at once would take kLanes times the dataset). A small
// split, one block of at most kHeldElements numbers, is copied once and held for every epoch.
// The losses are summed in T, the means and accuracies taken in double (see Scores).
//
// The blocks of all splits are independent until their sums are added, so they are offered to
// oneTBB's idle threads (a sweep's last packs, or one training on large data, would otherwise
// leave cores idle while it evaluates). Each block's loss sum and class counts are kept apart
// and added in block order afterwards: the same additions in the same order as one thread
// summing block after block, so the bits do not depend on which thread ran which block.
template <typename T>
class PackOf<T>::Evaluator {
 public:
  static constexpr Eigen::Index kBlock = 512, kHeldElements = 16384;
  // The multiply-adds per lane of one evaluation from which its blocks are offered to other
  // threads: below, taking a block costs a thread more than the block (a small network on a few
  // hundred samples, as most sweeps of the built-in datasets are, made a 2-thread run 2% slower).
  static constexpr Eigen::Index kWorthSharing = Eigen::Index{1} << 20;
  using Metrics = std::array<EpochMetrics, kLanes>;

  Evaluator(const LaneNetOf<T>& net, const Dataset& data)
      : net_(net),
        data_(data),
        block_(std::min(kBlock, std::max({data.train.size(), data.validation.size(),
                                          data.test.size(), Eigen::Index{1}}))),
        own_(net, block_),
        shape_(own_.shape()),
        counts_(net.empty_confusion()) {
    for (std::size_t s = 0; s < held_.size(); ++s) {
      const Split& whole = split(s);
      if (whole.size() > 0 && whole.size() <= block_ &&
          whole.x.size() + whole.y.size() <= kHeldElements)
        held_[s] = {broadcast<T>(whole.x), broadcast<T>(whole.y)};
      for (Eigen::Index start = 0; start < whole.size(); start += block_)
        blocks_.push_back({s, start, std::min(block_, whole.size() - start)});
    }
    for (Block& block : blocks_) {
      block.counts = net.empty_confusion();
      work_ += block.b * net.parameter_count();
    }
  }

  Metrics operator()(const LaneMatrix& params, int epoch) {
    const std::thread::id caller = std::this_thread::get_id();
    const auto evaluate = [&](const tbb::blocked_range<std::size_t>& range) {
      Scratch& scratch = std::this_thread::get_id() == caller ? own_ : helper_scratch();
      for (std::size_t k = range.begin(); k != range.end(); ++k) run(params, blocks_[k], scratch);
    };
    const tbb::blocked_range<std::size_t> all(0, blocks_.size(), 1);
    if (blocks_.size() > 1 && work_ >= kWorthSharing)  // the waiting thread takes these only
      tbb::this_task_arena::isolate([&] { tbb::parallel_for(all, evaluate); });
    else
      evaluate(all);
    Metrics m;
    const Scores train = scores(0), val = scores(1), test = scores(2);
    for (int l = 0; l < kLanes; ++l)
      m[l] = {epoch,
              train.loss[l],
              val.loss[l],
              test.loss[l],
              train.accuracy[l],
              val.accuracy[l],
              test.accuracy[l],
              train.balanced_accuracy[l],
              val.balanced_accuracy[l],
              test.balanced_accuracy[l],
              train.macro_f1[l],
              val.macro_f1[l],
              test.macro_f1[l]};
    return m;
  }

 private:
  struct Held {
    LaneMatrix x, y;  // a whole split in every lane, or empty
  };
  // Samples [start, start + b) of split `split` (0 train, 1 validation, 2 test), and what the
  // last evaluation found on them.
  struct Block {
    std::size_t split;
    Eigen::Index start, b;
    Lanes loss = Lanes::Zero();
    typename LaneNetOf<T>::Confusion counts;
  };
  // What a thread evaluates a block with.
  struct Scratch {
    Scratch(const LaneNetOf<T>& net, Eigen::Index block)
        : ws(net.make_workspace(block)),
          x(kLanes, net.width(0) * block),
          y(kLanes, net.width(net.layers()) * block) {}
    typename LaneNetOf<T>::Workspace ws;
    LaneMatrix x, y;  // the block being evaluated, in every lane
    // The sizes of its matrices: a scratch serves any evaluator whose own scratch has them (a
    // forward pass packs its weights anew each call, so nothing else carries over).
    std::vector<Eigen::Index> shape() const {
      std::vector<Eigen::Index> sizes{ws.capacity,      x.cols(),         y.cols(),
                                      ws.panels.cols(), ws.before.cols(), ws.each.cols()};
      for (const LaneMatrix& m : ws.out) sizes.push_back(m.cols());
      for (const LaneMatrix& m : ws.delta) sizes.push_back(m.cols());
      return sizes;
    }
  };
  // Every lane's metrics on one split, in double whatever T: a float32 training's sum of
  // losses is divided by the samples in double, and its accuracies are exact counts' ratios.
  using Doubles = Eigen::Array<double, kLanes, 1>;
  struct Scores {
    Doubles loss, accuracy, balanced_accuracy, macro_f1;
  };

  // The scratch another thread evaluates this one's blocks with: one per thread, kept while it
  // helps evaluations of the same shape (a sweep's packs mostly share one) and made again for
  // another. One per evaluation and helper would grow with the square of the threads on a
  // machine of many cores.
  Scratch& helper_scratch() const {
    struct Kept {
      std::vector<Eigen::Index> shape;
      std::unique_ptr<Scratch> scratch;
    };
    static thread_local Kept kept;
    if (!kept.scratch || kept.shape != shape_) {
      kept.scratch.reset();  // first: the old one's memory is free before the new one's is taken
      kept.scratch = std::make_unique<Scratch>(net_, block_);
      kept.shape = shape_;
    }
    return *kept.scratch;
  }

  const Split& split(std::size_t s) const {
    return s == 0 ? data_.train : s == 1 ? data_.validation : data_.test;
  }

  void run(const LaneMatrix& params, Block& block, Scratch& scratch) const {
    const Held& held = held_[block.split];
    const bool whole = held.x.size() > 0;  // then start = 0 and b = the split's size
    if (!whole) copy_block(split(block.split), block.start, block.b, scratch);
    const LaneMatrix& x = whole ? held.x : scratch.x;
    const LaneMatrix& y = whole ? held.y : scratch.y;
    net_.forward(params, x, block.b, scratch.ws);
    block.loss = net_.loss_sum(y, block.b, scratch.ws);
    if (net_.task() == Task::regression) return;
    clear(block.counts);
    net_.tally(y, block.b, scratch.ws, block.counts);
  }

  // The blocks of split s added up in order.
  Scores scores(std::size_t s) {
    const Doubles none = Doubles::Constant(kNotApplicable);
    const Eigen::Index n = split(s).size();
    if (n == 0) return {none, none, none, none};
    const bool classes = net_.task() != Task::regression;
    Lanes loss = Lanes::Zero();
    typename LaneNetOf<T>::Confusion& counts = counts_;
    clear(counts);
    for (const Block& block : blocks_) {
      if (block.split != s) continue;
      loss += block.loss;
      if (!classes) continue;
      counts.hits += block.counts.hits;  // whole numbers: exact in any order
      counts.predicted += block.counts.predicted;
      counts.actual += block.counts.actual;
    }
    const double inv_n = 1.0 / static_cast<double>(n);
    Scores scores{loss.template cast<double>() * inv_n, none, none, none};
    if (!classes) return scores;
    // Whole numbers: the sum over the classes is the count of right answers, exactly.
    scores.accuracy = counts.hits.colwise().sum().transpose() * inv_n;
    for (int l = 0; l < kLanes; ++l) {
      const auto column = [&](const Eigen::ArrayXXd& a) {
        return std::span<const double>(a.col(l).data(), static_cast<std::size_t>(a.rows()));
      };
      const ClassScores c =
          class_scores(column(counts.hits), column(counts.predicted), column(counts.actual));
      scores.balanced_accuracy[l] = c.balanced_accuracy;
      scores.macro_f1[l] = c.macro_f1;
    }
    return scores;
  }

  static void clear(typename LaneNetOf<T>::Confusion& counts) {
    for (Eigen::ArrayXXd* a : {&counts.hits, &counts.predicted, &counts.actual}) a->setZero();
  }

  // Samples [start, start + b) of the split into every lane of the scratch's x and y.
  static void copy_block(const Split& split, Eigen::Index start, Eigen::Index b, Scratch& scratch) {
    const Eigen::Index inputs = split.x.rows(), outputs = split.y.rows();
    for (Eigen::Index j = 0; j < b; ++j) {
      for (Eigen::Index i = 0; i < inputs; ++i)
        scratch.x.col(j * inputs + i).setConstant(split.x(i, start + j));
      for (Eigen::Index i = 0; i < outputs; ++i)
        scratch.y.col(j * outputs + i).setConstant(split.y(i, start + j));
    }
  }

  const LaneNetOf<T>& net_;
  const Dataset& data_;
  const Eigen::Index block_;   // kBlock, or the largest split when smaller
  std::array<Held, 3> held_;   // train, validation, test
  std::vector<Block> blocks_;  // of the train, validation and test splits, in order
  Eigen::Index work_ = 0;      // multiply-adds per lane of the blocks' forward passes, about
  Scratch own_;                // the calling thread's
  const std::vector<Eigen::Index> shape_;    // own_.shape(), for helper_scratch()
  typename LaneNetOf<T>::Confusion counts_;  // of the split being summed
};

namespace {

double monitored(const EpochMetrics& m, Monitor monitor) {
  return monitor == Monitor::val_loss ? m.val_loss : m.train_loss;
}

// Column row[l] of m into lane l of m.rows() consecutive lane elements at out: one sample of
// every lane's batch. Raw pointers and the lanes innermost (a fixed count) let the compiler
// unroll the copy; Eigen's indexed form of this loop keeps run-time row counts and a loop of
// its own per row, which for the one or two rows of a sample is mostly overhead.
// `out` never overlaps m (__restrict, a GCC and Clang extension): without it the compiler checks
// for overlap at run time on every call, a stall of its own for the one or two rows of a sample.
// The measurements are in bench/README.md ("Why the kernels are written as they are").
template <typename T>
void gather(const Eigen::MatrixXd& m, const std::array<Eigen::Index, kLanesOf<T>>& row,
            T* __restrict out) {
  constexpr int kLanes = kLanesOf<T>;
  const Eigen::Index rows = m.rows();
  std::array<const double*, kLanes> column;
  for (int l = 0; l < kLanes; ++l) column[l] = m.data() + row[l] * rows;
  for (Eigen::Index i = 0; i < rows; ++i)
    for (int l = 0; l < kLanes; ++l) out[kLanes * i + l] = static_cast<T>(column[l][i]);
}

// Lane l trains jobs[l], or repeats the last job when there are fewer jobs than lanes.
template <int kCapacity>
std::array<const TrainJob*, kCapacity> lane_jobs(std::span<const TrainJob> jobs) {
  assert(!jobs.empty() && jobs.size() <= static_cast<std::size_t>(kCapacity));
  std::array<const TrainJob*, kCapacity> job;
  for (std::size_t l = 0; l < job.size(); ++l) job[l] = &jobs[std::min(l, jobs.size() - 1)];
  return job;
}

template <std::size_t kLanes>
std::array<const TrainConfig*, kLanes> train_configs(
    const std::array<const TrainJob*, kLanes>& job) {
  std::array<const TrainConfig*, kLanes> configs;
  for (std::size_t l = 0; l < kLanes; ++l) configs[l] = &job[l]->config->train;
  return configs;
}

Mlp shape_of(const TrialConfig& c, const Dataset& data) {
  return {data.inputs(),      c.model.hidden,           data.outputs(),
          c.model.activation, c.model.leaky_relu_slope, data.task,
          c.model.loss};
}

// The pack's network: each lane with its job's activation (nn/lane_activation.cpp).
template <typename T, std::size_t kLanes>
LaneNetOf<T> lane_net(const Dataset& data, const std::array<const TrainJob*, kLanes>& job) {
  const ModelConfig& m = job[0]->config->model;
  LaneNetOf<T> net(data.inputs(), m.hidden, data.outputs(), m.activation, m.leaky_relu_slope,
                   data.task, m.loss);
  std::array<Activation, kLanes> activations;
  std::array<double, kLanes> slopes;
  for (std::size_t l = 0; l < kLanes; ++l) {
    activations[l] = job[l]->config->model.activation;
    slopes[l] = job[l]->config->model.leaky_relu_slope;
  }
  net.use_lane_activations(activations, slopes);
  return net;
}

}  // namespace

bool can_share_pack(const TrialConfig& a, const TrialConfig& b) {
  return a.model.hidden == b.model.hidden && a.model.loss == b.model.loss &&
         a.train.batch_size == b.train.batch_size &&
         a.train.regularization == b.train.regularization && a.train.precision == b.train.precision;
}

template <typename T>
PackOf<T>::PackOf(std::span<const TrainJob> jobs, const Dataset& data)
    : job_(lane_jobs<kCapacity>(jobs)),
      used_(static_cast<int>(jobs.size())),
      data_(data),
      shape_(shape_of(*job_[0]->config, data)),
      net_(lane_net<T>(data, job_)),
      n_(data.train.size()),
      has_validation_(data.validation.size() > 0),
      batch_(
          std::min<Eigen::Index>(job_[0]->config->train.batch_size, std::max<Eigen::Index>(n_, 1))),
      params_(kLanes, net_.parameter_count()),
      grad_(kLanes, net_.parameter_count()),
      optimizer_(train_configs(job_), net_.parameter_count()),
      ws_(net_.make_workspace(batch_)),
      batch_x_(kLanes, data.inputs() * batch_),
      batch_y_(kLanes, data.outputs() * batch_),
      evaluate_(std::make_unique<Evaluator>(net_, data)),
      shuffle_order_(static_cast<std::size_t>(n_)) {
  for (int l = 1; l < used_; ++l) assert(can_share_pack(*job_[0]->config, *job_[l]->config));
  for (int l = 0; l < kLanes; ++l) start(l);
  if (std::any_of(lanes_.begin(), lanes_.end(), [](const Lane& lane) { return lane.balanced; })) {
    balanced_weight_ = sample_weights(data, ClassWeight::balanced);
    batch_w_.resize(kLanes, batch_);
  }
}

template <typename T>
PackOf<T>::~PackOf() = default;

// Lane l's initial parameters, sample order and settings.
template <typename T>
void PackOf<T>::start(int l) {
  const TrialConfig& c = *job_[l]->config;
  Lane& lane = lanes_[l];
  lane.rng = Rng(job_[l]->seed);
  // Its own activation's initialisation (automatic: He or Glorot by activation).
  params_.row(l) =
      shape_of(c, data_).initial_parameters(c.model.init, lane.rng).transpose().template cast<T>();
  lane.order.resize(static_cast<std::size_t>(n_));
  std::iota(lane.order.begin(), lane.order.end(), Eigen::Index{0});
  lane.curve.reserve(static_cast<std::size_t>(c.train.epochs) + 1);
  lane.monitor = resolve_monitor(c.convergence.monitor, has_validation_);
  lane.reshuffle = c.train.shuffle == Shuffle::every_epoch;
  lane.balanced = c.train.class_weight == ClassWeight::balanced && data_.task != Task::regression;
  penalty_rate_[l] = static_cast<T>(
      c.train.regularization == Regularization::none ? 0.0 : c.train.regularization_rate);
  lane.early = EarlyStopping(c.train);
  lane.snapshot_epochs = job_[l]->snapshot_epochs;
  std::sort(lane.snapshot_epochs.begin(), lane.snapshot_epochs.end());
  lane.snapshot_epochs.erase(std::unique(lane.snapshot_epochs.begin(), lane.snapshot_epochs.end()),
                             lane.snapshot_epochs.end());
}

template <typename T>
std::vector<TrainResult> PackOf<T>::run() {
  const typename Evaluator::Metrics initial = (*evaluate_)(params_, 0);
  for (int l = 0; l < used_; ++l) record(l, initial[l]);
  for (int epoch = 1; any_active(); ++epoch) {
    run_epoch(epoch);
    const typename Evaluator::Metrics m = (*evaluate_)(params_, epoch);
    for (int l = 0; l < used_; ++l)
      if (lanes_[l].active) record(l, m[l]);
  }

  const double baseline = baseline_loss(data_, job_[0]->config->model.loss);
  std::vector<TrainResult> results;
  for (int l = 0; l < used_; ++l) {
    Lane& lane = lanes_[l];
    TrainResult result =
        summarize(lane.curve, job_[l]->config->convergence, has_validation_, baseline,
                  is_penalised(job_[l]->config->train), lane.stopped_epoch);
    result.stopped = lane.stopped;
    result.best_parameters = std::move(lane.best_parameters);
    result.curve = std::move(lane.curve);
    result.parameters = std::move(lane.parameters);
    result.snapshots = std::move(lane.snapshots);
    results.push_back(std::move(result));
  }
  return results;
}

// Records lane l's metrics after epoch m.epoch; decides whether it trains on.
template <typename T>
void PackOf<T>::record(int l, const EpochMetrics& m) {
  Lane& lane = lanes_[l];
  const TrainJob& job = *job_[l];
  lane.curve.push_back(m);
  // Negative epochs are never reached: skip them.
  while (lane.next_snapshot < lane.snapshot_epochs.size() &&
         lane.snapshot_epochs[lane.next_snapshot] < m.epoch)
    ++lane.next_snapshot;
  if (lane.next_snapshot < lane.snapshot_epochs.size() &&
      lane.snapshot_epochs[lane.next_snapshot] == m.epoch)
    lane.snapshots.emplace_back(m.epoch, lane_parameters(l));
  if (job.observer && !job.observer(m)) lane.stopped = true;
  const double loss = monitored(m, lane.monitor);
  if (m.epoch == 0) lane.initial = loss;
  const bool diverged = !std::isfinite(loss) || loss > kStopFactor * lane.initial;
  const bool budget_left = m.epoch < job.config->train.epochs && n_ > 0;
  const bool early = stops_early(l, m) && !diverged && budget_left;
  if (early) lane.stopped_epoch = m.epoch;
  lane.active = !lane.stopped && !diverged && !early && budget_left;
  rate_[l] = static_cast<T>(lane.active ? job.config->train.learning_rate : 0.0);
  if (!lane.active) {
    // Kept now: a frozen lane still takes steps of size 0, and 0 x an infinite gradient
    // would turn a diverged network's last parameters into NaN.
    lane.parameters = lane_parameters(l);
  }
}

// Early stopping: keeps the parameters of the best epoch as summarize() picks it (the first
// epoch of the lowest finite selection loss, else epoch 0), so a saved model can hold them.
template <typename T>
void PackOf<T>::keep_best(int l, const EpochMetrics& m) {
  Lane& lane = lanes_[l];
  const double loss = has_validation_ ? m.val_loss : m.train_loss;
  if (m.epoch > 0 && !(std::isfinite(loss) && !(loss >= lane.best_loss))) return;
  lane.best_loss = loss;
  lane.best_parameters.resize(static_cast<std::size_t>(net_.parameter_count()));
  Eigen::Map<Eigen::RowVectorXd>(lane.best_parameters.data(), net_.parameter_count()) =
      params_.row(l).template cast<double>();
}

// Whether early stopping ends lane l's training after epoch m.epoch (never when it is off).
template <typename T>
bool PackOf<T>::stops_early(int l, const EpochMetrics& m) {
  Lane& lane = lanes_[l];
  if (!lane.early.enabled()) return false;
  keep_best(l, m);
  return lane.early.stop_after(has_validation_ ? m.val_loss : m.train_loss);
}

template <typename T>
std::vector<double> PackOf<T>::lane_parameters(int l) const {
  std::vector<double> p(static_cast<std::size_t>(net_.parameter_count()));
  Eigen::Map<Eigen::RowVectorXd>(p.data(), net_.parameter_count()) =
      params_.row(l).template cast<double>();
  return p;
}

template <typename T>
bool PackOf<T>::any_active() const {
  return std::any_of(lanes_.begin(), lanes_.end(), [](const Lane& lane) { return lane.active; });
}

template <typename T>
void PackOf<T>::run_epoch(int epoch) {
  for (Lane& lane : lanes_)
    if (lane.active && (lane.reshuffle || epoch == 1))
      shuffle_order_(std::span(lane.order), lane.rng);
  for (Eigen::Index start = 0; start < n_; start += batch_)
    step(start, std::min(batch_, n_ - start));
}

template <typename T>
void PackOf<T>::step(Eigen::Index start, Eigen::Index b) {
  for (Eigen::Index k = 0; k < b; ++k) {
    std::array<Eigen::Index, kLanes> row;
    for (int l = 0; l < kLanes; ++l) row[l] = lanes_[l].order[static_cast<std::size_t>(start + k)];
    gather(data_.train.x, row, batch_x_.data() + kLanes * k * data_.inputs());
    gather(data_.train.y, row, batch_y_.data() + kLanes * k * data_.outputs());
    if (batch_w_.size() > 0)
      for (int l = 0; l < kLanes; ++l)
        batch_w_(l, k) = static_cast<T>(
            lanes_[l].balanced ? balanced_weight_[static_cast<std::size_t>(row[l])] : 1.0);
  }
  net_.forward(params_, batch_x_, b, ws_);  // forward
  net_.loss_gradient(batch_y_, b, ws_);     // loss
  if (batch_w_.size() > 0) net_.weight_samples(batch_w_, b, ws_);
  net_.backward(params_, batch_x_, b, ws_, grad_);  // backward
  net_.add_penalty(params_, job_[0]->config->train.regularization, penalty_rate_, grad_);
  optimizer_.step(params_, grad_, rate_);  // update
}

template class PackOf<double>;
template class PackOf<float>;

}  // namespace nn
