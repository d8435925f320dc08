#include "results/rejudge.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>
#include <vector>

#include "nn/input_error.h"
#include "nn/outcome.h"
#include "results/curves.h"
#include "results/trial_record.h"

namespace results {

namespace {

// What judging a trial needs besides its curve.
struct Pending {
  double baseline_loss = 0;
  bool has_validation = false;
  int epochs_run = 0;
  bool penalised = false;
  bool stopped_early = false;          // train.early_stopping ended its curve
  std::optional<nn::Verdict> verdict;  // set once its curve was read
};

using PendingTrials = std::unordered_map<std::string, Pending>;

// Every trial that did not fail with an error, waiting for its verdict.
PendingTrials pending_trials(std::istream& trials, const std::string& trials_file,
                             const std::function<bool(const Params&)>& penalised) {
  PendingTrials pending;
  read_trials(trials, trials_file, [&](TrialRecord&& r) {
    // A pruned trial stays pruned: its curve is a rung's, not a finished training's.
    if (r.outcome == Outcome::error || r.outcome == Outcome::pruned) return;
    // The validation split exists when its loss was measured before training.
    pending[r.id] = {.baseline_loss = r.baseline_loss,
                     .has_validation = !std::isnan(r.initial.val_loss),
                     .epochs_run = r.epochs_run,
                     .penalised = penalised(r.params),
                     .stopped_early = r.stopped_epoch.has_value()};
  });
  return pending;
}

// Judges each pending trial from its block of rows in curves.csv, which must hold every epoch.
void judge_curves(std::istream& curves, const std::string& curves_file,
                  const nn::ConvergenceConfig& rules, PendingTrials& pending) {
  std::string id;
  std::vector<nn::EpochMetrics> curve;
  bool gap = false;  // an epoch missing from the block
  const auto judge_block = [&] {
    if (id.empty()) return;
    if (const auto it = pending.find(id); it != pending.end()) {
      Pending& p = it->second;
      if (gap || static_cast<int>(curve.size()) != p.epochs_run + 1)
        throw nn::InputError(
            curves_file, 0, 0,
            fmt::format("trial {}: curves.csv does not hold every one of its {} epochs; judging "
                        "a run again needs them all (a sweep with `curves: {{every: K}}` or "
                        "`curves: off` cannot be judged again: run it again with every epoch's "
                        "curve)",
                        id, p.epochs_run + 1));
      p.verdict =
          nn::judge(curve, rules, p.baseline_loss, p.has_validation, p.penalised, p.stopped_early);
    }
    curve.clear();
    gap = false;
  };
  read_curves(curves, curves_file, [&](CurvePoint&& point) {
    if (point.trial_id != id) {
      judge_block();
      id = std::move(point.trial_id);
    }
    gap = gap || point.metrics.epoch != static_cast<int>(curve.size());
    curve.push_back(point.metrics);
  });
  judge_block();
}

}  // namespace

RejudgeCount rejudge(std::istream& trials, const std::string& trials_file, std::istream& curves,
                     const std::string& curves_file, const nn::ConvergenceConfig& rules,
                     const std::function<bool(const Params&)>& penalised, std::ostream& out) {
  const auto start = trials.tellg();
  PendingTrials pending = pending_trials(trials, trials_file, penalised);
  judge_curves(curves, curves_file, rules, pending);

  RejudgeCount count;
  trials.clear();
  trials.seekg(start);
  bool header = false;
  const auto write_header = [&](const std::vector<std::string>& keys) {
    out << format_trials_header(keys);
    header = true;
  };
  read_trials(
      trials, trials_file,
      [&](TrialRecord&& r) {
        if (r.outcome != Outcome::error && r.outcome != Outcome::pruned) {
          const Pending& p = pending.at(r.id);
          if (!p.verdict)
            throw nn::InputError(curves_file, 0, 0,
                                 fmt::format("trial {} has no curve in curves.csv; judging a run "
                                             "again needs every trial's curve",
                                             r.id));
          if (p.verdict->outcome != r.outcome) ++count.changed;
          r.outcome = p.verdict->outcome;
          r.outcome_reason = p.verdict->reason;
          r.epochs_to_target = p.verdict->epochs_to_target;
        }
        out << format_trial_row(r);
        ++count.rows;
      },
      write_header);
  if (!header) write_header({});
  return count;
}

}  // namespace results
