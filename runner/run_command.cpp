// `nnsweep run SPEC`: validate, prepare (or resume) the output directory, train every trial in
// parallel while streaming rows to disk, then write the tables and print the convergence table.
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "nn/input_error.h"
#include "nn/vector_math.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/curves.h"
#include "results/interrupt.h"
#include "results/manifest.h"
#include "results/row_writer.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/extend.h"
#include "runner/halving.h"
#include "runner/judge_again.h"
#include "runner/live_report.h"
#include "runner/mpi_backend.h"
#include "runner/output_dir.h"
#include "runner/progress.h"
#include "runner/resources.h"
#include "runner/saved_models.h"
#include "runner/shard.h"
#include "runner/sweep_runner.h"
#include "runner/sweep_trials.h"
#include "sweeps/canonical.h"
#include "sweeps/spec.h"

namespace runner {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

// Set by SIGINT/SIGTERM. A signal handler can only reach static storage, hence the one global.
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) {
  g_interrupted.store(true);
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "";
}

// What a previous run left in `dir`: the trials with a complete row and, unless they failed
// with an error or the sweep keeps no curves, a complete curve; and where each file's complete
// part ends (a kill can tear the last line).
struct Previous {
  std::vector<bool> done;
  std::uint64_t done_count = 0;
  std::uint64_t curves_missing = 0;  // trials with a row but no complete curve: trained again
  std::optional<std::uint64_t> trials_bytes, curves_bytes;
  // The convergence settings its rows were judged again with (report --set): the new rows are
  // judged the same way.
  std::vector<std::string> judged_with;
  std::vector<results::SpecChange> history;  // the manifest's, kept
};

// The curve ends of `path` (results::curve_ends) and where its complete part ends; none when
// there is no such file.
std::unordered_map<std::string, int> read_curve_ends(const fs::path& path,
                                                     std::optional<std::uint64_t>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::uint64_t complete = 0;
  auto ends = results::curve_ends(in, path.string(), &complete);
  bytes = complete;
  return ends;
}

// For the message of a refused resume: the overrides when they differ, else the file.
std::string what_changed(const results::ManifestInfo& info, const std::vector<std::string>& now) {
  if (info.overrides == now) return "the sweep file";
  auto listed = [](const std::vector<std::string>& overrides) {
    std::vector<std::string> quoted;
    for (const std::string& o : overrides) quoted.push_back(nn::quote_input(o));
    return quoted.empty() ? std::string("none") : fmt::format("{}", fmt::join(quoted, " "));
  };
  return fmt::format("the command-line overrides (there: {}; now: {})", listed(info.overrides),
                     listed(now));
}

