// `nnsweep run SPEC`: validate, prepare (or resume) the output directory, train every trial in
// parallel while streaming rows to disk, then write the tables and print the convergence table.
#include <tbb/info.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
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
#include "results/manifest.h"
#include "results/row_writer.h"
#include "runner/best_trials.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/interrupt.h"
#include "runner/judge_again.h"
#include "runner/mpi_backend.h"
#include "runner/output_dir.h"
#include "runner/progress.h"
#include "runner/resources.h"
#include "runner/saved_models.h"
#include "runner/shard.h"
#include "runner/sweep_runner.h"
#include "runner/tables.h"
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
};

// The last epoch of each trial's last block of rows in curves.csv (a block restarts where the
// epoch stops increasing, as results::sort_curves reads it), and where the file's complete part
// ends. Throws nn::InputError for a malformed file, before anything is trained.
std::unordered_map<std::string, int> read_curve_ends(const fs::path& path,
                                                     std::optional<std::uint64_t>& bytes) {
  std::unordered_map<std::string, int> ends;
  std::ifstream in(path, std::ios::binary);
  if (!in) return ends;
  results::CsvReader reader(in, path.string());
  results::CsvRecord record;
  bool header = true;
  std::string current;
  int last_epoch = -1;
  while (reader.next(record) && !record.torn) {
    if (header) {
      results::check_curves_header(record, path.string());
      header = false;
      continue;
    }
    const results::CurvePoint point = results::parse_curve_row(record, path.string());
    if (point.trial_id != current || point.metrics.epoch <= last_epoch) current = point.trial_id;
    last_epoch = point.metrics.epoch;
    ends[current] = last_epoch;
  }
  bytes = reader.complete_bytes();
  return ends;
}

Previous read_previous(const fs::path& dir, const sweeps::Sweep& sweep, const Shard& shard) {
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
  prev.judged_with = info.judged_with;
  const std::string& hash = info.spec_hash;
  if (hash != sweep.hash())
    throw nn::InputError(sweep.file().string(), 0, 0,
                         fmt::format("cannot --resume {}: the sweep file changed since that run "
                                     "(spec hash {} there, {} now); run it into a new --out "
                                     "directory",
                                     dir.string(), hash, sweep.hash()));
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

}  // namespace

