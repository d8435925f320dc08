#include "runner/halving.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "nn/input_error.h"
#include "results/csv.h"
#include "results/row_writer.h"
#include "sweeps/halving.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRungsFile = "rungs.csv";
constexpr std::string_view kRungsHeader = "epochs,trial_index,metric\n";

// A trial's row at the largest epochs this process trained it to.
struct Kept {
  int epochs = 0;
  FinishedTrial trial;
};

// Why a configuration stopped: at which epochs, with which rank.
struct Pruning {
  int epochs = 0;
  std::string reason;
};

class Halver {
 public:
  Halver(const sweeps::Sweep& sweep, const RunOptions& options, const fs::path& dir,
         RungTrainer trainer)
      : trainer_(trainer ? std::move(trainer)
                         : [&sweep](const RunOptions& o,
                                    const TrialSink& sink) { return run_trials(sweep, o, sink); }),
        sweep_(sweep),
        h_(*sweep.halving()),
        options_(options),
        replicates_(static_cast<std::uint64_t>(sweep.repeats()) *
                    static_cast<std::uint64_t>(sweep.folds())),
        configurations_(sweep.size() / replicates_),
        budget_(sweep.trial(0).config.train.epochs),
        ladder_(h_.ladder(budget_)),
        reached_(configurations_, 0) {
    const std::optional<std::uint64_t> keep = read_rungs(dir / kRungsFile);
    rungs_file_ = results::open_for_append(dir, kRungsFile, keep);
    if (!keep || *keep == 0) results::RowWriter(*rungs_file_).write(kRungsHeader);
  }

  // Every bracket, rung by rung; false when interrupted or stopped at a failure.
  bool climb() {
    for (int b = 0; b < h_.brackets; ++b) {
      std::vector<std::uint64_t> in = h_.members(configurations_, b, sweep_.seed());
      const std::vector<int> rungs = h_.rungs(b, budget_);
      for (std::size_t k = 0; k < rungs.size(); ++k) {
        if (!train_rung(rungs[k], in)) return false;
        for (std::uint64_t c : in) reached_[c] = std::max(reached_[c], rungs[k]);
        if (k + 1 < rungs.size()) in = survivors(rungs[k], in);
      }
    }
    return true;
  }

  // The final row of every trial not yet in trials.csv, in trial order.
  bool write_rows(const TrialSink& sink) {
    if (!retrain_missing()) return false;
    std::vector<FinishedTrial> batch;
    for (std::uint64_t i = 0; i < sweep_.size(); ++i) {
      if (options_.skip && options_.skip(i)) continue;
      batch.push_back(final_row(i));
      if (batch.size() == 256) sink(batch), stats_.finished += batch.size(), batch.clear();
    }
    if (!batch.empty()) sink(batch), stats_.finished += batch.size();
    return true;
  }

  RunStats& stats() { return stats_; }

 private:
  // Reads what an earlier run recorded; returns where its complete lines end.
  std::optional<std::uint64_t> read_rungs(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    results::CsvReader reader(in, path.string());
    results::CsvRecord record;
    bool header = true;
    while (reader.next(record) && !record.torn) {
      if (std::exchange(header, false)) continue;
      if (record.size() != 3)
        throw nn::InputError(path.string(), record.fields.front().line, 1,
                             "expected epochs,trial_index,metric");
      const auto epochs = results::integer_field(record.fields[0], path.string());
      const auto trial = results::unsigned_field(record.fields[1], path.string());
      metric_[{static_cast<int>(epochs), trial}] =
          results::parse_cell(record[2]).value_or(std::nan(""));
    }
    return reader.complete_bytes();
  }

  // How bad a configuration's mean metric is (lower is better); non-finite is worst.
  double badness(int epochs, std::uint64_t c) const {
    double sum = 0;
    for (std::uint64_t i = c * replicates_; i < (c + 1) * replicates_; ++i)
      sum += metric_.at({epochs, i});
    const double mean = sum / static_cast<double>(replicates_);
    if (!std::isfinite(mean)) return INFINITY;
    return h_.minimise() ? mean : -mean;
  }