Previous read_previous(const fs::path& dir, const sweeps::Sweep& sweep, const Shard& shard,
                       const std::vector<std::string>& overrides) {
  Previous prev;
  prev.done.assign(sweep.size(), false);
  const std::optional<results::ManifestInfo> manifest = results::read_manifest(dir);
  if (!manifest)
    throw nn::InputError(dir.string(), 0, 0,
                         "cannot --resume: no manifest.yaml, so this is not an nnsweep output "
                         "directory");
  const results::ManifestInfo& info = *manifest;
  if (info.id_scheme != sweeps::kIdScheme)
    throw nn::InputError(
        dir.string(), 0, 0,
        fmt::format("cannot --resume: that run was made by an nnsweep whose trial ids and seeds "
                    "differ from this one's (id scheme {} there, {} here), so its rows cannot be "
                    "continued; run the sweep again into a new --out directory",
                    info.id_scheme, sweeps::kIdScheme));
  if (!info.extending.empty())
    throw nn::InputError(dir.string(), 0, 0,
                         fmt::format("cannot --resume: an --extend into another sweep file (spec "
                                     "hash {}) was stopped half way; finish it with --extend",
                                     info.extending));
  prev.judged_with = info.judged_with, prev.history = info.history;
  const std::string& hash = info.spec_hash;
  if (hash != sweep.hash())
    throw nn::InputError(
        sweep.file().string(), 0, 0,
        fmt::format("cannot --resume {}: {} changed since that run (spec hash {} "
                    "there, {} now); run it into a new --out directory, or grow that run with "
                    "--extend",
                    dir.string(), what_changed(info, overrides), hash, sweep.hash()));
  if (info.shard != (shard.whole() ? "" : shard.text()))
    throw nn::InputError(dir.string(), 0, 0,
                         fmt::format("cannot --resume: that run was {}, this one is {}",
                                     info.shard.empty() ? "the whole sweep" : "shard " + info.shard,
                                     shard.whole() ? "the whole sweep" : "shard " + shard.text()));
  // A trial is complete when both files hold it: rows reach the disk curves first, but a crash
  // of the machine can keep the later write and lose the earlier.
  const auto curve_ends = read_curve_ends(dir / "curves.csv", prev.curves_bytes);
  if (std::ifstream trials{dir / "trials.csv", std::ios::binary}) {
    const auto info =
        results::read_trials(trials, (dir / "trials.csv").string(), [&](results::TrialRecord&& r) {
          if (r.index >= prev.done.size() || prev.done[r.index]) return;
          const auto end = curve_ends.find(r.id);
          if (sweep.curves().enabled && r.error.empty() &&
              (end == curve_ends.end() || end->second != r.epochs_run)) {
            ++prev.curves_missing;
            return;
          }
          prev.done[r.index] = true, ++prev.done_count;
        });
    // Rows of this nnsweep appended under an older header would not fit it.
    if (info.without_class_scores || info.without_rung || info.without_stopped_epoch)
      throw nn::InputError((dir / "trials.csv").string(), 1, 1,
                           "cannot --resume: this trials.csv was written by an older nnsweep, "
                           "without the fold, class score, stopped_epoch or rung columns; run "
                           "the sweep again into a new --out directory");
    prev.trials_bytes = info.complete_bytes;
  }
  return prev;
}

std::unique_ptr<results::FileStream> open_rows_file(const fs::path& dir, std::string_view name,
                                                    std::optional<std::uint64_t> keep,
                                                    const std::string& header) {
  auto out = results::open_for_append(dir, name, keep);
  if (!keep || *keep == 0) results::RowWriter(*out).write(header);
  return out;
}

// `text` as one word of a POSIX shell command line.
std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// What the command line asked for.
struct RunRequest {
  std::string spec_path, out_dir, save_models_text = "best";
  int threads = 0;  // 0: all cores
  std::uint64_t max_trials = sweeps::LoadOptions{}.max_trials;
  Shard shard;
  SaveModels save_models = SaveModels::best;
  bool quiet = false, resume = false, extend = false, progress = false, fail_fast = false,
       mpi = false;
  bool live_report = true;  // report.html rebuilt while the run goes
  bool save_models_given = false, max_trials_given = false;  // said on the command line
  std::vector<std::string> override_texts;                   // KEY=VALUE changes to the sweep file
  std::vector<int> override_positions;
  std::vector<sweeps::SpecOverride> overrides;
};

