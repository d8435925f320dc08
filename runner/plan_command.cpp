// `nnsweep plan SPEC.yaml`: validates a sweep and shows what `run` would do (the trial count
// and how it comes about, the axes, the first trials, the work and an estimate of the time)
// without writing anything. `--format csv` prints every trial instead, for other tools.
#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <unordered_map>

#include "nn/csv_data.h"
#include "nn/dataset.h"
#include "nn/input_error.h"
#include "nn/train.h"
#include "results/csv.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/halving.h"
#include "runner/pack_fill.h"
#include "runner/resources.h"
#include "sweeps/spec.h"

namespace runner {
namespace {

namespace po = boost::program_options;

// Above this many trials the work is summed over an even sample of them and scaled up, so
// planning stays quick.
constexpr std::uint64_t kWorkSample = 100'000;
// Rates of the phase after training (sorting and reading back the rows, the tables and the
// page), for the estimate; measured as bench/README.md ("Tables phase") records.
constexpr double kTableTrialsPerSecond = 50'000;
constexpr double kTableCurveRowsPerSecond = 700'000;

void print_csv(const sweeps::Sweep& sweep, std::ostream& out) {
  std::vector<std::string> row = {"index", "id", "repeat", "fold", "seed"};
  row.insert(row.end(), sweep.param_keys().begin(), sweep.param_keys().end());
  out << results::format_row(row);
  sweeps::TrialCache cache;
  for (std::uint64_t i = 0; i < sweep.size(); ++i) {
    sweeps::Trial t = sweep.trial(i, cache);
    row = {std::to_string(t.index), t.id, std::to_string(t.repeat),
           sweep.folds() > 1 ? std::to_string(t.fold) : "", std::to_string(t.seed)};
    for (sweeps::Param& p : t.params) row.push_back(std::move(p.value));
    out << results::format_row(row);
  }
}

std::string how_many(const sweeps::Sweep& sweep) {
  const sweeps::Sweep::Counts& c = sweep.counts();
  std::vector<std::string> sizes;
  for (const auto& axis : sweep.axes()) sizes.push_back(std::to_string(axis.values.size()));
  std::string how = sizes.empty() ? "no grid" : fmt::format("grid {}", fmt::join(sizes, " x "));
  if (c.excluded) how += fmt::format(" - {} excluded", c.excluded);
  if (c.collapsed) how += fmt::format(" - {} collapsed", c.collapsed);
  if (c.included) how += fmt::format(" + {} included", c.included);
  if (!sweep.random_params().empty()) how += fmt::format(", x {} random samples", c.samples);
  return fmt::format("{} trials = {} configurations ({}) x {} repeats{}", sweep.size(),
                     c.configurations, how, sweep.repeats(),
                     sweep.folds() > 1 ? fmt::format(" x {} folds", sweep.folds()) : "");
}

// Training-set sizes by data seed (equal data seeds mean equal data configurations); the last
// dataset built is kept for the calibration, which most often trains on it.
class TrainSizes {
 public:
  Eigen::Index operator()(const sweeps::Trial& t) {
    auto it = sizes_.find(t.data_seed);
    if (it == sizes_.end()) it = sizes_.emplace(t.data_seed, train_size(t)).first;
    return it->second;
  }
  // A CSV's splits are counted without copying its numbers into them: `plan` holds a large
  // file's numbers once (only the calibration builds a whole dataset).
  Eigen::Index train_size(const sweeps::Trial& t) {
    if (t.config.data.dataset != nn::DatasetKind::csv || (last_ && last_seed_ == t.data_seed))
      return dataset(t)->train.size();
    return nn::load_csv_splits(t.config.data, t.data_seed).train.size();
  }
  std::shared_ptr<const nn::Dataset> dataset(const sweeps::Trial& t,
                                             nn::ParseUse use = nn::ParseUse::share) {
    if (!last_ || last_seed_ != t.data_seed)
      last_ =
          std::make_shared<const nn::Dataset>(nn::make_dataset(t.config.data, t.data_seed, use)),
      last_seed_ = t.data_seed;
    return last_;
  }

