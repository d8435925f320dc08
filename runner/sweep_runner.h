// Runs the trials of a sweep on a oneTBB pipeline: a serial stage enumerates trials in index
// order, gathers epoch siblings (EpochSiblings, below) into one training each, and forms groups
// of trainings on one dataset that nn trains together in one pass (nn::trained_with_first); a
// parallel stage trains each group on its thread (nn::train_jobs; idle threads help evaluate
// large splits); a serial stage hands finished rows to the sink in trial order. Datasets are
// built once per distinct data configuration and shared read-only. Memory is bounded by the
// threads (live groups) and the window groups are formed in, not by the number of trials.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/dataset.h"
#include "results/best_trials.h"
#include "results/curves.h"
#include "results/trial_record.h"
#include "sweeps/spec.h"

namespace runner {

// Epoch siblings: trials of one sweep that differ only in their epoch budget, train.epochs
// (equal sweeps::Trial::training). One training, to the largest budget, serves them all: a
// sibling's curve is the first epochs of that training's curve (nn::summarize) and its row is
// that of a standalone run. The sweep enumerates the repeats innermost and the budget next, so
// siblings sit within runs of Sweep::sibling_run() consecutive indices from a multiple of it; a
// range of indices that ends at run_end() splits no run. (Where include entries or collapsed
// combinations shift a run off such a multiple and it is split, each part trains once: the rows
// are the same.) The runner's enumeration and the MPI hand-out find siblings this way only.
struct EpochSiblings {
  std::vector<sweeps::Trial> trials;  // in index order

  bool includes(const sweeps::Trial& trial) const {
    return !trials.empty() && trials.front().training == trial.training;
  }
  // The sibling with the largest budget: the one the training runs for.
  const sweeps::Trial& longest() const;
  // The index after the run of siblings that `index` belongs to.
  static std::uint64_t run_end(const sweeps::Sweep& sweep, std::uint64_t index);
};

struct RunOptions {
  int threads = 1;
  std::uint64_t begin = 0;                       // the trial indices to run: [begin, end)
  std::uint64_t end = UINT64_MAX;                // clipped to the sweep's size
  bool fail_fast = false;                        // stop at the first trial that throws
  const std::atomic<bool>* interrupt = nullptr;  // set from a signal handler: stop promptly
  std::function<bool(std::uint64_t)> skip;       // trials already done (resume)
  // > 0: every trial trains this many epochs instead of its train.epochs (a rung of halving,
  // runner/halving.h); its row keeps its own id and settings.
  int epochs = 0;
  // The last dataset made of each CSV file's parse uses the parse up (nn::ParseUse::last), and
  // each trial's row keeps its dataset for the models made at the end, which then need not
  // read the file again. Only for a run that makes no dataset after its trials (not halving's
  // rungs, nor with --save-models all) and makes each of its datasets once (no more than the
  // runner keeps at a time); otherwise parses are kept and shared.
  bool release_csv = false;
  // Called, from any worker thread, with the trained parameters of each trial a training ran
  // for (not its shorter epoch siblings): e.g. to save every model.
  std::function<void(const sweeps::Trial&, const nn::Dataset&, const nn::TrainResult& result,
                     const std::vector<double>& parameters)>
      trained;
};

// One finished trial: its row and its curves.csv rows (already formatted, and the same rows as
// report.html's bands use them), and its trained parameters when the training that served it
// ran for this trial's epochs (not for a longer epoch sibling's).
struct FinishedTrial {
  results::TrialRecord record;
  std::string curve_rows;
  std::shared_ptr<const std::vector<double>> parameters;
  std::shared_ptr<const results::Snapshots> snapshots;  // epoch 0, 10% and 50% of its budget
  std::vector<results::CurveSample> curve;
  // The CSV dataset it trained on, with `parameters`, when RunOptions::release_csv freed the
  // file's parse.
  std::shared_ptr<const nn::Dataset> data;
};

struct RunStats {
  std::uint64_t finished = 0;   // trials handed to the sink
  std::uint64_t trainings = 0;  // trainings run (fewer than trials when epochs are shared)
  bool interrupted = false;
  bool failed_fast = false;
  // Where the parallel section's time went, in wall seconds (how well the threads were used):
  // its length; the groups trained, summed over the workers; the rows handed to the sink (the
  // serial stage, on one worker at a time); and the last part, after the last group was handed
  // out, when workers run out of work one by one.
  std::uint64_t groups = 0;
  double seconds = 0, training_seconds = 0, sink_seconds = 0, tail_seconds = 0;
};

// Trains every trial of `sweep` not skipped; `sink` is called serially with finished trials in
// increasing trial index, each trial as soon as all trials before it have finished (so the rows
// of a group are usually written at once). A run that stops early (interrupt, fail-fast) hands
// over the trials that did finish, in order, with gaps.
using TrialSink = std::function<void(std::span<FinishedTrial>)>;
RunStats run_trials(const sweeps::Sweep& sweep, const RunOptions& options, const TrialSink& sink);

}  // namespace runner