// The request, or nothing when --help was asked for (and shown).
std::optional<RunRequest> parse_run_request(const Args& args) {
  RunRequest r;
  std::string shard_text;
  po::options_description options(
      "usage: nnsweep run SPEC.yaml [KEY=VALUE ...] [options]\n\n"
      "KEY=VALUE changes the sweep file's value at KEY (YAML), e.g. train.epochs=50\n\noptions");
  options.add_options()("help,h", "show this help")(
      "out,o", po::value(&r.out_dir), "output directory (default: runs/<sweep name>)")(
      "threads,t", po::value(&r.threads), "worker threads (default: all cores)")(
      "resume", "continue the run in --out: train only the trials with no complete row")(
      "extend",
      "grow the run in --out into the (changed) sweep file: keep every finished trial still in "
      "it, train the new ones, move the rest to retired.csv")(
      "quiet,q", "no progress and no table on the terminal, and no live report.html")(
      "no-live-report", "write report.html only at the end, not every few seconds during the run")(
      "progress", "show progress even when stderr is not a terminal")(
      "fail-fast", "stop at the first trial that fails with an error")(
      "max-trials", po::value(&r.max_trials), "refuse sweeps larger than this (default 1000000)")(
      "shard", po::value(&shard_text),
      "run only shard K of N (K/N, K from 0): contiguous trial ranges, one directory each")(
      "save-models", po::value(&r.save_models_text),
      "trained models to keep in <out>/models: none, best (the best trial of each dataset, "
      "default) or all")(
      "mpi", "distribute the trials over MPI ranks (start with mpirun); rank 0 writes the files");
  po::variables_map vm;
  if (!parse_command_line(
          args, options,
          {{"spec", &r.spec_path}, {"set", nullptr, &r.override_texts, &r.override_positions}}, vm))
    return std::nullopt;
  r.overrides = spec_overrides(r.override_texts, r.override_positions);
  if (r.spec_path.empty()) throw po::error("a sweep file is required: nnsweep run SPEC.yaml");
  if (vm.count("threads") && r.threads < 1) throw po::error("--threads must be at least 1");
  if (vm.count("out") && r.out_dir.empty())
    throw po::error("--out needs a directory; leave it out for runs/<sweep name>/");
  if (r.out_dir == "-") throw po::error("--out must be a directory: a run writes several files");
  r.quiet = vm.count("quiet") > 0, r.resume = vm.count("resume") > 0;
  r.extend = vm.count("extend") > 0;
  r.progress = vm.count("progress") > 0, r.fail_fast = vm.count("fail-fast") > 0;
  r.mpi = vm.count("mpi") > 0;
  r.live_report = !r.quiet && vm.count("no-live-report") == 0;
  r.save_models_given = vm.count("save-models") > 0;
  r.max_trials_given = vm.count("max-trials") > 0;
  if (!shard_text.empty()) r.shard = parse_shard(shard_text);
  const auto save_models = parse_save_models(r.save_models_text);
  if (!save_models) throw po::error("--save-models must be none, best or all");
  r.save_models = *save_models;
  if (r.mpi && !mpi_available())
    throw po::error(
        "this nnsweep was built without MPI: install Debian's libopenmpi-dev and openmpi-bin "
        "(apt-get install libopenmpi-dev openmpi-bin), then rebuild; or run shards with --shard");
  return r;
}

// An MPI worker: trains what rank 0 hands out and writes nothing.
int work_for_rank_zero(const MpiSession& mpi, const sweeps::Sweep& sweep,
                       const RunRequest& request) {
  RunOptions work;
  work.threads = request.threads;
  work.fail_fast = request.fail_fast;
  work.interrupt = &g_interrupted;
  mpi_work(mpi, sweep, work);
  return kExitOk;
}

OutputDir output_dir_of(const RunRequest& request, const sweeps::Sweep& sweep) {
  const Shard& shard = request.shard;
  fs::path given = request.out_dir.empty() ? default_output_dir(sweep.name(), request.spec_path)
                                           : fs::path(request.out_dir);
  if (request.out_dir.empty() && !shard.whole())
    given /= fmt::format("shard-{}-of-{}", shard.index, shard.count);
  return resolve_output_dir(given);
}

// A run writes into a new or empty directory, or continues (--resume) the run in it.
void check_output_dir(const OutputDir& out, bool resume) {
  if (fs::exists(out.path) && !fs::is_directory(out.path))
    throw nn::InputError(out.shown, 0, 0, "the output path exists and is not a directory");
  if (!is_empty_output_dir(out.path) && !resume)
    throw nn::InputError(out.shown, 0, 0,
                         "output directory is not empty; add --resume to continue that run, or "
                         "choose another directory with --out");
}

// Every option that changes what the files hold, or whether the resume is accepted.
std::string resume_command(const RunRequest& request, const OutputDir& out) {
  std::string command = "nnsweep run " + shell_word(request.spec_path);
  for (const std::string& o : request.override_texts) command.append(" ").append(shell_word(o));
  if (!request.shard.whole()) command += " --shard " + request.shard.text();
  if (request.save_models_given) command += " --save-models " + request.save_models_text;
  if (request.max_trials_given) command += fmt::format(" --max-trials {}", request.max_trials);
  if (request.fail_fast) command += " --fail-fast";
  return command + " --out " + shell_word(out.shown) + (request.extend ? " --extend" : " --resume");
}