 private:
  std::map<std::uint64_t, Eigen::Index> sizes_;
  std::shared_ptr<const nn::Dataset> last_;
  std::uint64_t last_seed_ = 0;
};

struct Work {
  double sample_epochs = 0;         // sum over trials of training samples x epochs
  double shared_sample_epochs = 0;  // the same when epoch siblings train once
  bool sampled = false;
};

// Epoch siblings (sweeps::Trial::training) are one training to the largest epoch count.
Work estimate_work(const sweeps::Sweep& sweep, TrainSizes& sizes) {
  Work w;
  const std::uint64_t step = std::max<std::uint64_t>(1, sweep.size() / kWorkSample);
  w.sampled = step > 1;
  std::unordered_map<std::uint64_t, double> by_training;  // at most kWorkSample entries
  for (std::uint64_t k = 0; k * step < sweep.size(); ++k) {
    // One trial from each stretch of `step`, at a hashed offset: a fixed stride would alias
    // with the innermost axes (a stride of 100 over 10 epoch values always sees the first).
    const std::uint64_t offset = step > 1 ? sweeps::stable_hash(std::to_string(k)) % step : 0;
    const sweeps::Trial t = sweep.trial(std::min(k * step + offset, sweep.size() - 1));
    const double work = static_cast<double>(sizes(t)) * t.config.train.epochs;
    w.sample_epochs += work;
    double& longest = by_training[t.training];
    longest = std::max(longest, work);
  }
  for (const auto& [training, work] : by_training) w.shared_sample_epochs += work;
  // A sample rarely holds two siblings: sharing is only counted exactly.
  if (w.sampled) w.shared_sample_epochs = w.sample_epochs;
  w.sample_epochs *= static_cast<double>(step);
  w.shared_sample_epochs *= static_cast<double>(step);
  return w;
}

// Trains copies of the middle trial side by side (nn::train_jobs: as many as train together in
// its precision, as a sweep's similar trials are run) for a growing number of epochs until it
// has run for a tenth of a second (or all its epochs), and returns seconds per training
// sample-epoch; `lanes`: how many trained together.
double calibrate(const sweeps::Sweep& sweep, TrainSizes& sizes, std::string& what, int& lanes) {
  const sweeps::Trial t = sweep.trial(sweep.size() / 2);
  // The plan's last use of the file: its parse goes into the dataset (nn::ParseUse).
  const std::shared_ptr<const nn::Dataset> kept = sizes.dataset(t, nn::ParseUse::last);
  const nn::Dataset& data = *kept;
  nn::TrialConfig config = t.config;
  lanes = nn::trainings_side_by_side(config.train.precision);
  for (int epochs = 2;; epochs *= 4) {
    config.train.epochs = std::min(epochs, t.config.train.epochs);
    const std::vector<nn::TrainJob> pack(lanes, {&config, t.seed, {}});
    const auto start = std::chrono::steady_clock::now();
    // On one thread: a run's packs keep every thread busy, so none helps their evaluations.
    std::vector<nn::TrainResult> results;
    tbb::task_arena one_thread(1);
    one_thread.execute([&] { results = nn::train_jobs(pack, data); });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int run = std::max(results.front().epochs_run, 1);
    if (seconds >= 0.1 || config.train.epochs == t.config.train.epochs) {
      what = fmt::format("a pack of {} copies of trial {} for {} epochs in {:.3f} s", lanes,
                         t.index, run, seconds);
      return seconds / (static_cast<double>(sizes(t)) * run * lanes);
    }
  }
}

std::string duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// Memory, disk and the time of the phase after training (sorting and reading back
// trials.csv and curves.csv, the tables and report.html), which grows with the rows written.
void print_resources(const sweeps::Sweep& sweep, std::ostream& out) {
  const int threads = tbb::info::default_concurrency();
  const Resources r = estimate_resources(sweep, threads);
  const auto limit = memory_limit();
  out << fmt::format(
      "memory: about {} at peak ({} trainings at once on {} threads, up to {} each){}\n",
      human_bytes(static_cast<double>(r.peak_memory)), r.trainings, threads,
      human_bytes(static_cast<double>(r.trial_memory)),
      limit ? fmt::format("; this machine allows {}", human_bytes(static_cast<double>(*limit)))
            : "");
  out << fmt::format("disk: about {} ({} rows of trials.csv, {} rows of curves.csv{})\n",
                     human_bytes(static_cast<double>(r.disk_bytes)), r.trial_rows, r.curve_rows,
                     r.sampled ? ", from a sample of trials" : "");
  const double tables_seconds = static_cast<double>(r.trial_rows) / kTableTrialsPerSecond +
                                static_cast<double>(r.curve_rows) / kTableCurveRowsPerSecond;
  out << fmt::format("tables and report after training: about {}\n", duration(tables_seconds));
}

void print_counts(const sweeps::Sweep& sweep, std::ostream& out) {
  out << fmt::format("sweep {} ({}), spec hash {}\n", sweep.name(), sweep.file().string(),
                     sweep.hash());
  out << how_many(sweep) << "\n";
  const std::vector<std::string> collapsed = sweep.collapse_notes();
  if (collapsed.empty()) return;
  out << "collapsed: combinations that differ only in a setting that does not apply are one "
         "trial:\n";
  for (const std::string& note : collapsed) out << "  " << note << "\n";
}

// The axes and random parameters; returns their keys, the columns of the trial list.
std::vector<std::string> print_varied(const sweeps::Sweep& sweep, std::ostream& out) {
  std::vector<std::string> varied;
  if (!sweep.axes().empty())
    out << (sweep.folds() > 1
                ? "\naxes (the last varies fastest of them; folds, then repeats, vary faster):\n"
                : "\naxes (the last varies fastest, then repeats):\n");
  for (const auto& axis : sweep.axes()) {
    out << fmt::format("  {:<28} {}\n", axis.key, fmt::join(axis.values, ", "));
    varied.push_back(axis.key);
  }
  if (!sweep.random_params().empty())
    out << fmt::format("\nrandom ({}, {} samples):\n", sweep.random_spread().method,
                       sweep.counts().samples);
  for (const sweeps::Param& p : sweep.random_params()) {
    out << fmt::format("  {:<28} {}\n", p.key, p.value);
    varied.push_back(p.key);
  }
  return varied;
}

// How evenly the samples cover their ranges, beside the pseudo-random draw of the same seed.
void print_spread(const sweeps::Sweep& sweep, std::ostream& out) {
  const sweeps::Sweep::RandomSpread spread = sweep.random_spread();
  if (spread.params.empty()) return;
  const bool compare = spread.method != "pseudo";
  auto versus = [&](const std::string& own, const std::string& pseudo) {
    return compare && !pseudo.empty() ? fmt::format("{} (pseudo {})", own, pseudo) : own;
  };
  out << "\nspread (slices: the share of equal slices of each range, one per sample or value,\n"
         "that hold a sample; gap: the largest difference between the samples' distribution\n"
         "and the range's; lower is more even):\n";
  for (const auto& row : spread.params) {
    const auto percent = [](const sweeps::Spread& s) {
      return fmt::format("{:.0f}% of {}", 100 * s.filled, s.bins);
    };
    const auto gap = [](const sweeps::Spread& s) { return fmt::format("{:.3f}", s.discrepancy); };
    out << fmt::format("  {:<28} slices {}, gap {}\n", row.key,
                       versus(percent(row.spread), row.pseudo ? percent(*row.pseudo) : ""),
                       versus(gap(row.spread), row.pseudo ? gap(*row.pseudo) : ""));
  }
  out << fmt::format("  {:<28} centred L2 discrepancy {}, over the first {} samples\n", "joint",
                     versus(fmt::format("{:.4f}", spread.joint),
                            spread.joint_pseudo ? fmt::format("{:.4f}", *spread.joint_pseudo) : ""),
                     spread.joint_points);
}

void print_first_trials(const sweeps::Sweep& sweep, std::uint64_t first,
                        const std::vector<std::string>& varied, std::ostream& out) {
  first = std::min(first, sweep.size());
  const bool folds = sweep.folds() > 1;
  out << fmt::format("\nfirst {} trials:\n  {:>7}  {:<16}  {:>6}{}", first, "index", "id", "repeat",
                     folds ? "  fold" : "");
  for (const std::string& key : varied) out << "  " << key;
  out << "\n";
  for (std::uint64_t i = 0; i < first; ++i) {
    const sweeps::Trial t = sweep.trial(i);
    std::string line = fmt::format("  {:>7}  {}  {:>6}", t.index, t.id, t.repeat);
    if (folds) line += fmt::format("  {:>4}", t.fold);
    const auto params = sweep.params(t.config);
    for (const std::string& key : varied) {
      auto p = std::find_if(params.begin(), params.end(),
                            [&](const sweeps::Param& q) { return q.key == key; });
      line += fmt::format("  {:<{}}", p == params.end() ? "" : p->value, key.size());
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  }
}

void print_work(const Work& work, std::ostream& out) {
  out << fmt::format("\nwork: {:.3g} sample-epochs (training samples x epochs, summed{})",
                     work.sample_epochs, work.sampled ? " over a sample of trials" : "");
  if (work.shared_sample_epochs < work.sample_epochs)
    out << fmt::format("; {:.3g} when trials differing only in epochs train once",
                       work.shared_sample_epochs);
  out << "\n";
}

// Times a short training of a few trials and scales it to the sweep's work and to how full its
// packs will be: a pack costs about the same whatever number of its lanes train.
void print_time(const sweeps::Sweep& sweep, TrainSizes& sizes, const Work& work,
                std::ostream& out) {
  std::string what;
  int lanes = 0;
  const double per = calibrate(sweep, sizes, what, lanes);
  const double fill = expected_pack_fill(sweep);
  const double total = per * work.shared_sample_epochs * lanes / fill;
  const int cores = tbb::info::default_concurrency();
  out << fmt::format(
      "time: about {} on one core, {} on {} cores (calibrated on {}; packs will hold {:.1f} "
      "trainings of {} on average)\n",
      duration(total), duration(total / cores), cores, what, fill, lanes);
}

// The rungs of halving and their work against the full grid's, `work` (every trial to
// train.epochs). Rungs of later brackets may meet trials an earlier one trained and reuse them,
// so the totals are upper bounds with more than one bracket.
void print_halving(const sweeps::Sweep& sweep, const Work& work, std::ostream& out) {
  const sweeps::Halving& h = *sweep.halving();
  out << fmt::format(
      "\nhalving by {} ({}), eta {}, {} bracket{} (survivors are retrained from zero):\n"
      "  {:>7}  {:>4}  {:>6}  {:>14}  {:>8}\n",
      h.metric, h.minimise() ? "lowest first" : "highest first", h.eta, h.brackets,
      h.brackets == 1 ? "" : "s", "bracket", "rung", "epochs", "configurations", "trials");
  double trial_epochs = 0, continued = 0;
  for (const PlannedRung& r : plan_halving(sweep)) {
    out << fmt::format("  {:>7}  {:>4}  {:>6}  {:>14}  {:>8}\n", r.bracket, r.rung, r.epochs,
                       r.configurations, r.trials);
    trial_epochs += r.trial_epochs, continued += r.continued_trial_epochs;
  }
  const double full = static_cast<double>(sweep.size()) * sweep.trial(0).config.train.epochs;
  const double scale = work.sample_epochs / full;  // sample-epochs per trial-epoch
  out << fmt::format(
      "halving work: {}{:.3g} sample-epochs, {:.0f}% of the full grid's {:.3g} (continuing "
      "survivors from their last rung instead: {:.3g}, {:.0f}%)\n",
      h.brackets > 1 ? "at most " : "", trial_epochs * scale, 100 * trial_epochs / full,
      work.sample_epochs, continued * scale, 100 * continued / full);
}

struct TextOptions {
  std::uint64_t first = 10;  // trials listed
  bool calibrate = true;     // train a little to estimate the time
};

void print_text(const sweeps::Sweep& sweep, const TextOptions& options, std::ostream& out) {
  print_counts(sweep, out);
  const std::vector<std::string> varied = print_varied(sweep, out);
  print_spread(sweep, out);
  print_first_trials(sweep, options.first, varied, out);
  TrainSizes sizes;
  const Work work = estimate_work(sweep, sizes);
  print_work(work, out);
  if (sweep.halving()) print_halving(sweep, work, out);
  print_resources(sweep, out);
  if (options.calibrate) print_time(sweep, sizes, work, out);
}

}  // namespace

int plan_command(const Args& args) {
  std::string spec_path, format = "text";
  std::vector<std::string> override_texts;
  std::vector<int> override_positions;
  std::uint64_t max_trials = sweeps::LoadOptions{}.max_trials, first = 10;
  po::options_description options(
      "usage: nnsweep plan SPEC.yaml [KEY=VALUE ...] [options]\n\n"
      "Validates a sweep file and shows its trials and the work they take. Trains only a few\n"
      "epochs of one trial, to estimate the time; writes nothing. KEY=VALUE changes the sweep\n"
      "file's value at KEY (YAML), as for run.\n\noptions");
  options.add_options()("help,h", "show this help")(
      "format", po::value(&format), "text (default) or csv: every trial's id, seed and settings")(
      "first", po::value(&first), "how many trials to list in text format (default 10)")(
      "no-calibration", "skip the short training that estimates the time")(
      "max-trials", po::value(&max_trials), "refuse sweeps larger than this (default 1000000)");
  po::variables_map vm;
  if (!parse_command_line(
          args, options,
          {{"spec", &spec_path}, {"set", nullptr, &override_texts, &override_positions}}, vm))
    return kExitOk;
  if (spec_path.empty()) throw po::error("a sweep file is required: nnsweep plan SPEC.yaml");
  if (format != "text" && format != "csv")
    throw po::error("--format must be text or csv, got " + nn::quote_input(format));

  sweeps::LoadOptions load;
  load.max_trials = max_trials;
  load.overrides = spec_overrides(override_texts, override_positions);
  const sweeps::Sweep sweep = sweeps::load_sweep(spec_path, load);
  if (format == "csv")
    print_csv(sweep, std::cout);
  else
    print_text(sweep, {.first = first, .calibrate = vm.count("no-calibration") == 0}, std::cout);
  return kExitOk;
}

}  // namespace runner
