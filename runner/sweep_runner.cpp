#include "runner/sweep_runner.h"

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "nn/dataset.h"
#include "nn/lanes.h"
#include "nn/train.h"
#include "results/curves.h"

namespace runner {
namespace {

using Clock = std::chrono::steady_clock;

// Epoch siblings (sweeps::Trial::training): one training serves all.
struct Group {
  std::vector<sweeps::Trial> trials;
  std::shared_ptr<const nn::Dataset> data;
  std::string data_error;  // building the dataset failed: every trial is an error
  std::vector<FinishedTrial> finished;
};

// Up to nn::kLanes groups on one dataset whose trainings can share SIMD lanes
// (nn::can_share_pack): trained together by one nn::train_pack().
struct Pack {
  std::vector<Group> groups;
};

// Keeps the datasets of recently seen data configurations. Trials are enumerated in index order
// and data settings are outer axes, so a small window catches nearly every reuse.
class DatasetCache {
 public:
  std::shared_ptr<const nn::Dataset> get(const sweeps::Trial& trial) {
    for (const Entry& e : recent_)
      if (e.seed == trial.data_seed && e.config == trial.config.data) return e.data;
    auto data =
        std::make_shared<const nn::Dataset>(nn::make_dataset(trial.config.data, trial.data_seed));
    recent_.push_front({trial.config.data, trial.data_seed, data});
    if (recent_.size() > kCapacity) recent_.pop_back();
    return data;
  }

 private:
  struct Entry {
    nn::DataConfig config;
    std::uint64_t seed;
    std::shared_ptr<const nn::Dataset> data;
  };
  static constexpr std::size_t kCapacity = 16;
  std::deque<Entry> recent_;
};

bool epoch_siblings(const sweeps::Trial& a, const sweeps::Trial& b) {
  return a.training == b.training;
}

// Enumerates not-skipped trials in index order, a block at a time, grouped by epoch siblings.
class GroupSource {
 public:
  GroupSource(const sweeps::Sweep& sweep, const RunOptions& options)
      : sweep_(sweep),
        options_(options),
        block_(block_size(sweep)),
        next_index_(options.begin),
        end_(std::min(options.end, sweep.size())) {}