results::Manifest start_manifest(const sweeps::Sweep& sweep, const RunRequest& request,
                                 const Previous& prev);

// --extend: a changed sweep file first makes the directory a partial run of the new sweep.
void extend_first(const OutputDir& out, const sweeps::Sweep& sweep, const RunRequest& request) {
  if (!request.extend) return;
  const auto count =
      extend_output_dir(out.path, sweep, request.shard, start_manifest(sweep, request, {}));
  if (count && !request.quiet)
    std::cerr << fmt::format(
        "extending {}/: {} finished trials kept, {} to train, {} retired to retired.csv\n",
        out.shown, count->kept, count->train, count->retired);
}

Previous previous_run(const OutputDir& out, const sweeps::Sweep& sweep, const RunRequest& request) {
  if (!(request.resume || request.extend) || is_empty_output_dir(out.path)) return {};
  extend_first(out, sweep, request);
  Previous prev = read_previous(out.path, sweep, request.shard, request.override_texts);
  if (prev.curves_missing > 0 && !request.quiet)
    std::cerr << fmt::format(
        "{} trials have a row in trials.csv but no complete curve in curves.csv: training them "
        "again\n",
        prev.curves_missing);
  return prev;
}

results::Manifest start_manifest(const sweeps::Sweep& sweep, const RunRequest& request,
                                 const Previous& prev) {
  results::Manifest manifest;
  manifest.id_scheme = sweeps::kIdScheme;
  manifest.spec_yaml = sweep.canonical_yaml();
  manifest.spec_hash = sweep.hash();
  manifest.judged_with = prev.judged_with;
  manifest.history = prev.history;
  manifest.overrides = request.override_texts;
  manifest.version = version_string();
  manifest.git_revision = NNSWEEP_GIT_REVISION;
  manifest.compiler = NNSWEEP_COMPILER;
  manifest.compiler_flags = NNSWEEP_CXX_FLAGS;
  manifest.eigen = eigen_version();
  manifest.vector_width = nn::simd::widest();
  manifest.threads = request.threads;
  manifest.host = host_name();
  manifest.started = std::chrono::system_clock::now();
  manifest.trials_total = request.shard.end(sweep.size()) - request.shard.begin(sweep.size());
  manifest.sweep_trials = sweep.size();
  if (!request.shard.whole()) manifest.shard = request.shard.text();
  return manifest;
}

// Where the finished trials go: curves.csv and trials.csv (appended a pack at a time, curves
// first: a trial's row is the mark that it is complete), the progress line, and what the tables
// need. Rows come in trial order; into files this run created they stay in order, so the tables
// are built as they come and the files need neither sorting nor reading back at the end. The
// parameters of the best trials go with them (or, when the tables are read back, to `best`):
// report.html's boundaries and --save-models best need them at the end, and training them again
// would be serial work after the sweep.
class RowSink {
 public:
  RowSink(const fs::path& dir, const sweeps::Sweep& sweep, const Previous& prev,
          std::optional<Progress> progress, std::string where, std::string resume)
      : trials_file_(open_rows_file(dir, "trials.csv", prev.trials_bytes,
                                    results::format_trials_header(sweep.param_keys()))),
        // `curves: off` writes no curves.csv (no row would ever reach it).
        curves_file_(sweep.curves().enabled ? open_rows_file(dir, "curves.csv", prev.curves_bytes,
                                                             results::format_curves_header())
                                            : nullptr),
        trials_(*trials_file_),
        curves_(curves_file_ ? static_cast<std::ostream&>(*curves_file_) : no_curves_),
        progress_(std::move(progress)),
        where_(std::move(where)),
        resume_(std::move(resume)) {}

  // The tables are built as the rows come, from `pivot`, while they come in trial order.
  void build_tables(const results::PivotSpec& pivot, std::vector<std::string> keys,
                    results::ColumnRoles roles) {
    builder_.emplace(pivot, std::move(keys), std::move(roles));
  }

