// Runs the trials of a sweep on a oneTBB pipeline: a serial stage enumerates trials in index
// order and groups those that differ only in train.epochs (trained once, to the largest value,
// each shorter trial read off the curve's prefix) and packs groups that can share SIMD lanes
// (nn::train_pack: up to nn::kLanes trainings of one network shape side by side); a parallel
// stage trains each pack single-threaded; a serial stage hands finished rows to the sink in
// trial order. Datasets are built once per distinct data configuration and shared read-only.
// Memory is bounded by the threads (live packs) and the pack window, not by the number of
// trials.
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
#include "results/trial_record.h"
#include "sweeps/spec.h"

namespace runner {

struct RunOptions {
  int threads = 1;
  std::uint64_t begin = 0;                       // the trial indices to run: [begin, end)
  std::uint64_t end = UINT64_MAX;                // clipped to the sweep's size
  bool fail_fast = false;                        // stop at the first trial that throws
  const std::atomic<bool>* interrupt = nullptr;  // set from a signal handler: stop promptly
  std::function<bool(std::uint64_t)> skip;       // trials already done (resume)
  // Called, from any worker thread, with the trained parameters of each trial a training ran
  // for (not the shorter epoch siblings it also served): e.g. to save every model.
  std::function<void(const sweeps::Trial&, const nn::Dataset&, const nn::TrainResult& result,
                     const std::vector<double>& parameters)>
      trained;
};

// One finished trial: its row and its curves.csv rows (already formatted), and its trained
// parameters when the training that served it ran for this trial's epochs (not for a longer
// epoch sibling's).
struct FinishedTrial {
  results::TrialRecord record;
  std::string curve_rows;
  std::shared_ptr<const std::vector<double>> parameters;
};

struct RunStats {
  std::uint64_t finished = 0;   // trials handed to the sink
  std::uint64_t trainings = 0;  // trainings run (fewer than trials when epochs are shared)
  bool interrupted = false;
  bool failed_fast = false;
};

// Trains every trial of `sweep` not skipped; `sink` is called serially with finished trials in
// increasing trial index, each trial as soon as all trials before it have finished (so the rows
// of a pack are usually written at once). A run that stops early (interrupt, fail-fast) hands
// over the trials that did finish, in order, with gaps.
using TrialSink = std::function<void(std::span<FinishedTrial>)>;
RunStats run_trials(const sweeps::Sweep& sweep, const RunOptions& options, const TrialSink& sink);

}  // namespace runner
