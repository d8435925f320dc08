// `nnsweep report DIR`: rebuilds the tables of a finished or interrupted run from its
// trials.csv and curves.csv, with the pivot its sweep file asked for unless told otherwise.
// A directory another process holds (a run still going) is refused, untouched.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "nn/input_error.h"
#include "nn/input_file.h"
#include "results/atomic_file.h"
#include "results/manifest.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/judge_again.h"
#include "runner/output_dir.h"
#include "runner/sweep_trials.h"
#include "sweeps/overrides.h"

namespace runner {

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

// Judges every row again under the run's convergence settings with `overrides` on top of those
// it was last judged with, and records them all in the manifest.
void judge_again(const fs::path& dir, const fs::path& manifest_path,
                 const std::vector<sweeps::Override>& overrides) {
  const std::string text = nn::read_input_file(manifest_path.string(), "manifest");
  const results::ManifestInfo info = results::read_manifest_info(text, manifest_path.string());
  const std::vector<std::string> kept = merge_overrides(info.judged_with, overrides);
  const nn::ConvergenceConfig rules =
      convergence_for_run(dir, info.spec_yaml, kept, manifest_path.string());
  const results::RejudgeCount count = judge_rows_again(dir, rules);
  results::replace_file(dir, "manifest.yaml", results::with_judged_with(text, kept),
                        results::Sync::file);
  std::string shown;
  for (const auto& k : kept) shown += (shown.empty() ? "" : ", ") + k;
  std::cout << fmt::format("judged {} trials again with {}: {} outcomes changed\n\n", count.rows,
                           shown, count.changed);
}

// The pivot the run's sweep asked for. Runs from before outcomes have a status column and no
// outcome: their rows cannot be judged again without the baseline they did not record.
results::PivotSpec recorded_pivot(const results::ManifestInfo& manifest, const std::string& dir) {
  if (manifest.output_format == 0)
    throw nn::InputError(
        dir, 0, 0,
        "this run predates outcomes (its trials.csv has a status column, converged or not, "
        "and no baseline to judge its curves against): run the sweep again with this nnsweep "
        "to get outcomes");
  return manifest.pivot;
}

// `--importance METRIC` of the run in `dir`; nothing when not asked for.
std::optional<results::ImportanceTable> importance_of(const fs::path& dir,
                                                      const std::optional<std::string>& metric) {
  if (!metric) return std::nullopt;
  try {
    return recorded_importance(dir, *metric);
  } catch (const std::invalid_argument& e) {
    throw nn::InputError(dir.string(), 0, 0, std::string("--importance: ") + e.what());
  }
}

}  // namespace

int report_command(const Args& args) {
  std::string dir_arg;
  results::PivotSpec pivot;
  std::string rows, cols, cell;
  std::vector<std::string> sets;
  std::optional<std::string> importance;
  po::options_description options("usage: nnsweep report DIR [options]\n\noptions");
  options.add_options()("help,h", "show this help")(
      "rows", po::value(&rows), "row axis of the convergence table (default: the sweep's)")(
      "cols", po::value(&cols), "column axis (default: the sweep's)")(
      "cell", po::value(&cell), "cell metric (default: the sweep's)")(
      "set", po::value(&sets)->composing(),
      "convergence.KEY=VALUE: judge every trial again from its curve with this threshold "
      "(repeatable; no training; kept in manifest.yaml for later reports)")(
      "importance", po::value<std::string>()->implicit_value(std::string(results::kRankingMetric)),
      "print how much of METRIC's variance each setting explains (default: the ranking's loss; "
      "any numeric trials.csv column)");
  po::variables_map vm;
  if (!parse_command_line(args, options, {{"dir", &dir_arg}}, vm)) return kExitOk;
  if (vm.count("importance")) importance = vm["importance"].as<std::string>();
  if (dir_arg.empty()) throw po::error("a results directory is required: nnsweep report DIR");
  const fs::path dir(dir_arg);
  // A run (or merge) writing the directory holds it: its files are not rewritten under it.
  check_not_in_use(dir, dir_arg);
  if (!fs::exists(dir / "trials.csv"))
    throw nn::InputError(dir.string(), 0, 0,
                         "no trials.csv here: not an nnsweep results directory");
  const OutputLock lock(dir, dir_arg, "report");
  check_output_entries(dir);

  std::vector<sweeps::Override> overrides;
  for (const std::string& text : sets) overrides.push_back(sweeps::parse_override(text));

  // The pivot the sweep asked for, from the resolved spec in the manifest.
  const auto manifest = results::read_manifest(dir);
  if (!overrides.empty() && !manifest)
    throw nn::InputError(dir_arg, 0, 0,
                         "--set needs the run's manifest.yaml (its sweep), and there is none");
  if (manifest) pivot = recorded_pivot(*manifest, dir_arg);
  // Asked for, the importance table is made first: a metric it cannot use changes nothing.
  const std::optional<results::ImportanceTable> table = importance_of(dir, importance);
  if (!overrides.empty()) judge_again(dir, dir / "manifest.yaml", overrides);
  if (!rows.empty()) pivot.rows = rows;
  if (!cols.empty()) pivot.cols = cols;
  if (!cell.empty()) pivot.cell = cell;

  results::Tables tables;
  try {
    tables =
        write_recorded_tables(dir, pivot, isatty(STDOUT_FILENO) == 1 && !std::getenv("NO_COLOR"));
  } catch (const std::invalid_argument& e) {
    throw nn::InputError(dir.string(), 0, 0, e.what());
  }
  std::cout << tables.convergence_text << "\n" << tables.best_text;
  if (table) std::cout << "\n" << results::importance_text(*table);
  return kExitOk;
}

}  // namespace runner