  // A pack of trials trained here, written together: one write (and flush) per file.
  void add(std::span<FinishedTrial> pack) {
    for (FinishedTrial& done : pack) {
      if (last_index_ && done.record.index <= *last_index_) builder_.reset();
      last_index_ = done.record.index;
      // The page draws the curves from these rows instead of reading curves.csv back.
      if (builder_)
        builder_->add(done.record,
                      {std::move(done.parameters), std::move(done.snapshots), std::move(done.data)},
                      curves_file_ ? &done.curve : nullptr);
      else
        best_.add(done.record,
                  {std::move(done.parameters), std::move(done.snapshots), std::move(done.data)});
      trial_rows_ += results::format_trial_row(done.record);
      if (!done.curve_rows.empty()) curve_rows_.push_back(std::move(done.curve_rows));
      statuses_.push_back(done.record.outcome);
    }
    write();
  }

  // A trial an MPI worker trained.
  void add(const TrialRows& rows) {
    trial_rows_ = rows.trial_row, curve_rows_.clear();
    if (!rows.curve_rows.empty()) curve_rows_.push_back(rows.curve_rows);
    statuses_ = {rows.outcome};
    write();
  }

  void finish() {
    if (progress_) progress_->finish();
    trials_file_->flush();
    if (curves_file_) curves_file_->flush();
    // On their way to the disk while the tables are made, which sync them with theirs.
    trials_file_->start_writeback();
    if (curves_file_) curves_file_->start_writeback();
  }

  // The tables' aggregates, when every row came in trial order.
  std::optional<results::TablesBuilder>& builder() { return builder_; }
  const results::BestTrials& best() const { return best_; }

 private:
  void write() {
    try {
      if (!curve_rows_.empty()) curves_.write(curve_rows_);
      trials_.write(trial_rows_);
    } catch (const std::system_error& e) {
      // A full disk or a vanished directory: say where, why, and how to go on.
      throw std::runtime_error(fmt::format(
          "cannot write the results in {}/: {}; the rows already written are complete: free "
          "space, then finish the sweep with: {}",
          where_, e.code().message(), resume_));
    }
    if (progress_)
      for (const results::Outcome status : statuses_) progress_->add(status);
    trial_rows_.clear(), curve_rows_.clear(), statuses_.clear();
  }

  std::unique_ptr<results::FileStream> trials_file_, curves_file_;
  std::ofstream no_curves_;
  results::RowWriter trials_, curves_;
  std::optional<Progress> progress_;
  std::string where_, resume_;
  std::string trial_rows_;
  std::vector<std::string> curve_rows_;  // each trial's, written without joining them
  std::vector<results::Outcome> statuses_;
  std::optional<results::TablesBuilder> builder_;
  results::BestTrials best_{column_roles(nullptr)};  // groups by data settings only
  std::optional<std::uint64_t> last_index_;
};

// The progress line, on a terminal (or when asked) unless the run is quiet.
std::optional<Progress> progress_line(const RunRequest& request, std::uint64_t total,
                                      const Previous& prev) {
  if (request.quiet || !(request.progress || isatty(STDERR_FILENO) == 1)) return std::nullopt;
  return std::optional<Progress>(std::in_place, total, prev.done_count, std::cerr);
}

RunOptions run_options(const fs::path& dir, const sweeps::Sweep& sweep, const RunRequest& request,
                       const Previous& prev) {
  RunOptions run;
  run.threads = request.threads;
  // Every dataset is built during the sweep, so each parse can go after its last one; halving
  // builds them again for every rung, and --save-models all after the sweep.
  run.release_csv = !request.mpi && !sweep.halving() && request.save_models != SaveModels::all;
  run.begin = request.shard.begin(sweep.size());
  run.end = request.shard.end(sweep.size());
  run.fail_fast = request.fail_fast;
  run.interrupt = &g_interrupted;
  if (prev.done_count > 0) run.skip = [&prev](std::uint64_t i) { return prev.done[i]; };
  if (request.save_models == SaveModels::all) {
    // Saved as they are trained; what is left (epoch siblings shorter than their training) is
    // trained again after the sweep.
    run.trained = [dir, &sweep](const sweeps::Trial& trial, const nn::Dataset& data,
                                const nn::TrainResult& result,
                                const std::vector<double>& parameters) {
      save_model(dir, sweep, trial, data, result, parameters);
    };
  }
  return run;
}

