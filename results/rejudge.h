// Judging a finished run again: outcomes come from the curves alone (nn/outcome.h), so other
// convergence.* thresholds re-derive every row's outcome, outcome_reason and epochs_to_target
// from curves.csv without training. `nnsweep report DIR --set convergence.KEY=VALUE` does it.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>

#include "nn/config.h"
#include "results/trial_record.h"

namespace results {

struct RejudgeCount {
  std::uint64_t rows = 0;     // rows written
  std::uint64_t changed = 0;  // rows whose outcome is not the one they had
};

// Copies trials.csv from `trials` to `out`, each row judged again under `rules` from its curve
// in `curves` (a curves.csv); `penalised` tells from a row's settings whether its training had a
// weight penalty (nn::judge). Error rows are copied as they are. `trials` must be seekable (it
// is read twice); memory grows by a few words and a reason per trial. Throws nn::InputError
// naming the file for a malformed file, a trial without its curve, or a curve that does not
// hold every epoch (`curves: {every: K}` with K > 1).
RejudgeCount rejudge(std::istream& trials, const std::string& trials_file, std::istream& curves,
                     const std::string& curves_file, const nn::ConvergenceConfig& rules,
                     const std::function<bool(const Params&)>& penalised, std::ostream& out);

}  // namespace results
