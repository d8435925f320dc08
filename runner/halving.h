// Successive halving and hyperband (`halving:` in the sweep file, sweeps/halving.h) on top of
// run_trials. A rung is a run of the sweep with every trial cut to the rung's epochs
// (RunOptions::epochs), restricted to the configurations still in: since a trial's streams
// ignore its budget, a training to E epochs is exactly the first E epochs of a longer one, so a
// rung's rows are those of a plain run with train.epochs = E, and the last rung's are the plain
// run's. Survivors are retrained from zero at each rung rather than continued from a checkpoint:
// just as exact, and the cost is measured in bench/README.md ("Successive halving").
//
// A rung's decision waits for every trial of it and reads only their metrics, which are the
// same bits for any thread count, so the survivors are too. Each rung training's metric goes to
// rungs.csv as it finishes; a resumed run reads them back and re-derives every decision from
// them, training only what is missing. trials.csv gets one row per trial once every bracket is
// done, in trial order: a trial that reached train.epochs has its plain row, any other the row
// of the last rung it reached with outcome `pruned`; the `rung` column says which rung.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "runner/sweep_runner.h"
#include "sweeps/spec.h"

namespace runner {

// How the trials of a rung are trained: run_trials in this process unless given (e.g. handed
// out to MPI ranks). Either way a rung returns when all of its trials are back.
using RungTrainer = std::function<RunStats(const RunOptions&, const TrialSink&)>;

// REQUIRES sweep.halving(). `options` as for run_trials (its begin and end must span the
// sweep; skip marks the trials whose final rows are already in trials.csv). Rung metrics are
// kept in `dir`/rungs.csv.
RunStats run_halving(const sweeps::Sweep& sweep, const RunOptions& options,
                     const std::filesystem::path& dir, const TrialSink& sink,
                     const RungTrainer& trainer = {});

// One rung of the plan, for `nnsweep plan`.
struct PlannedRung {
  int bracket = 0;
  int rung = 0;  // its place on the ladder (the `rung` column)
  int epochs = 0;
  std::uint64_t configurations = 0, trials = 0;
  // Trial-epochs it trains: retrained from zero, and continued from the rung before.
  double trial_epochs = 0, continued_trial_epochs = 0;
};
std::vector<PlannedRung> plan_halving(const sweeps::Sweep& sweep);

}  // namespace runner