// Successive halving over MPI: each rung is a hand-out of its own, and its rows come back as
// text, read back into the records the rung's decision needs.
RungTrainer mpi_rungs(const MpiSession& mpi, const sweeps::Sweep& sweep) {
  return [&mpi, &sweep](const RunOptions& options, const TrialSink& sink) {
    return mpi_coordinate(mpi, sweep, options, [&](const TrialRows& rows) {
      const std::string from = "a row from an MPI rank";
      std::istringstream in(rows.trial_row);
      results::CsvReader reader(in, from);
      results::CsvRecord record;
      if (!reader.next(record) || record.torn) throw std::runtime_error(from + " is not complete");
      FinishedTrial done{.record = results::parse_trial_row(record, sweep.param_keys(), from),
                         .curve_rows = rows.curve_rows};
      sink(std::span<FinishedTrial>(&done, 1));
    });
  };
}

// Trains every trial the run needs: here or over MPI ranks, all at once or rung by rung.
RunStats train_all(const sweeps::Sweep& sweep, const RunOptions& run, const fs::path& dir,
                   RowSink& sink, const std::optional<MpiSession>& mpi) {
  const TrialSink to_sink = [&](std::span<FinishedTrial> pack) { sink.add(pack); };
  const bool ranks = mpi && mpi->size() > 1;
  RunStats stats;
  if (sweep.halving())
    stats = run_halving(sweep, run, dir, to_sink, ranks ? mpi_rungs(*mpi, sweep) : RungTrainer{});
  else if (ranks)
    stats = mpi_coordinate(*mpi, sweep, run, [&](const TrialRows& rows) { sink.add(rows); });
  else
    stats = run_trials(sweep, run, to_sink);
  if (ranks) mpi_release(*mpi);
  return stats;
}

// The live report.html of a run that asked for it. NNSWEEP_LIVE_REPORT_SECONDS sets the shortest
// interval between rebuilds (tests make it short; the cost rule still holds).
std::optional<LiveReportOptions> live_report(const OutputDir& out, const sweeps::Sweep& sweep,
                                             const RunRequest& request,
                                             const results::Manifest& manifest,
                                             const Previous& prev) {
  if (!request.live_report) return std::nullopt;
  LiveReportOptions options{.dir = out.path,
                            .sweep_name = sweep.name(),
                            .pivot = sweep.report(),
                            .columns = column_roles(&sweep),
                            .total = manifest.trials_total,
                            .done_before = prev.done_count};
  if (const char* seconds = std::getenv("NNSWEEP_LIVE_REPORT_SECONDS")) {
    // Anything but a positive finite number is ignored; a day is the longest interval.
    const double s = std::atof(seconds);
    if (std::isfinite(s) && s > 0)
      options.interval =
          std::chrono::milliseconds(std::max<long>(1, std::lround(std::min(s, 86400.0) * 1e3)));
  }
  return options;
}

// Stops the rebuilds before the final tables, which replace their page.
void stop_live_report(std::optional<LiveReport>& live) {
  if (!live) return;
  live->stop();
  if (!live->error().empty())
    std::cerr << "warning: report.html could not be rebuilt during the run: " << live->error()
              << "\n";
}

// Everything the run does after the sweep, and what it says at the end.
struct RunEnd {
  const sweeps::Sweep& sweep;
  const RunRequest& request;
  const OutputDir& out;
  const Previous& prev;
  const RunStats& stats;
  std::string resume;
};

// Stopped by Ctrl-C during the sweep: what is on disk, and how to go on.
int say_interrupted(const RunEnd& end, std::uint64_t trials) {
  std::cerr << fmt::format(
      "interrupted: {} of {} trials are on disk in {}/\nto finish the sweep: {}\n",
      end.prev.done_count + end.stats.finished, trials, end.out.shown, end.resume);
  return kExitInterrupted;
}

