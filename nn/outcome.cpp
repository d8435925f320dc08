#include "nn/outcome.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "nn/train.h"

namespace nn {
namespace {

double monitored(const EpochMetrics& m, Monitor monitor) {
  return monitor == Monitor::val_loss ? m.val_loss : m.train_loss;
}

double mean(std::span<const double> v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

std::string num(double v) {
  return fmt::format("{:.3g}", v);
}

// The first epoch whose raw value reaches the target.
std::optional<int> epochs_to_target(std::span<const EpochMetrics> curve, Monitor monitor,
                                    const ConvergenceConfig& rules, double baseline) {
  for (const EpochMetrics& m : curve) {
    const double accuracy = monitor == Monitor::val_loss ? m.val_accuracy : m.train_accuracy;
    const bool reached = rules.target_metric == TargetMetric::accuracy
                             ? accuracy >= rules.target
                             : monitored(m, monitor) <= rules.target * baseline;
    if (reached) return m.epoch;
  }
  return std::nullopt;
}

// The loss the network's end is judged on, and the one before it: means over the last window of
// epochs and the window before it, so one noisy epoch decides nothing.
struct Ends {
  double start = 0, end = 0, before_end = 0, best = 0, swing = 0;
  int window = 1, best_epoch = 0;
};

Ends ends_of(const std::vector<double>& loss, double window_share) {
  Ends e;
  const int last = static_cast<int>(loss.size()) - 1;
  e.window = std::max(1, static_cast<int>(std::lround(window_share * last)));
  e.window = std::min(e.window, std::max(1, last));
  const std::span<const double> all(loss);
  const auto tail = all.subspan(static_cast<std::size_t>(last + 1 - e.window));
  e.start = loss.front();
  e.end = mean(tail);
  const int before_from = std::max(0, last + 1 - 2 * e.window);
  e.before_end = mean(all.subspan(static_cast<std::size_t>(before_from),
                                  static_cast<std::size_t>(last + 1 - e.window - before_from)));
  // The largest rebound within the last window (how far it went back up from its lowest point
  // so far): none for a curve that keeps falling, the amplitude for one that swings, and only
  // the jitter for one that has stopped moving.
  double lowest = tail.front();
  for (double x : tail) {
    lowest = std::min(lowest, x);
    e.swing = std::max(e.swing, x - lowest);
  }
  const auto best = std::min_element(loss.begin(), loss.end());
  e.best = *best;
  e.best_epoch = static_cast<int>(best - loss.begin());
  return e;
}

// Overfitting, read on the held-out curve (validation, else test): it rose well above its own
// best while the training loss went on falling. A diagnosis only: nothing is selected on it.
std::optional<std::string> overfitting(std::span<const EpochMetrics> curve,
                                       const ConvergenceConfig& rules, double baseline,
                                       bool has_validation, int window) {
  std::vector<double> held, train;
  held.reserve(curve.size());
  train.reserve(curve.size());
  for (const EpochMetrics& m : curve) {
    held.push_back(has_validation ? m.val_loss : m.test_loss);
    train.push_back(m.train_loss);
  }
  if (!std::all_of(held.begin(), held.end(), [](double v) { return std::isfinite(v); }))
    return std::nullopt;
  const Ends h = ends_of(held, rules.window);
  const int last = static_cast<int>(held.size()) - 1;
  const double train_end =
      mean(std::span<const double>(train).subspan(static_cast<std::size_t>(last + 1 - window)));
  const bool rose =
      h.end - h.best > rules.overfit_rise * baseline && h.best_epoch < last + 1 - window;
  if (!rose || !(train_end < train[static_cast<std::size_t>(h.best_epoch)])) return std::nullopt;
  return fmt::format(
      "the {} loss rose from its best {} at epoch {} to {} while the training loss fell to {}: "
      "the network memorises its training points (fewer epochs, a penalty or more data would "
      "help)",
      has_validation ? "validation" : "test", num(h.best), curve[h.best_epoch].epoch, num(h.end),
      num(train_end));
}

// What the rules below find: an outcome with its reason.
struct Finding {
  Outcome outcome;
  std::string reason;
};

// A loss that became NaN or infinite, or rose past divergence_factor times its start.
std::optional<Finding> divergence(std::span<const EpochMetrics> curve,
                                  const std::vector<double>& loss, const ConvergenceConfig& rules,
                                  const std::string& what) {
  for (std::size_t t = 0; t < loss.size(); ++t) {
    if (!std::isfinite(loss[t]))
      return Finding{Outcome::diverged,
                     fmt::format("the {} became {} at epoch {}: the learning rate is too large",
                                 what, std::isnan(loss[t]) ? "NaN" : "infinite", curve[t].epoch)};
    if (loss[t] > rules.divergence_factor * loss.front())
      return Finding{
          Outcome::diverged,
          fmt::format(
              "the {} rose from {} to {} by epoch {}, over {} times its start: the learning rate "
              "is too large",
              what, num(loss.front()), num(loss[t]), curve[t].epoch, num(rules.divergence_factor))};
  }
  return std::nullopt;
}

// What the rules on the curve's ends share: the windows, and how much progress counts.
struct Progress {
  Ends e;
  double noticeable = 0;  // a change smaller than this is no progress
  std::string guessing;   // "guessing (0.693)", for messages
};

Progress progress_of(const std::vector<double>& loss, const ConvergenceConfig& rules,
                     double baseline) {
  Progress p;
  p.e = ends_of(loss, rules.window);
  // Progress counts from the start or from guessing, whichever is lower: falling from a bad
  // initialisation down to the baseline is no learning yet.
  const double reference = std::min(p.e.start, baseline);
  const double gained = reference - p.e.end;
  p.noticeable = std::max(gained, rules.stall * p.e.start);
  p.guessing = fmt::format("guessing ({})", num(baseline));
  return p;
}

// A loss within this share of guessing's has no skill to speak of (0.688 against 0.693).
constexpr double kNoSkill = 0.05;

bool below_guessing(double end, double baseline) {
  return end < (1 - kNoSkill) * baseline;
}

// Where a loss ended beside guessing, as a reader would put it: "worse than guessing (0.693)"
// above it, "no better than" within kNoSkill of it, "below" under.
std::string beside_guessing(double end, double baseline, const std::string& guessing) {
  if (end > (1 + kNoSkill) * baseline) return "worse than " + guessing;
  if (!below_guessing(end, baseline)) return "no better than " + guessing;
  return "below " + guessing;
}

// A loss that ended above its start, or swings by more than it gained without getting well
// below guessing.
std::optional<Finding> instability(const std::vector<double>& loss, const Progress& p,
                                   const ConvergenceConfig& rules, double baseline,
                                   const std::string& what) {
  const Ends& e = p.e;
  if (loss.size() > 1 && e.end - e.start > rules.stall * e.start)
    return Finding{Outcome::unstable,
                   fmt::format("the {} ended at {}, above its start {}: the learning rate is too "
                               "large",
                               what, num(e.end), num(e.start))};
  if (loss.size() > 2 && e.swing > p.noticeable && e.end > rules.learned_below * baseline)
    return Finding{Outcome::unstable,
                   fmt::format("the {} swings by up to {} over the last {} epochs and ends at {}, "
                               "{}: the learning rate is too large",
                               what, num(e.swing), e.window, num(e.end),
                               beside_guessing(e.end, baseline, p.guessing))};
  return std::nullopt;
}

// A curve that neither diverged, swung nor overfitted: where it settled, and whether it was
// still moving.
// A curve that early stopping ended is not falling: the stop says it went `patience` epochs
// without a better loss, whatever its last window gained against the one before.
Finding settling(const Progress& p, const ConvergenceConfig& rules, double baseline,
                 const std::string& what, std::optional<int> epochs_to_target, bool penalised,
                 bool stopped_early) {
  const Ends& e = p.e;
  const double recent = e.before_end - e.end;  // what the last window gained
  const bool falling = !stopped_early && recent > rules.still_falling * p.noticeable;
  const bool moved = e.start - e.best >= rules.stall * e.start;
  const double learned_end = rules.learned_below * baseline;
  if (e.end <= learned_end && !falling)
    return {Outcome::learned,
            fmt::format("the {} settled at {}, well below {}", what, num(e.end), p.guessing) +
                (epochs_to_target
                     ? fmt::format("; it reached the target at epoch {}", *epochs_to_target)
                     : "")};
  if (moved && falling)
    return {Outcome::still_learning,
            fmt::format("the {} was still falling at the end ({} to {} over the last {} epochs, "
                        "{} now, {}): more epochs or a larger learning rate would help",
                        what, num(e.before_end), num(e.end), e.window, num(e.end),
                        beside_guessing(e.end, baseline, p.guessing))};
  if (!moved)
    return {Outcome::stalled,
            fmt::format("the {} barely moved from its start {} (lowest {}): {}", what, num(e.start),
                        num(e.best),
                        penalised ? "the penalty holds the weights near zero (a smaller "
                                    "train.regularization_rate would help), or the learning rate "
                                    "is too small"
                                  : "the learning rate is too small, or the gradients vanish")};
  // Below guessing but above what counts as learned: say how far it had to go.
  const std::string short_of =
      below_guessing(e.end, baseline)
          ? fmt::format(" but above {}, the level that counts as learned", num(learned_end))
          : "";
  return {Outcome::underfit,
          fmt::format("the {} settled at {}, {}{}: {}", what, num(e.end),
                      beside_guessing(e.end, baseline, p.guessing), short_of,
                      penalised ? "the penalty may be too strong for the network to fit the data "
                                  "(try a smaller train.regularization_rate), or the network "
                                  "cannot represent it"
                                : "the network cannot represent the data, or it is stuck (try "
                                  "another activation, a wider network or another learning "
                                  "rate)")};
}

}  // namespace

Verdict judge(std::span<const EpochMetrics> curve, const ConvergenceConfig& rules, double baseline,
              bool has_validation, bool penalised, bool stopped_early) {
  const Monitor monitor = resolve_monitor(rules.monitor, has_validation);
  Verdict v;
  v.epochs_to_target = epochs_to_target(curve, monitor, rules, baseline);
  std::vector<double> loss;
  loss.reserve(curve.size());
  for (const EpochMetrics& m : curve) loss.push_back(monitored(m, monitor));
  const std::string what = monitor == Monitor::val_loss ? "validation loss" : "loss";

  // The rules in order of precedence: the first that finds something decides.
  std::optional<Finding> found = divergence(curve, loss, rules, what);
  if (!found) {
    const Progress p = progress_of(loss, rules, baseline);
    found = instability(loss, p, rules, baseline, what);
    if (!found)
      if (auto why = overfitting(curve, rules, baseline, has_validation, p.e.window))
        found = Finding{Outcome::overfit, std::move(*why)};
    if (!found)
      found = settling(p, rules, baseline, what, v.epochs_to_target, penalised, stopped_early);
  }
  v.outcome = found->outcome;
  v.reason = std::move(found->reason);
  if (stopped_early)
    v.reason += fmt::format(" (early stopping ended training at epoch {})", curve.back().epoch);
  return v;
}

double baseline_loss(const Dataset& data, Loss loss) {
  const Eigen::MatrixXd& y = data.train.y;
  const auto n = static_cast<double>(y.cols());
  if (y.cols() == 0) return kNotApplicable;
  if (resolve_loss(loss, data.task) == Loss::mse) {
    // Half the squared error of predicting the training mean (for classes: their frequencies,
    // against the 0/1 or one-hot labels), as the training loss counts it.
    const Eigen::VectorXd mean = y.rowwise().mean();
    return 0.5 * (y.colwise() - mean).squaredNorm() / n;
  }
  // Cross-entropy of predicting the training split's class frequencies: its entropy.
  double entropy = 0;
  if (data.task == Task::binary) {
    const double p = y.sum() / n;
    for (double q : {p, 1 - p})
      if (q > 0) entropy -= q * std::log(q);
    return entropy;
  }
  for (Eigen::Index k = 0; k < y.rows(); ++k) {
    const double q = y.row(k).sum() / n;
    if (q > 0) entropy -= q * std::log(q);
  }
  return entropy;
}

}  // namespace nn
