// A pack: up to Pack::kCapacity trainings on one dataset run side by side, one per lane of a
// LaneNet (nn/lanes.h), with one pass over the data per epoch for all of them. The trainings of
// a pack share the hidden layers, the loss, the batch size and the kind of penalty
// (can_share_pack()); learning rates, seeds, initialisation, the activation, the optimizer and
// its rates, the penalty's rate, epoch budgets and convergence settings are per lane. Lanes never
// mix, so a training's result is the same bits whichever trainings (if any) share its pack; class
// weights are per lane too, one weight per sample of each lane's batch. Lanes past the trainings
// repeat the last one, frozen (step size 0), and are never reported. Callers outside nn/ use
// train_jobs() (nn/train.h), which forms the packs.
//
// Optimizers and activations may differ (each lane keeps its own kind's step, nn/optimizer.h,
// and its own activation's numbers, nn/lane_activation.cpp) because sweeps over them are common
// and their trainings would otherwise run alone, three lanes of four idle; layer sizes and batch
// sizes may not: a lane holds one element of every network, and a
// padded layer or a zero term is not neutral for -0, inf and NaN, nor is a step count shared.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/early_stopping.h"
#include "nn/lanes.h"
#include "nn/mlp.h"
#include "nn/optimizer.h"
#include "nn/random.h"
#include "nn/train.h"

namespace nn {

// Whether two trainings on one dataset can share a pack.
bool can_share_pack(const TrialConfig& a, const TrialConfig& b);

// T: the numbers of train.precision, double (float64) or float (float32, twice the lanes).
template <typename T>
class PackOf {
 public:
  static constexpr int kLanes = kLanesOf<T>;
  static constexpr int kCapacity = kLanes;
  using Lanes = LanesOf<T>;
  using LaneMatrix = LaneMatrixOf<T>;

  // REQUIRES 1..kCapacity jobs whose configs can share a pack with the first; `jobs` and
  // `data` outlive the pack.
  PackOf(std::span<const TrainJob> jobs, const Dataset& data);
  ~PackOf();

  // Trains every job to its budget (or until it diverges or its observer stops it); results[i]
  // is train(*jobs[i].config, data, jobs[i].seed, jobs[i].observer), bit for bit. Observers
  // are called after each epoch in job order. Call once.
  std::vector<TrainResult> run();

 private:
  struct Lane {
    Rng rng{0};
    std::vector<Eigen::Index> order;  // of the training samples, shuffled
    std::vector<EpochMetrics> curve;
    std::vector<double> parameters;    // when it stopped training
    std::vector<int> snapshot_epochs;  // the job's, sorted, repeats removed
    std::size_t next_snapshot = 0;     // the first of them not reached yet
    std::vector<std::pair<int, std::vector<double>>> snapshots;
    EarlyStopping early;                  // train.early_stopping
    std::optional<int> stopped_epoch;     // where early stopping ended it, before its budget
    double best_loss = 0;                 // with early stopping: the best selection loss so far,
    std::vector<double> best_parameters;  // and the parameters after its epoch
    Monitor monitor = Monitor::train_loss;
    bool reshuffle = true;  // every epoch, or only before the first
    bool balanced = false;  // train.class_weight balanced: its samples weighted by class
    double initial = 0;     // the monitored loss at epoch 0
    bool active = false, stopped = false;
  };
  class Evaluator;

  void start(int l);
  void record(int l, const EpochMetrics& m);
  std::vector<double> lane_parameters(int l) const;
  void keep_best(int l, const EpochMetrics& m);
  bool stops_early(int l, const EpochMetrics& m);
  bool any_active() const;
  void run_epoch(int epoch);
  void step(Eigen::Index start, Eigen::Index b);  // one mini-batch of every lane

  std::array<const TrainJob*, kCapacity> job_;
  const int used_;  // lanes with a job of their own
  const Dataset& data_;
  const Mlp shape_;
  const LaneNetOf<T> net_;  // shape_'s, with each lane's activation
  const Eigen::Index n_;    // training samples
  const bool has_validation_;
  const Eigen::Index batch_;
  std::array<Lane, kCapacity> lanes_;
  LaneMatrix params_, grad_;
  Lanes rate_ = Lanes::Zero(), penalty_rate_ = Lanes::Zero();
  OptimizerStateOf<T> optimizer_;
  typename LaneNetOf<T>::Workspace ws_;
  LaneMatrix batch_x_, batch_y_;
  // train.class_weight balanced in any lane: each training sample's weight (sample_weights), and
  // every lane's weights of the batch (1 in a lane without class weights); else both empty.
  std::vector<double> balanced_weight_;
  LaneMatrix batch_w_;
  std::unique_ptr<Evaluator> evaluate_;
  const Shuffler shuffle_order_;
};

using Pack = PackOf<double>;
extern template class PackOf<double>;
extern template class PackOf<float>;

}  // namespace nn