// The tables, the page and the final manifest reach the disk together; the manifest, staged
// last, is renamed last. Nothing when Ctrl-C stopped them.
std::optional<results::Tables> write_run_tables(const RunEnd& end, RowSink& sink,
                                                results::Manifest& manifest) {
  const sweeps::Sweep& sweep = end.sweep;
  const RunRequest& request = end.request;
  const fs::path& dir = end.out.path;
  const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  const results::TrainedModels trained = sink.best().models();
  try {
    results::FileBatch files(dir);
    SweepTrials boundary_trials(dir, sweep, request.save_models != SaveModels::none, &trained);
    const results::TablesOptions options{.sweep_name = sweep.name(),
                                         .columns = column_roles(&sweep),
                                         .boundary_trials = &boundary_trials,
                                         .rows_checked = true,
                                         .threads = request.threads,
                                         .interrupt = &g_interrupted};
    if (!end.prev.judged_with.empty())
      judge_rows_again(dir, convergence_with(sweep.canonical_yaml(), end.prev.judged_with,
                                             sweep.file().parent_path(), sweep.file().string()));
    const results::Tables tables =
        sink.builder() ? sink.builder()->write(dir, colour, options, files)
                       : results::write_tables(dir, sweep.report(), colour, options, files);
    if (request.save_models == SaveModels::all)
      save_all_models(dir, sweep, request.shard.begin(sweep.size()),
                      request.shard.end(sweep.size()), request.threads);
    manifest.finished = std::chrono::system_clock::now();
    manifest.counts = tables.counts;
    files.stage("manifest.yaml", results::format_manifest(manifest));
    files.commit();
    return tables;
  } catch (const results::Interrupted&) {
    std::cerr << fmt::format(
        "interrupted while writing the tables: every trial is on disk in {}/\n"
        "to write the tables and the report: nnsweep report {}\n",
        end.out.shown, end.out.shown);
    return std::nullopt;
  } catch (const std::system_error& e) {
    throw std::runtime_error(fmt::format(
        "{}; every trial's rows are on disk in {}/, the tables are not: free space (or fix the "
        "cause), then write them with: {}",
        e.what(), end.out.shown, end.resume));
  }
}

void print_results(const RunEnd& end, const results::Tables& tables,
                   const std::optional<MpiSession>& mpi) {
  const Shard& shard = end.request.shard;
  std::cout << fmt::format("{}{}: {} trials ({} trainings{})\n\n", end.sweep.name(),
                           shard.whole() ? "" : " shard " + shard.text(),
                           shard.end(end.sweep.size()) - shard.begin(end.sweep.size()),
                           end.stats.trainings,
                           mpi ? fmt::format(" on {} MPI ranks", mpi->size() - 1) : "")
            << tables.convergence_text << "\n"
            << tables.best_text << "\n"
            << fmt::format(
                   "results in {}/: trials.csv curves.csv summary.csv convergence.csv "
                   "convergence.md importance.csv report.html manifest.yaml{}\n",
                   end.out.shown, end.request.save_models == SaveModels::none ? "" : " models/");
}

// NNSWEEP_PHASES set: where the run's wall time went, in milliseconds, on stderr as one line of
// KEY=VALUE words (bench/run_bench.py reads it to tell the serial parts of a run from the
// parallel one): setup (reading, planning, the output directory), training, tables (the tables
// and the page); then the parallel section's length, its groups trained summed over the workers
// (busy), the rows handed to the files (sink) and its tail after the last group was handed out.
class Phases {
 public:
  Phases() : on_(std::getenv("NNSWEEP_PHASES") != nullptr) {}
  // The time since the last mark (or since this was made) counts as `name`.
  void mark(const char* name) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    text_ += fmt::format(" {}_ms={:.2f}", name,
                         std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }
  // The time since the training counts as the tables'; prints the line.
  void finish(const RunStats& s, int threads) {
    if (!on_) return;
    mark("tables");
    std::cerr << fmt::format(
        "phases:{} threads={} groups={} parallel_ms={:.2f} busy_ms={:.2f} sink_ms={:.2f} "
        "tail_ms={:.2f}\n",
        text_, threads, s.groups, s.seconds * 1e3, s.training_seconds * 1e3, s.sink_seconds * 1e3,
        s.tail_seconds * 1e3);
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string text_;
};

// Trains every trial, then closes the progress line and stops the live page.
RunStats train_and_settle(const sweeps::Sweep& sweep, const RunOptions& run, const fs::path& dir,
                          RowSink& sink, const std::optional<MpiSession>& mpi,
                          std::optional<LiveReport>& live, Phases& phases) {
  phases.mark("setup");
  const RunStats stats = train_all(sweep, run, dir, sink, mpi);
  sink.finish();
  stop_live_report(live);
  phases.mark("training");
  return stats;
}

int exit_code(const RunEnd& end, const results::Tables& tables) {
  if (end.stats.failed_fast) {
    std::cerr << "stopped at the first failed trial (--fail-fast); to finish: " << end.resume
              << "\n";
    return kExitFailure;
  }
  if (tables.counts[results::Outcome::error] > 0)
    std::cerr << fmt::format(
        "warning: {} trials failed with an error; see the error column of "
        "trials.csv\n",
        tables.counts[results::Outcome::error]);
  return kExitOk;
}

}  // namespace

