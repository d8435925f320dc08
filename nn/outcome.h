// What happened to a training, read from its loss curve alone: did it learn, and if not, why.
// judge() classifies the curve of the monitored loss (validation when the data has a validation
// split, else training) against the no-skill baseline (the loss of predicting the training
// split's class frequencies, or its mean for regression), and gives a one-sentence reason with
// the numbers behind it. It reads nothing but the curve, the baseline and the rules, so a
// finished run can be judged again with other rules without training.
//
// The outcomes, in order of precedence (the first that holds is the trial's):
//   diverged       a loss became non-finite, or rose above divergence_factor x its start
//   unstable       it ended worse than it started, or swings by more than it gained (counted
//                  from the start or the baseline, whichever is lower) and ends near guessing
//   overfit        the training loss kept falling while the held-out loss rose well above its
//                  own best (read on validation, or on test without a validation split)
//   learned        it settled clearly below the baseline (at most learned_below x baseline,
//                  and no longer falling meaningfully)
//   still_learning it is still falling meaningfully at the end
//   stalled        it barely moved from where it started
//   underfit       it settled, but not clearly below the baseline
// plus two that no curve gives: error (the training could not run) and pruned (stopped early by
// a search that dropped it).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nn/config.h"
#include "nn/dataset.h"

namespace nn {

struct EpochMetrics;

enum class Outcome {
  learned,
  still_learning,
  underfit,
  stalled,
  unstable,
  overfit,
  diverged,
  error,
  pruned
};
inline constexpr std::array<std::string_view, 9> kOutcomeNames = {
    "learned", "still_learning", "underfit", "stalled", "unstable",
    "overfit", "diverged",       "error",    "pruned"};
inline std::string_view to_string(Outcome v) {
  return name_of(v, kOutcomeNames);
}

// A curve's verdict.
struct Verdict {
  Outcome outcome = Outcome::underfit;
  std::string reason;  // one sentence, with the numbers behind it
  // The first epoch whose raw monitored value reaches the target (ConvergenceConfig::target);
  // unset when no epoch does. It depends on the curve up to that epoch only, so a longer
  // training of the same trial gives the same value.
  std::optional<int> epochs_to_target;
};

// The rules read `curve[0..]` (epoch 0 = the untrained network) of the metric `monitor` resolves
// to; `held_out` is the validation curve's loss when there is a validation split, else test.
// REQUIRES curve non-empty and baseline_loss > 0.
// `penalised`: the training had a weight penalty (is_penalised), which the advice of a stalled
// or underfit reason then names as a cause. `stopped_early`: train.early_stopping ended the
// curve, which says the loss had stopped improving: the curve is read as settled (learned,
// stalled or underfit by where it settled, never still_learning, whose advice of more epochs
// would contradict the stop), and the reason says where it stopped.
Verdict judge(std::span<const EpochMetrics> curve, const ConvergenceConfig& rules,
              double baseline_loss, bool has_validation, bool penalised = false,
              bool stopped_early = false);

// Whether a training's weights carried a penalty: a regulariser at a rate above zero.
inline bool is_penalised(const TrainConfig& train) {
  return train.regularization != Regularization::none && train.regularization_rate > 0;
}

// The no-skill loss of `data`'s training split under `loss`: the cross-entropy of predicting its
// class frequencies (ln 2 for two balanced classes), or the squared error of predicting its mean
// (the frequencies, for classes under mse).
double baseline_loss(const Dataset& data, Loss loss);

}  // namespace nn