  // The best ceil(n / eta) of `in` at `epochs`, ties by configuration index; the others are
  // noted as pruned there.
  std::vector<std::uint64_t> survivors(int epochs, const std::vector<std::uint64_t>& in) {
    std::vector<std::pair<double, std::uint64_t>> ranked;
    for (std::uint64_t c : in) ranked.emplace_back(badness(epochs, c), c);
    std::sort(ranked.begin(), ranked.end());
    const std::uint64_t keep = h_.keep(in.size());
    std::vector<std::uint64_t> out;
    for (std::uint64_t r = 0; r < ranked.size(); ++r) {
      const auto [bad, c] = ranked[r];
      if (r < keep) {
        out.push_back(c);
        continue;
      }
      const double mean = h_.minimise() ? bad : -bad;
      Pruning& p = pruned_[c];
      if (p.epochs < epochs)
        p = {epochs,
             fmt::format("pruned after {} epochs: its mean {} {:.4g} ranked {} of {}, and the "
                         "best {} went on",
                         epochs, h_.metric, mean, r + 1, ranked.size(), keep)};
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Trains the trials of `configurations` that have no metric at `epochs` yet.
  bool train_rung(int epochs, const std::vector<std::uint64_t>& configurations) {
    std::vector<bool> need(sweep_.size(), false);
    std::uint64_t first = UINT64_MAX, last = 0;
    for (std::uint64_t c : configurations)
      for (std::uint64_t i = c * replicates_; i < (c + 1) * replicates_; ++i)
        if (!metric_.contains({epochs, i})) need[i] = true, first = std::min(first, i), last = i;
    if (first == UINT64_MAX) return true;
    return train(epochs, need, first, last + 1, true);
  }

  // Trains the trials `need` marks to `epochs`; records their metrics in rungs.csv (`record`).
  bool train(int epochs, const std::vector<bool>& need, std::uint64_t begin, std::uint64_t end,
             bool record) {
    RunOptions o = options_;
    o.begin = begin, o.end = end, o.epochs = epochs;
    o.skip = [&need](std::uint64_t i) { return !need[i]; };
    const std::string column = "final_" + h_.metric;
    const RunStats s = trainer_(o, [&](std::span<FinishedTrial> pack) {
      std::string lines;
      for (FinishedTrial& f : pack) {
        const std::uint64_t i = f.record.index;
        const double value = *results::trial_metric(f.record, column);
        if (record) {
          metric_[{epochs, i}] = value;
          lines += fmt::format("{},{},", epochs, i);
          results::append_number(lines, value);
          lines += '\n';
        }
        Kept& k = kept_[i];
        if (k.epochs <= epochs) k = {epochs, std::move(f)};
      }
      results::RowWriter(*rungs_file_).write(lines);
    });
    stats_.trainings += s.trainings;
    stats_.interrupted = stats_.interrupted || s.interrupted;
    stats_.failed_fast = stats_.failed_fast || s.failed_fast;
    return !s.interrupted && !s.failed_fast;
  }

  // Trials whose final row this process did not train (a resumed run): trained again to the
  // epochs their configuration reached.
  bool retrain_missing() {
    std::map<int, std::vector<std::uint64_t>> by_epochs;
    for (std::uint64_t i = 0; i < sweep_.size(); ++i) {
      if (options_.skip && options_.skip(i)) continue;
      const int epochs = reached_[i / replicates_];
      const auto k = kept_.find(i);
      if (k == kept_.end() || k->second.epochs != epochs) by_epochs[epochs].push_back(i);
    }
    for (const auto& [epochs, trials] : by_epochs) {
      std::vector<bool> need(sweep_.size(), false);
      for (std::uint64_t i : trials) need[i] = true;
      if (!train(epochs, need, trials.front(), trials.back() + 1, false)) return false;
    }
    return true;
  }

  FinishedTrial final_row(std::uint64_t i) {
    FinishedTrial f = std::move(kept_.at(i).trial);
    kept_.erase(i);
    const int epochs = reached_[i / replicates_];
    f.record.rung =
        static_cast<int>(std::find(ladder_.begin(), ladder_.end(), epochs) - ladder_.begin());
    if (epochs < budget_ && f.record.outcome != results::Outcome::error) {
      f.record.outcome = results::Outcome::pruned;
      f.record.outcome_reason = pruned_.at(i / replicates_).reason;
    }
    return f;
  }

  const RungTrainer trainer_;
  const sweeps::Sweep& sweep_;
  const sweeps::Halving& h_;
  const RunOptions& options_;
  const std::uint64_t replicates_, configurations_;
  const int budget_;
  const std::vector<int> ladder_;
  std::vector<int> reached_;  // per configuration: the largest rung epochs it trained to
  std::map<std::pair<int, std::uint64_t>, double> metric_;  // (epochs, trial) -> metric
  std::unordered_map<std::uint64_t, Kept> kept_;
  std::unordered_map<std::uint64_t, Pruning> pruned_;
  std::unique_ptr<results::FileStream> rungs_file_;
  RunStats stats_;
};

}  // namespace

RunStats run_halving(const sweeps::Sweep& sweep, const RunOptions& options, const fs::path& dir,
                     const TrialSink& sink, const RungTrainer& trainer) {
  Halver halver(sweep, options, dir, trainer);
  if (halver.climb()) halver.write_rows(sink);
  return halver.stats();
}

std::vector<PlannedRung> plan_halving(const sweeps::Sweep& sweep) {
  const sweeps::Halving& h = *sweep.halving();
  const std::uint64_t replicates =
      static_cast<std::uint64_t>(sweep.repeats()) * static_cast<std::uint64_t>(sweep.folds());
  const std::uint64_t configurations = sweep.size() / replicates;
  const int budget = sweep.trial(0).config.train.epochs;
  const std::vector<int> ladder = h.ladder(budget);
  std::vector<PlannedRung> plan;
  for (int b = 0; b < h.brackets; ++b) {
    std::uint64_t n = h.entering(configurations, b);
    const std::vector<int> rungs = h.rungs(b, budget);
    for (std::size_t k = 0; k < rungs.size(); ++k) {
      PlannedRung r{.bracket = b,
                    .rung = static_cast<int>(k) + b,
                    .epochs = rungs[k],
                    .configurations = n,
                    .trials = n * replicates};
      r.trial_epochs = static_cast<double>(r.trials) * rungs[k];
      r.continued_trial_epochs =
          static_cast<double>(r.trials) * (rungs[k] - (k == 0 ? 0 : rungs[k - 1]));
      plan.push_back(r);
      n = h.keep(n);
    }
  }
  return plan;
}

}  // namespace runner