  // The next pack: the first group waiting, with the groups after it (within a window) that
  // can share its lanes; false when every trial has been handed out.
  bool next(Pack& pack) {
    while (pending_.size() < kWindow && next_index_ < end_) fill();
    if (pending_.empty()) return false;
    pack.groups.clear();
    pack.groups.push_back(std::move(pending_.front()));
    pending_.pop_front();
    const Group& first = pack.groups.front();
    const sweeps::Trial& lead = first.trials.front();
    for (std::size_t i = 0; i < std::min(kWindow, pending_.size()) &&
                            pack.groups.size() < static_cast<std::size_t>(nn::kLanes);) {
      const sweeps::Trial& t = pending_[i].trials.front();
      if (t.data_seed == lead.data_seed && t.config.data == lead.config.data &&
          nn::can_share_pack(lead.config, t.config)) {
        pack.groups.push_back(std::move(pending_[i]));
        pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    std::shared_ptr<const nn::Dataset> data;
    std::string error;
    try {
      data = datasets_.get(lead);
    } catch (const std::exception& e) {
      error = e.what();
    }
    for (Group& g : pack.groups) g.data = data, g.data_error = error;
    return true;
  }

 private:
  // A block holds whole runs of epoch siblings: they sit within epochs x repeats indices.
  static std::uint64_t block_size(const sweeps::Sweep& sweep) {
    const std::uint64_t unit = sweep.sibling_run();
    return unit * std::max<std::uint64_t>(1, 64 / unit);
  }

  void fill() {
    const std::uint64_t end = std::min(end_, next_index_ + block_);
    const std::size_t first_new = pending_.size();
    for (; next_index_ < end; ++next_index_) {
      if (options_.skip && options_.skip(next_index_)) continue;
      sweeps::Trial trial = sweep_.trial(next_index_, trials_);
      // Siblings sit within one block; a linear scan of this block's groups finds them (the
      // block holds at most a few dozen groups).
      auto group =
          std::find_if(pending_.begin() + static_cast<std::ptrdiff_t>(first_new), pending_.end(),
                       [&](const Group& g) { return epoch_siblings(g.trials.front(), trial); });
      if (group == pending_.end()) group = pending_.emplace(pending_.end());
      group->trials.push_back(std::move(trial));
    }
  }

  // How many waiting groups a pack is looked for in: far enough to find lanes for sweeps
  // whose innermost axes change the network, short enough to keep the search cheap.
  static constexpr std::size_t kWindow = 32;

  const sweeps::Sweep& sweep_;
  const RunOptions& options_;
  const std::uint64_t block_;
  std::uint64_t next_index_;
  const std::uint64_t end_;
  std::deque<Group> pending_;
  DatasetCache datasets_;
  sweeps::TrialCache trials_;
};

results::Params params_of(const sweeps::Trial& trial) {
  results::Params params;
  params.reserve(trial.params.size());
  for (const auto& p : trial.params) params.emplace_back(p.key, p.value);
  return params;
}
// Trains each group of a pack once, side by side, to the group's largest epoch count, and
// derives every member's result.
void train_pack(const sweeps::Sweep& sweep, const RunOptions& options, Pack& pack,
                std::atomic<bool>& abandon) {
  const auto start = Clock::now();
  const auto seconds_since_start = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto error_rows = [&](const std::string& message) {
    for (Group& group : pack.groups)
      for (const sweeps::Trial& t : group.trials)
        group.finished.push_back(
            {results::make_error_record(t.index, t.id, t.repeat, t.seed, params_of(t), message,
                                        seconds_since_start()),
             {},
             nullptr});
  };
  const Group& first = pack.groups.front();
  if (!first.data_error.empty()) return error_rows(first.data_error);

  // Per group: the wall time when each epoch's metrics were ready.
  std::vector<std::vector<double>> seconds_at_epoch(pack.groups.size());
  std::vector<nn::TrainJob> jobs;
  for (std::size_t g = 0; g < pack.groups.size(); ++g) {
    const Group& group = pack.groups[g];
    const sweeps::Trial* longest = &group.trials.front();
    for (const auto& t : group.trials)
      if (t.config.train.epochs > longest->config.train.epochs) longest = &t;
    seconds_at_epoch[g].reserve(static_cast<std::size_t>(longest->config.train.epochs) + 1);
    jobs.push_back({&longest->config, longest->seed, [&, g](const nn::EpochMetrics&) {
                      seconds_at_epoch[g].push_back(seconds_since_start());
                      return !(options.interrupt &&
                               options.interrupt->load(std::memory_order_relaxed)) &&
                             !abandon.load(std::memory_order_relaxed);
                    }});
  }
  std::vector<nn::TrainResult> full;
  try {
    full = nn::train_pack(jobs, *first.data);
  } catch (const std::exception& e) {
    if (options.fail_fast) abandon = true;
    return error_rows(e.what());
  }

  const bool has_validation = first.data->validation.size() > 0;
  const int every = sweep.curves().enabled ? sweep.curves().every : 0;
  for (std::size_t g = 0; g < pack.groups.size(); ++g) {
    if (full[g].stopped) continue;  // interrupted: nothing of this group is written
    Group& group = pack.groups[g];
    const auto parameters =
        std::make_shared<const std::vector<double>>(std::move(full[g].parameters));
    for (const sweeps::Trial& t : group.trials) {
      const std::size_t epochs = std::min<std::size_t>(
          static_cast<std::size_t>(t.config.train.epochs) + 1, full[g].curve.size());
      const std::span<const nn::EpochMetrics> curve(full[g].curve.data(), epochs);
      const nn::TrainResult result =
          nn::summarize(curve, t.config.convergence, has_validation, full[g].baseline_loss);
      const bool own = epochs == full[g].curve.size();  // the trial this training ran for
      if (own && options.trained) options.trained(t, *first.data, result, *parameters);
      FinishedTrial done{results::make_record(t.index, t.id, t.repeat, t.seed, params_of(t), result,
                                              seconds_at_epoch[g][epochs - 1]),
                         {},
                         own ? parameters : nullptr};
      if (every > 0) results::append_curve_rows(done.curve_rows, t.id, curve, every);
      group.finished.push_back(std::move(done));
    }
  }
}

}  // namespace

RunStats run_trials(const sweeps::Sweep& sweep, const RunOptions& options, const TrialSink& sink) {
  const int threads = std::max(1, options.threads);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  GroupSource source(sweep, options);
  RunStats stats;
  std::atomic<bool> abandon{false};  // fail-fast: an error stops the sweep
  const auto stop_requested = [&] {
    return abandon.load() || (options.interrupt && options.interrupt->load());
  };

  // The packs in flight are owned here, not by the pipeline: when it is cancelled (a sink that
  // throws, e.g. on a full disk) oneTBB drops the items between its filters undestroyed.
  std::mutex live_mutex;
  std::unordered_map<Pack*, std::unique_ptr<Pack>> live;
  const auto retire = [&](Pack* pack) {
    const std::lock_guard lock(live_mutex);
    live.erase(pack);
  };

  // Rows go to the sink in trial order: a pack's rows wait here until those of every earlier
  // trial have gone (packs finish out of order, and the trainings of a pack need not be
  // neighbours). Bounded by the packs in flight and the window packs are formed in.
  std::map<std::uint64_t, FinishedTrial> held;
  std::uint64_t next = options.begin;
  const std::uint64_t end = std::min(options.end, sweep.size());
  const auto release = [&](bool everything) {
    std::vector<FinishedTrial> ready;
    for (;;) {
      while (next < end && options.skip && options.skip(next)) ++next;
      if (held.empty() || (!everything && held.begin()->first != next)) break;
      next = held.begin()->first + 1;
      ready.push_back(std::move(held.begin()->second));
      held.erase(held.begin());
    }
    if (!ready.empty()) sink(ready);
    stats.finished += ready.size();
  };

  tbb::parallel_pipeline(
      static_cast<std::size_t>(threads) * 4,
      tbb::make_filter<void, Pack*>(tbb::filter_mode::serial_in_order,
                                    [&](tbb::flow_control& fc) -> Pack* {
                                      auto owned = std::make_unique<Pack>();
                                      if (stop_requested() || !source.next(*owned)) {
                                        fc.stop();
                                        return nullptr;
                                      }
                                      Pack* pack = owned.get();
                                      const std::lock_guard lock(live_mutex);
                                      live.emplace(pack, std::move(owned));
                                      return pack;
                                    }) &
          tbb::make_filter<Pack*, Pack*>(tbb::filter_mode::parallel,
                                         [&](Pack* pack) {
                                           if (!stop_requested())
                                             train_pack(sweep, options, *pack, abandon);
                                           return pack;
                                         }) &
          tbb::make_filter<Pack*, void>(tbb::filter_mode::serial_out_of_order, [&](Pack* pack) {
            for (Group& group : pack->groups) {
              ++stats.trainings;
              for (FinishedTrial& f : group.finished) {
                if (f.record.outcome == results::Outcome::error && options.fail_fast)
                  abandon = true;
                const std::uint64_t index = f.record.index;
                held.emplace(index, std::move(f));
              }
            }
            retire(pack);
            release(false);
          }));
  // Stopped early (interrupt, fail-fast): the rows of trials after a gap, still in order.
  release(true);
  stats.interrupted = options.interrupt && options.interrupt->load();
  stats.failed_fast = abandon.load();
  return stats;
}

}  // namespace runner