int run_command(const Args& args) {
  std::optional<RunRequest> parsed = parse_run_request(args);
  if (!parsed) return kExitOk;
  RunRequest& request = *parsed;
  Phases phases;
  std::optional<MpiSession> mpi;
  if (request.mpi) mpi.emplace();
  // From here on Ctrl-C stops the run cleanly, whenever it comes.
  install_signal_handlers();

  // Everything that can be wrong with the input is found before anything is written.
  const sweeps::Sweep sweep =
      sweeps::load_sweep(request.spec_path, {request.max_trials, request.overrides});
  // Each rung of halving decides from all of its trials at once: processes that never meet
  // (shards) cannot; MPI ranks hand each rung out and wait for it.
  if (sweep.halving() && !request.shard.whole())
    throw nn::InputError("--shard", 0, 0,
                         "a sweep with halving cannot be cut into shards: each rung waits for all "
                         "of its trials before it picks the survivors; to spread it over machines "
                         "run it with --mpi (mpirun), whose ranks train each rung together");
  if (request.threads == 0) request.threads = tbb::info::default_concurrency();
  // --threads bounds everything the command runs on oneTBB: the sweep, the models made after it
  // and the evaluation blocks a training offers to idle threads (nn/pack.cpp).
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(request.threads));
  check_memory(sweep, request.threads);
  if (mpi && mpi->rank() != 0) return work_for_rank_zero(*mpi, sweep, request);

  // Who holds the directory is said first; the lock, once taken, decides.
  const OutputDir out = output_dir_of(request, sweep);
  check_not_in_use(out.path, out.shown);
  check_output_dir(out, request.resume || request.extend);
  fs::create_directories(out.path);
  const OutputLock lock(out.path, out.shown, "run");
  check_output_dir(out, request.resume || request.extend);
  check_output_entries(out.path);
  const Previous prev = previous_run(out, sweep, request);

  // Not synced: it only has to outlive this process (for --resume), as the rows appended during
  // the run do; the final manifest, after the run, is synced with everything else.
  results::Manifest manifest = start_manifest(sweep, request, prev);
  results::replace_file(out.path, "manifest.yaml", results::format_manifest(manifest),
                        results::Sync::none);

  const std::string resume = resume_command(request, out);
  RowSink sink(out.path, sweep, prev, progress_line(request, manifest.trials_total, prev),
               out.shown, resume);
  if (!mpi && !prev.trials_bytes && !prev.curves_bytes)
    sink.build_tables(sweep.report(), sweep.param_keys(), column_roles(&sweep));
  const RunOptions run = run_options(out.path, sweep, request, prev);
  std::optional<LiveReport> live;
  if (auto options = live_report(out, sweep, request, manifest, prev)) live.emplace(*options);
  const RunStats stats = train_and_settle(sweep, run, out.path, sink, mpi, live, phases);

  const RunEnd end{.sweep = sweep,
                   .request = request,
                   .out = out,
                   .prev = prev,
                   .stats = stats,
                   .resume = resume};
  if (stats.interrupted) return say_interrupted(end, manifest.trials_total);
  const std::optional<results::Tables> tables = write_run_tables(end, sink, manifest);
  if (!tables) return kExitInterrupted;
  phases.finish(stats, request.threads);
  if (live) live->final_page_written();
  if (!request.quiet) print_results(end, *tables, mpi);
  return exit_code(end, *tables);
}

}  // namespace runner