int run_command(const Args& args) {
  std::string spec_path, out_dir, shard_text, save_models_text = "best";
  int threads = 0;
  std::uint64_t max_trials = sweeps::LoadOptions{}.max_trials;
  po::options_description options("usage: nnsweep run SPEC.yaml [options]\n\noptions");
  options.add_options()("help,h", "show this help")(
      "out,o", po::value(&out_dir), "output directory (default: runs/<sweep name>)")(
      "threads,t", po::value(&threads), "worker threads (default: all cores)")(
      "resume", "continue the run in --out: train only the trials with no complete row")(
      "quiet,q", "no progress and no table on the terminal")(
      "progress", "show progress even when stderr is not a terminal")(
      "fail-fast", "stop at the first trial that fails with an error")(
      "max-trials", po::value(&max_trials), "refuse sweeps larger than this (default 1000000)")(
      "shard", po::value(&shard_text),
      "run only shard K of N (K/N, K from 0): contiguous trial ranges, one directory each")(
      "save-models", po::value(&save_models_text),
      "trained models to keep in <out>/models: none, best (the best trial of each dataset, "
      "default) or all")(
      "mpi", "distribute the trials over MPI ranks (start with mpirun); rank 0 writes the files");
  po::variables_map vm;
  if (!parse_command_line(args, options, {{"spec", &spec_path}}, vm)) return kExitOk;
  if (spec_path.empty()) throw po::error("a sweep file is required: nnsweep run SPEC.yaml");
  if (vm.count("threads") && threads < 1) throw po::error("--threads must be at least 1");
  if (vm.count("out") && out_dir.empty())
    throw po::error("--out needs a directory; leave it out for runs/<sweep name>/");
  if (out_dir == "-") throw po::error("--out must be a directory: a run writes several files");
  const bool quiet = vm.count("quiet") > 0, resume = vm.count("resume") > 0;
  const Shard shard = shard_text.empty() ? Shard{} : parse_shard(shard_text);
  const auto save_models = parse_save_models(save_models_text);
  if (!save_models) throw po::error("--save-models must be none, best or all");

  if (vm.count("mpi") && !mpi_available())
    throw po::error(
        "this nnsweep was built without MPI: install Debian's libopenmpi-dev and openmpi-bin "
        "(apt-get install libopenmpi-dev openmpi-bin), then rebuild; or run shards with --shard");
  std::optional<MpiSession> mpi;
  if (vm.count("mpi")) mpi.emplace();
  // From here on Ctrl-C stops the run cleanly, whenever it comes.
  install_signal_handlers();

  // Everything that can be wrong with the input is found before anything is written.
  const sweeps::Sweep sweep = sweeps::load_sweep(spec_path, {max_trials});
  if (threads == 0) threads = tbb::info::default_concurrency();
  check_memory(sweep, threads);   // before anything is written
  if (mpi && mpi->rank() != 0) {  // a worker: trains what rank 0 hands out, writes nothing
    RunOptions work;
    work.threads = threads;
    work.fail_fast = vm.count("fail-fast") > 0;
    work.interrupt = &g_interrupted;
    mpi_work(*mpi, sweep, work);
    return kExitOk;
  }
  fs::path given =
      out_dir.empty() ? default_output_dir(sweep.name(), spec_path) : fs::path(out_dir);
  if (out_dir.empty() && !shard.whole())
    given /= fmt::format("shard-{}-of-{}", shard.index, shard.count);
  const OutputDir out = resolve_output_dir(given);
  const fs::path& dir = out.path;
  const std::uint64_t first = shard.begin(sweep.size()), last = shard.end(sweep.size());
  const auto check_dir = [&] {
    if (fs::exists(dir) && !fs::is_directory(dir))
      throw nn::InputError(out.shown, 0, 0, "the output path exists and is not a directory");
    if (!is_empty_output_dir(dir) && !resume)
      throw nn::InputError(out.shown, 0, 0,
                           "output directory is not empty; add --resume to continue that run, or "
                           "choose another directory with --out");
  };
  // Who holds the directory is said first; the lock, once taken, decides.
  check_not_in_use(dir, out.shown);
  check_dir();
  fs::create_directories(dir);
  const OutputLock lock(dir, out.shown, "run");
  check_dir();
  check_output_entries(dir);
  Previous prev;
  if (resume && !is_empty_output_dir(dir)) prev = read_previous(dir, sweep, shard);
  if (prev.curves_missing > 0 && !quiet)
    std::cerr << fmt::format(
        "{} trials have a row in trials.csv but no complete curve in curves.csv: training them "
        "again\n",
        prev.curves_missing);
  results::Manifest manifest;
  manifest.id_scheme = sweeps::kIdScheme;
  manifest.spec_yaml = sweep.canonical_yaml();
  manifest.spec_hash = sweep.hash();
  manifest.judged_with = prev.judged_with;
  manifest.version = version_string();
  manifest.git_revision = NNSWEEP_GIT_REVISION;
  manifest.compiler = NNSWEEP_COMPILER;
  manifest.compiler_flags = NNSWEEP_CXX_FLAGS;
  manifest.eigen = eigen_version();
  manifest.vector_width = nn::simd::widest();
  manifest.threads = threads;
  manifest.host = host_name();
  manifest.started = std::chrono::system_clock::now();
  manifest.trials_total = last - first;
  manifest.sweep_trials = sweep.size();
  if (!shard.whole()) manifest.shard = shard.text();
  // Not synced: it only has to outlive this process (for --resume), as the rows appended during
  // the run do; the final manifest, after the run, is synced with everything else.
  results::replace_file(dir, "manifest.yaml", results::format_manifest(manifest),
                        results::Sync::none);

  const auto trials_file = open_rows_file(dir, "trials.csv", prev.trials_bytes,
                                          results::format_trials_header(sweep.param_keys()));
  // `curves: off` writes no curves.csv (no row would ever reach it).
  std::ofstream no_curves;
  const auto curves_file =
      sweep.curves().enabled
          ? open_rows_file(dir, "curves.csv", prev.curves_bytes, results::format_curves_header())
          : nullptr;
  results::RowWriter trials(*trials_file),
      curves(curves_file ? static_cast<std::ostream&>(*curves_file) : no_curves);

  const bool show_progress = !quiet && (vm.count("progress") > 0 || isatty(STDERR_FILENO) == 1);
  Progress progress(last - first, prev.done_count, show_progress ? &std::cerr : nullptr);
  RunOptions run;
  run.threads = threads;
  run.begin = first;
  run.end = last;
  run.fail_fast = vm.count("fail-fast") > 0;
  run.interrupt = &g_interrupted;
  if (prev.done_count > 0) run.skip = [&](std::uint64_t i) { return prev.done[i]; };
  if (*save_models == SaveModels::all) {
    // Saved as they are trained; what is left (epoch siblings shorter than their training) is
    // trained again after the sweep.
    run.trained = [&](const sweeps::Trial& trial, const nn::Dataset& data,
                      const nn::TrainResult& result, const std::vector<double>& parameters) {
      save_model(dir, sweep, trial, data, result, parameters);
    };
  }

  // Every option that changes what the files hold, or whether the resume is accepted.
  std::string resume_hint = "nnsweep run " + shell_word(spec_path);
  if (!shard.whole()) resume_hint += " --shard " + shard.text();
  if (vm.count("save-models")) resume_hint += " --save-models " + save_models_text;
  if (vm.count("max-trials")) resume_hint += fmt::format(" --max-trials {}", max_trials);
  if (vm.count("fail-fast")) resume_hint += " --fail-fast";
  resume_hint += " --out " + shell_word(out.shown) + " --resume";
  // Curves first: a trial's row is the mark that it is complete. The trials of one pack are
  // written together, one write (and flush) per file.
  std::string trial_rows, curve_rows;
  std::vector<results::Outcome> statuses;
  // Rows come in trial order; into files this run created, they stay in order, so the tables
  // are built as they come and the files need neither sorting nor reading back at the end.
  // The parameters of the best trials go with them (or, when the tables are read back, to
  // `best`): report.html's boundaries and --save-models best need them at the end, and
  // training them again would be serial work after the sweep.
  BestTrials best;
  const results::PivotSpec pivot{sweep.report().rows, sweep.report().cols, sweep.report().cell};
  std::optional<TablesBuilder> builder;
  if (!mpi && !prev.trials_bytes && !prev.curves_bytes) builder.emplace(pivot, sweep.param_keys());
  std::optional<std::uint64_t> last_index;
  const auto write_rows = [&] {
    try {
      if (!curve_rows.empty()) curves.write(curve_rows);
      trials.write(trial_rows);
    } catch (const std::system_error& e) {
      // A full disk or a vanished directory: say where, why, and how to go on.
      throw std::runtime_error(fmt::format(
          "cannot write the results in {}/: {}; the rows already written are complete: free "
          "space, then finish the sweep with: {}",
          out.shown, e.code().message(), resume_hint));
    }
    for (const results::Outcome status : statuses) progress.add(status);
    trial_rows.clear(), curve_rows.clear(), statuses.clear();
  };
  const RunStats stats = mpi && mpi->size() > 1
                             ? mpi_coordinate(*mpi, sweep, run,
                                              [&](const TrialRows& rows) {
                                                trial_rows = rows.trial_row,
                                                curve_rows = rows.curve_rows;
                                                statuses = {rows.outcome};
                                                write_rows();
                                              })
                             : run_trials(sweep, run, [&](std::span<FinishedTrial> pack) {
                                 for (FinishedTrial& done : pack) {
                                   if (last_index && done.record.index <= *last_index)
                                     builder.reset();
                                   last_index = done.record.index;
                                   if (builder)
                                     builder->add(done.record, std::move(done.parameters));
                                   else
                                     best.add(done.record, std::move(done.parameters));
                                   trial_rows += results::format_trial_row(done.record);
                                   curve_rows += done.curve_rows;
                                   statuses.push_back(done.record.outcome);
                                 }
                                 write_rows();
                               });
  progress.finish();
  trials_file->flush();
  if (curves_file) curves_file->flush();

  if (stats.interrupted) {
    std::cerr << fmt::format(
        "interrupted: {} of {} trials are on disk in {}/\nto finish the sweep: {}\n",
        prev.done_count + stats.finished, last - first, out.shown, resume_hint);
    return kExitInterrupted;
  }

  const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  const TrainedModels trained = best.models();
  // The tables, the page and the final manifest reach the disk together; the manifest, staged
  // last, is renamed last.
  Tables tables;
  try {
    results::FileBatch files(dir);
    const TablesOptions tables_options{
        &sweep, *save_models != SaveModels::none, &trained, true, threads, &files, &g_interrupted};
    if (!prev.judged_with.empty())
      judge_rows_again(dir, convergence_with(sweep.canonical_yaml(), prev.judged_with,
                                             sweep.file().parent_path(), sweep.file().string()));
    tables = builder ? builder->write(dir, colour, tables_options)
                     : write_tables(dir, pivot, colour, tables_options);
    if (*save_models == SaveModels::all) save_all_models(dir, sweep, first, last, threads);
    manifest.finished = std::chrono::system_clock::now();
    manifest.counts = tables.counts;
    files.stage("manifest.yaml", results::format_manifest(manifest));
    files.commit();
  } catch (const Interrupted&) {
    std::cerr << fmt::format(
        "interrupted while writing the tables: every trial is on disk in {}/\n"
        "to write the tables and the report: nnsweep report {}\n",
        out.shown, out.shown);
    return kExitInterrupted;
  } catch (const std::system_error& e) {
    throw std::runtime_error(fmt::format(
        "{}; every trial's rows are on disk in {}/, the tables are not: free space (or fix the "
        "cause), then write them with: {}",
        e.what(), out.shown, resume_hint));
  }

  if (!quiet) {
    std::cout << fmt::format("{}{}: {} trials ({} trainings{})\n\n", sweep.name(),
                             shard.whole() ? "" : " shard " + shard.text(), last - first,
                             stats.trainings,
                             mpi ? fmt::format(" on {} MPI ranks", mpi->size() - 1) : "")
              << tables.convergence_text << "\n"
              << tables.best_text << "\n"
              << fmt::format(
                     "results in {}/: trials.csv curves.csv summary.csv convergence.csv "
                     "convergence.md report.html manifest.yaml{}\n",
                     out.shown, *save_models == SaveModels::none ? "" : " models/");
  }
  if (stats.failed_fast) {
    std::cerr << "stopped at the first failed trial (--fail-fast); to finish: " << resume_hint
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

}  // namespace runner
