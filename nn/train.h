// Training one network: mini-batch gradient descent with per-epoch metrics, and the verdict on
// the resulting loss curve (nn/outcome.h).
// train() is deterministic in (config, data, seed) and trains on the calling thread: callers
// parallelise across trainings; inside one, only the evaluation of large splits hands its blocks
// to oneTBB's idle threads, with the same bits on any number of threads (nn/pack.cpp).
// train_jobs() trains several, similar ones side by side in vector lanes. A diverging network is
// a result, never an exception.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "nn/config.h"
#include "nn/dataset.h"
#include "nn/outcome.h"

namespace nn {

inline constexpr double kNotApplicable = std::numeric_limits<double>::quiet_NaN();

// Metrics after `epoch` epochs (0 = before training). Losses are data losses (the penalty of
// regularisation is not included) and unweighted (train.class_weight scales the gradient, never
// the loss reported); NaN marks what does not apply (no validation split, no accuracy for
// regression). The balanced accuracy and macro F1 are class_scores() of the split.
struct EpochMetrics {
  int epoch = 0;
  double train_loss = kNotApplicable;
  double val_loss = kNotApplicable;
  double test_loss = kNotApplicable;
  double train_accuracy = kNotApplicable;
  double val_accuracy = kNotApplicable;
  double test_accuracy = kNotApplicable;
  double train_balanced_accuracy = kNotApplicable;
  double val_balanced_accuracy = kNotApplicable;
  double test_balanced_accuracy = kNotApplicable;
  double train_macro_f1 = kNotApplicable;
  double val_macro_f1 = kNotApplicable;
  double test_macro_f1 = kNotApplicable;
};

// Scores of a classifier on a split, from its per-class counts: hits[c] samples of class c
// predicted c, predicted[c] samples predicted c, actual[c] samples of class c.
//   balanced accuracy: the mean over the classes with samples of the recall hits / actual
//   macro F1: the mean over the classes with samples or predictions of 2 hits / (actual +
//             predicted); a class predicted but absent, or present but never predicted, has F1 0
// Counts are whole numbers and the sums run in class order: equal counts give equal bits.
// NaN for both when there are no samples.
struct ClassScores {
  double balanced_accuracy = kNotApplicable;
  double macro_f1 = kNotApplicable;
};
ClassScores class_scores(std::span<const double> hits, std::span<const double> predicted,
                         std::span<const double> actual);

// The class of each sample of a classification split: its 0/1 label (two classes) or the first
// largest entry of its one-hot column (more).
std::vector<int> class_labels(const Split& split, Task task);

// Each training sample's weight under `weighting`: empty for none (every sample counts once);
// balanced: n / (K n_c) for a sample of class c, n_c the class's training samples, n their total
// and K the classes present in the training split, so the weights average to 1. REQUIRES a
// classification dataset for balanced.
std::vector<double> sample_weights(const Dataset& data, ClassWeight weighting);

struct TrainResult {
  Verdict verdict;           // outcome, reason, epochs_to_target
  double baseline_loss = 0;  // the no-skill loss of the training split (nn/outcome.h)
  int epochs_run = 0;        // fewer than asked when the loss blew up or it was stopped
  bool stopped = false;      // the observer asked to stop
  EpochMetrics initial;      // epoch 0
  EpochMetrics final;        // the last epoch run
  EpochMetrics best;  // the epoch with the lowest selection loss (val when present, else train)
  std::vector<EpochMetrics> curve;  // epochs 0..epochs_run
  std::vector<double> parameters;   // the trained flat parameter vector (see nn/mlp.h)
  // train.early_stopping: the epoch it stopped at, when that came before its budget (then
  // epochs_run), and the parameters after the best epoch (`best`), kept as training went.
  std::optional<int> stopped_epoch;
  std::vector<double> best_parameters;
  // The parameters after each epoch the job asked for (TrainJob::snapshot_epochs), in
  // increasing epoch order; an epoch past epochs_run (stopped or diverged earlier) is missing.
  // A snapshot at epoch k is, bit for bit, the `parameters` of the same training asked for k
  // epochs (a training's random streams do not depend on its budget).
  std::vector<std::pair<int, std::vector<double>>> snapshots;
};

// Called after every epoch (and once for epoch 0); returning false stops the training, which
// then ends with the epochs run so far (result.stopped = true).
using EpochObserver = std::function<bool(const EpochMetrics&)>;

TrainResult train(const TrialConfig& config, const Dataset& data, std::uint64_t seed,
                  const EpochObserver& observer = {});

// A training to run: train(*config, data, seed, observer) on the dataset of its group.
struct TrainJob {
  const TrialConfig* config = nullptr;
  std::uint64_t seed = 0;
  EpochObserver observer;
  // Epochs after which to keep a copy of the parameters (0 = the initial ones), in any order;
  // repeats count once. Keeping them changes nothing else in the result; none asked, no cost.
  std::vector<int> snapshot_epochs;
};

// Trains every job on `data` on the calling thread (see above for the evaluation); results[i] is
// train(*jobs[i].config, data, jobs[i].seed, jobs[i].observer), bit for bit, whatever the other
// jobs are. nn decides how the jobs share vector lanes: taken in order, each pack (nn/pack.h)
// holds the first job not yet trained and the later ones that can share its lanes, and the packs
// train one after the other. Jobs of any shapes and epoch budgets may be mixed; jobs of one
// shape, batch size and activation fill the lanes best.
std::vector<TrainResult> train_jobs(std::span<const TrainJob> jobs, const Dataset& data);

// For a scheduler that runs train_jobs() calls in parallel and wants each to be one pass over
// the data: the indices of `configs` (trainings on one dataset) that train_jobs() trains
// together with configs[0], in one pack: 0 first, then increasing. Those of configs[0]'s
// activation come first; others fill a pack that would otherwise be at least half empty.
std::vector<std::size_t> trained_with_first(std::span<const TrialConfig* const> configs);

// How many trainings train side by side at most: for estimates of time and memory. In float64
// (the first), or in the given precision (float32 packs twice as many).
int trainings_side_by_side();
int trainings_side_by_side(Precision precision);

// The loss the convergence rules watch: val_loss when `monitor` says so or (automatic) when the
// data has a validation split; train_loss otherwise.
Monitor resolve_monitor(Monitor monitor, bool has_validation);

// Judges the curve's first `curve.size()` entries as if training had been asked for exactly
// that many epochs; the curve of a longer training gives the result of every shorter one. Sets
// verdict, baseline_loss, epochs_run, initial, final, best and stopped_epoch (`stopped_epoch`:
// early stopping ended the curve there, before the budget; see judge()).
TrainResult summarize(std::span<const EpochMetrics> curve, const ConvergenceConfig& config,
                      bool has_validation, double baseline_loss, bool penalised = false,
                      std::optional<int> stopped_epoch = std::nullopt);

// A training stops when its loss is no longer finite or exceeds this many times its start:
// far past any divergence_factor the rules accept, so the curve a rule reads never depends on
// the rule (a finished run can be judged again with other rules).
inline constexpr double kStopFactor = 1000;

}  // namespace nn
