#include "runner/sweep_runner.h"

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "nn/csv_values.h"
#include "nn/dataset.h"
#include "nn/train.h"
#include "results/curves.h"
#include "runner/pack_fill.h"
#include "sweeps/setting.h"

namespace runner {

const sweeps::Trial& EpochSiblings::longest() const {
  const sweeps::Trial* longest = &trials.front();
  for (const sweeps::Trial& t : trials)
    if (t.config.train.epochs > longest->config.train.epochs) longest = &t;
  return *longest;
}

std::uint64_t EpochSiblings::run_end(const sweeps::Sweep& sweep, std::uint64_t index) {
  const std::uint64_t run = sweep.sibling_run();
  return (index / run + 1) * run;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One training: a set of epoch siblings and, once trained, their rows.
struct Training {
  EpochSiblings siblings;
  std::vector<FinishedTrial> finished;
};

// Trainings on one dataset that nn trains together, in one pass over the data
// (nn::trained_with_first): the unit of parallel work.
struct Group {
  std::vector<Training> trainings;
  std::shared_ptr<const nn::Dataset> data;
  std::string data_error;   // building the dataset failed: every trial is an error
  bool keeps_data = false;  // its trials' rows keep `data` (RunOptions::release_csv)
};

// Keeps the datasets of recently seen data configurations. Trials are enumerated in index order
// and data settings are outer axes, so a small window catches nearly every reuse.
class DatasetCache {
 public:
  static constexpr std::size_t kCapacity = 16;

  // `use`: how a dataset made now uses its parse.
  std::shared_ptr<const nn::Dataset> get(const sweeps::Trial& trial,
                                         const std::function<nn::ParseUse()>& use) {
    for (const Entry& e : recent_)
      if (e.seed == trial.data_seed && e.config == trial.config.data) return e.data;
    auto data = std::make_shared<const nn::Dataset>(
        nn::make_dataset(trial.config.data, trial.data_seed, use()));
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
  std::deque<Entry> recent_;
};

// RunOptions::release_csv: the last dataset made of each CSV parse uses the parse up
// (nn::ParseUse::last). Counts the run's datasets of each parse first, in one pass over its
// trials (comparing data configs only where they change). Only when the run has no more
// datasets than DatasetCache keeps, so that none is made twice; otherwise parses are shared and
// kept as before.
class ParseUses {
 public:
  ParseUses(const sweeps::Sweep& sweep, const RunOptions& options, std::uint64_t end,
            sweeps::TrialCache& trials, std::size_t kept) {
    if (!options.release_csv || options.begin >= end || !may_use_csv(sweep, options.begin)) return;
    std::vector<std::pair<nn::DataConfig, std::uint64_t>> datasets;
    for (std::uint64_t i = options.begin; i < end; ++i) {
      if (options.skip && options.skip(i)) continue;
      const sweeps::Trial trial = sweep.trial(i, trials);
      const auto same = [&](const auto& d) {
        return d.second == trial.data_seed && d.first == trial.config.data;
      };
      if (!datasets.empty() && same(datasets.back())) continue;
      if (std::any_of(datasets.begin(), datasets.end(), same)) continue;
      if (datasets.size() == kept) return;
      datasets.emplace_back(trial.config.data, trial.data_seed);
      if (trial.config.data.dataset == nn::DatasetKind::csv)
        ++remaining_[nn::csv_selection(trial.config.data)];
    }
    enabled_ = !remaining_.empty();
  }

  // Whether the parses are used up (and the datasets kept with the trials instead).
  bool enabled() const { return enabled_; }

  // How the dataset of `trial`, about to be made, uses its parse.
  nn::ParseUse use(const sweeps::Trial& trial) {
    if (!enabled_ || trial.config.data.dataset != nn::DatasetKind::csv) return nn::ParseUse::share;
    const auto it = remaining_.find(nn::csv_selection(trial.config.data));
    return it != remaining_.end() && --it->second == 0 ? nn::ParseUse::last : nn::ParseUse::share;
  }

 private:
  // Whether any trial may train on a CSV file: the pass over the trials is skipped where none can
  // (a few tenths of a microsecond a trial, noticeable on sweeps of many tiny trainings).
  static bool may_use_csv(const sweeps::Sweep& sweep, std::uint64_t first) {
    const auto sets_dataset = [](const auto& p) { return p.key == sweeps::keys::dataset; };
    return sweep.trial(first).config.data.dataset == nn::DatasetKind::csv ||
           std::any_of(sweep.axes().begin(), sweep.axes().end(), sets_dataset) ||
           std::any_of(sweep.random_params().begin(), sweep.random_params().end(), sets_dataset);
  }

  bool enabled_ = false;
  std::unordered_map<std::string, std::uint64_t> remaining_;  // datasets to make, by parse
};

// Enumerates not-skipped trials in index order, a block at a time, gathers epoch siblings into
// trainings and forms groups from them.
class GroupSource {
 public:
  GroupSource(const sweeps::Sweep& sweep, const RunOptions& options)
      : sweep_(sweep),
        options_(options),
        next_index_(options.begin),
        end_(std::min(options.end, sweep.size())),
        uses_(sweep, options, end_, trials_, DatasetCache::kCapacity) {}

  // The next group: the first training waiting, with the ones after it (within a window) that
  // nn trains with it; false when every trial has been handed out.
  bool next(Group& group) {
    while (pending_.size() < kWindow && next_index_ < end_) fill();
    if (pending_.empty()) return false;
    group.trainings.clear();
    take_group(group);
    const sweeps::Trial& lead = group.trainings.front().siblings.trials.front();
    try {
      group.data = datasets_.get(lead, [&] { return uses_.use(lead); });
    } catch (const std::exception& e) {
      group.data_error = e.what();
    }
    group.keeps_data = uses_.enabled() && lead.config.data.dataset == nn::DatasetKind::csv;
    return true;
  }

 private:
  // Moves the first waiting training, and those of the next kWindow on its dataset that nn
  // trains together with it, into `group`.
  void take_group(Group& group) {
    const sweeps::Trial& lead = pending_.front().siblings.trials.front();
    std::vector<std::size_t> candidates{0};  // indices into pending_
    std::vector<const nn::TrialConfig*> configs{&lead.config};
    for (std::size_t i = 1; i < std::min(kWindow + 1, pending_.size()); ++i) {
      const sweeps::Trial& t = pending_[i].siblings.trials.front();
      if (t.data_seed == lead.data_seed && t.config.data == lead.config.data) {
        candidates.push_back(i);
        configs.push_back(&t.config);
      }
    }
    const std::vector<std::size_t> chosen = nn::trained_with_first(configs);
    for (std::size_t k : chosen) group.trainings.push_back(std::move(pending_[candidates[k]]));
    for (std::size_t k = chosen.size(); k-- > 0;)  // from the back: erasing keeps the rest
      pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(candidates[chosen[k]]));
  }

  // Enumerates the next block of at least kBlock indices; it holds whole runs of epoch siblings.
  void fill() {
    const std::uint64_t end =
        std::min(end_, EpochSiblings::run_end(sweep_, next_index_ + kBlock - 1));
    const std::size_t first_new = pending_.size();
    for (; next_index_ < end; ++next_index_) {
      if (options_.skip && options_.skip(next_index_)) continue;
      sweeps::Trial trial = sweep_.trial(next_index_, trials_);
      if (options_.epochs > 0) trial.config.train.epochs = options_.epochs;
      // Siblings sit within one block; a linear scan of this block's trainings finds them (the
      // block holds at most a few dozen).
      auto training =
          std::find_if(pending_.begin() + static_cast<std::ptrdiff_t>(first_new), pending_.end(),
                       [&](const Training& t) { return t.siblings.includes(trial); });
      if (training == pending_.end()) training = pending_.emplace(pending_.end());
      training->siblings.trials.push_back(std::move(trial));
    }
  }

  static constexpr std::uint64_t kBlock = 64;
  // How many waiting trainings a group's partners are looked for in: far enough to fill the
  // lanes of sweeps whose innermost axes change the network, short enough to keep it cheap.
  static constexpr std::size_t kWindow = kPackWindow;

  const sweeps::Sweep& sweep_;
  const RunOptions& options_;
  std::uint64_t next_index_;
  const std::uint64_t end_;
  std::deque<Training> pending_;
  DatasetCache datasets_;
  sweeps::TrialCache trials_;
  ParseUses uses_;
};

results::Params params_of(const sweeps::Trial& trial) {
  results::Params params;
  params.reserve(trial.params.size());
  for (const auto& p : trial.params) params.emplace_back(p.key, p.value);
  return params;
}
// The row of a cross-validated trial names its fold.
results::TrialRecord with_fold(const sweeps::Trial& t, results::TrialRecord record) {
  if (t.config.data.split == nn::SplitMethod::kfold) record.fold = t.fold;
  return record;
}

// Every trial of the group as an error row.
void error_rows(Group& group, const std::string& message, Clock::time_point start) {
  for (Training& training : group.trainings)
    for (const sweeps::Trial& t : training.siblings.trials)
      training.finished.push_back(
          {with_fold(t, results::make_error_record(t.index, t.id, t.repeat, t.seed, params_of(t),
                                                   message, seconds_since(start))),
           {},
           nullptr});
}

// One job per training, for its longest sibling; the observer notes when each epoch's metrics
// were ready (seconds_at_epoch[g], since `start`) and stops the training on interrupt or
// fail-fast.
// The epochs whose parameters report.html draws the boundary of a trial with budget `epochs`
// at, besides its best: 0, 10% and 50% of the budget.
std::array<int, 3> frame_epochs(int epochs) {
  return {0, epochs / 10, epochs / 2};
}

// The frame epochs of every sibling of a training on a built-in dataset (the page draws no
// CSV data); none for CSV data.
std::vector<int> snapshot_epochs(const Training& training) {
  std::vector<int> epochs;
  if (training.siblings.longest().config.data.dataset == nn::DatasetKind::csv) return epochs;
  for (const sweeps::Trial& t : training.siblings.trials)
    for (int e : frame_epochs(t.config.train.epochs)) epochs.push_back(e);
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  return epochs;
}

std::vector<nn::TrainJob> jobs_of(const Group& group, const RunOptions& options,
                                  const std::atomic<bool>& abandon, Clock::time_point start,
                                  std::vector<std::vector<double>>& seconds_at_epoch) {
  std::vector<nn::TrainJob> jobs;
  for (std::size_t g = 0; g < group.trainings.size(); ++g) {
    const sweeps::Trial& longest = group.trainings[g].siblings.longest();
    seconds_at_epoch[g].reserve(static_cast<std::size_t>(longest.config.train.epochs) + 1);
    jobs.push_back({&longest.config, longest.seed,
                    [&seconds_at_epoch, &options, &abandon, g, start](const nn::EpochMetrics&) {
                      seconds_at_epoch[g].push_back(seconds_since(start));
                      return !(options.interrupt &&
                               options.interrupt->load(std::memory_order_relaxed)) &&
                             !abandon.load(std::memory_order_relaxed);
                    },
                    snapshot_epochs(group.trainings[g])});
  }
  return jobs;
}

// The snapshots of the training `full` at the frame epochs of a sibling with budget `epochs`.
std::shared_ptr<const results::Snapshots> frames_of(const nn::TrainResult& full, int epochs) {
  if (full.snapshots.empty()) return nullptr;
  auto frames = std::make_shared<results::Snapshots>();
  const auto wanted = frame_epochs(epochs);
  for (const auto& snapshot : full.snapshots)
    if (std::find(wanted.begin(), wanted.end(), snapshot.first) != wanted.end())
      frames->push_back(snapshot);
  return frames;
}

// The rows of a training's siblings, each read off the first epochs of the curve `full`.
void finish_training(const sweeps::Sweep& sweep, const RunOptions& options, const Group& group,
                     nn::TrainResult& full, const std::vector<double>& seconds_at_epoch,
                     Training& training) {
  const nn::Dataset& data = *group.data;
  const bool has_validation = data.validation.size() > 0;
  const int every = sweep.curves().enabled ? sweep.curves().every : 0;
  const auto parameters = std::make_shared<const std::vector<double>>(std::move(full.parameters));
  for (const sweeps::Trial& t : training.siblings.trials) {
    const std::size_t epochs = std::min<std::size_t>(
        static_cast<std::size_t>(t.config.train.epochs) + 1, full.curve.size());
    const std::span<const nn::EpochMetrics> curve(full.curve.data(), epochs);
    // Early stopping ended the training before this sibling's budget (a sibling whose budget
    // ends first was not stopped: a standalone run of it trains the same epochs).
    const auto stopped = full.stopped_epoch && *full.stopped_epoch < t.config.train.epochs
                             ? full.stopped_epoch
                             : std::nullopt;
    nn::TrainResult result =
        nn::summarize(curve, t.config.convergence, has_validation, full.baseline_loss,
                      nn::is_penalised(t.config.train), stopped);
    const bool own = epochs == full.curve.size();  // the trial this training ran for
    if (own) result.best_parameters = full.best_parameters;
    if (own && options.trained) options.trained(t, data, result, *parameters);
    FinishedTrial done{
        with_fold(t, results::make_record(t.index, t.id, t.repeat, t.seed, params_of(t), result,
                                          seconds_at_epoch[epochs - 1])),
        {},
        own ? parameters : nullptr,
        frames_of(full, t.config.train.epochs),
        {},
        own && group.keeps_data ? group.data : nullptr};
    if (every > 0) results::append_curve_rows(done.curve_rows, t.id, curve, every, &done.curve);
    training.finished.push_back(std::move(done));
  }
}

// Trains each training of a group once, to its largest budget, and derives every sibling's row.
void train_group(const sweeps::Sweep& sweep, const RunOptions& options, Group& group,
                 std::atomic<bool>& abandon) {
  const auto start = Clock::now();
  if (!group.data_error.empty()) return error_rows(group, group.data_error, start);
  std::vector<std::vector<double>> seconds_at_epoch(group.trainings.size());
  const std::vector<nn::TrainJob> jobs = jobs_of(group, options, abandon, start, seconds_at_epoch);
  std::vector<nn::TrainResult> full;
  try {
    full = nn::train_jobs(jobs, *group.data);
  } catch (const std::exception& e) {
    if (options.fail_fast) abandon = true;
    return error_rows(group, e.what(), start);
  }
  for (std::size_t g = 0; g < group.trainings.size(); ++g)
    if (!full[g].stopped)  // interrupted: nothing of this training is written
      finish_training(sweep, options, group, full[g], seconds_at_epoch[g], group.trainings[g]);
}

// The groups in flight, owned here and not by the pipeline: when it is cancelled (a sink that
// throws, e.g. on a full disk) oneTBB drops the items between its filters undestroyed.
class LiveGroups {
 public:
  Group* adopt(std::unique_ptr<Group> group) {
    Group* raw = group.get();
    const std::lock_guard lock(mutex_);
    live_.emplace(raw, std::move(group));
    return raw;
  }
  void retire(Group* group) {
    const std::lock_guard lock(mutex_);
    live_.erase(group);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<Group*, std::unique_ptr<Group>> live_;
};

// Hands finished trials to the sink in trial order: a group's rows wait here until those of every
// earlier trial have gone (groups finish out of order, and the trainings of a group need not be
// neighbours). Bounded by the groups in flight and the window groups are formed in.
class InOrder {
 public:
  InOrder(const RunOptions& options, std::uint64_t end, const TrialSink& sink)
      : options_(options), next_(options.begin), end_(end), sink_(sink) {}

  void hold(FinishedTrial&& f) {
    const std::uint64_t index = f.record.index;
    held_.emplace(index, std::move(f));
  }

  // Hands over the trials whose predecessors have all gone (everything: every trial held, also
  // after a gap); returns how many.
  std::uint64_t release(bool everything) {
    std::vector<FinishedTrial> ready;
    for (;;) {
      while (next_ < end_ && options_.skip && options_.skip(next_)) ++next_;
      if (held_.empty() || (!everything && held_.begin()->first != next_)) break;
      next_ = held_.begin()->first + 1;
      ready.push_back(std::move(held_.begin()->second));
      held_.erase(held_.begin());
    }
    if (!ready.empty()) sink_(ready);
    return ready.size();
  }

 private:
  const RunOptions& options_;
  std::uint64_t next_;
  const std::uint64_t end_;
  const TrialSink& sink_;
  std::map<std::uint64_t, FinishedTrial> held_;
};

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
  LiveGroups live;
  InOrder in_order(options, std::min(options.end, sweep.size()), sink);

  const auto begin = Clock::now();
  Clock::time_point handed_out = begin;
  std::atomic<std::int64_t> training_ns{0};
  const auto form = [&](tbb::flow_control& fc) -> Group* {
    auto group = std::make_unique<Group>();
    if (stop_requested() || !source.next(*group)) {
      handed_out = Clock::now();
      fc.stop();
      return nullptr;
    }
    ++stats.groups;
    return live.adopt(std::move(group));
  };
  const auto train = [&](Group* group) {
    const auto start = Clock::now();
    if (!stop_requested()) train_group(sweep, options, *group, abandon);
    training_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    return group;
  };
  const auto collect = [&](Group* group) {
    const auto start = Clock::now();
    for (Training& training : group->trainings) {
      ++stats.trainings;
      for (FinishedTrial& f : training.finished) {
        if (f.record.outcome == results::Outcome::error && options.fail_fast) abandon = true;
        in_order.hold(std::move(f));
      }
    }
    live.retire(group);
    stats.finished += in_order.release(false);
    stats.sink_seconds += seconds_since(start);
  };
  tbb::parallel_pipeline(
      static_cast<std::size_t>(threads) * 4,
      tbb::make_filter<void, Group*>(tbb::filter_mode::serial_in_order, form) &
          tbb::make_filter<Group*, Group*>(tbb::filter_mode::parallel, train) &
          tbb::make_filter<Group*, void>(tbb::filter_mode::serial_out_of_order, collect));
  stats.seconds = seconds_since(begin);
  stats.tail_seconds = seconds_since(handed_out);
  stats.training_seconds = static_cast<double>(training_ns.load()) * 1e-9;
  // Stopped early (interrupt, fail-fast): the rows of trials after a gap, still in order.
  stats.finished += in_order.release(true);
  stats.interrupted = options.interrupt && options.interrupt->load();
  stats.failed_fast = abandon.load();
  return stats;
}

}  // namespace runner
