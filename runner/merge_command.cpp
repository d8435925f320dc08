// `nnsweep merge DIR... --out DIR`: combines the output directories of a sweep's shards into the
// files one run would have written, after checking that they come from the same sweep file and
// together hold every trial exactly once.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "nn/input_error.h"
#include "results/atomic_file.h"
#include "results/csv.h"
#include "results/curves.h"
#include "results/manifest.h"
#include "results/row_writer.h"
#include "results/trial_record.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/merge_command.h"
#include "runner/output_dir.h"
#include "runner/sweep_trials.h"
#include "sweeps/canonical.h"

namespace runner {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

// `12, 15-19, 40` for the indices where `flags` is set, the first `most` runs of them.
std::string ranges(const std::vector<std::uint8_t>& flags, std::uint8_t wanted, int most = 8) {
  std::string text;
  int runs = 0;
  for (std::uint64_t i = 0; i < flags.size(); ++i) {
    if (flags[i] != wanted) continue;
    std::uint64_t j = i;
    while (j + 1 < flags.size() && flags[j + 1] == wanted) ++j;
    if (runs++ == most) return text + ", ...";
    text += (text.empty() ? "" : ", ") + (i == j ? std::to_string(i) : fmt::format("{}-{}", i, j));
    i = j;
  }
  return text;
}

// Refuses shards whose rows could differ in their last bits: merged, they would not be the
// rows of one run. (The vector width chosen at run time is not compared: the kernels give the
// same bits at either width.)
void check_same_build(const results::ManifestInfo& info, const std::string& dir,
                      const results::ManifestInfo& first, const std::string& first_dir) {
  for (auto [what, field] : {std::pair{"compiler", &results::ManifestInfo::compiler},
                             {"compiler flags", &results::ManifestInfo::compiler_flags},
                             {"Eigen version", &results::ManifestInfo::eigen}})
    if (info.*field != first.*field)
      throw nn::InputError(
          dir, 0, 0,
          fmt::format("was made by a build whose {} ({}) differs from {}'s ({}): their rows "
                      "could differ in the last bits, so they are not one run's; run every "
                      "shard with one build",
                      what, nn::quote_input(info.*field), first_dir,
                      nn::quote_input(first.*field)));
}

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string out;
};

// Parses the command line; nullopt after --help.
std::optional<MergeArgs> parse_merge_args(const Args& args) {
  MergeArgs parsed;
  po::options_description options("usage: nnsweep merge DIR... --out DIR\n\noptions");
  options.add_options()("help,h", "show this help")("out,o", po::value(&parsed.out),
                                                    "the merged output directory (required)");
  po::variables_map vm;
  if (!parse_command_line(args, options, {{"dirs", nullptr, &parsed.dirs}}, vm))
    return std::nullopt;
  if (parsed.dirs.empty())
    throw po::error("name the shard directories: nnsweep merge DIR... --out DIR");
  if (parsed.out.empty()) throw po::error("--out DIR is required");
  if (parsed.out == "-") throw po::error("--out must be a directory: merge writes several files");
  return parsed;
}

void check_out_empty(const OutputDir& out) {
  if (!is_empty_output_dir(out.path))
    throw nn::InputError(out.shown, 0, 0, "the merged output directory must be new or empty");
}

}  // namespace

std::vector<results::ManifestInfo> read_shard_manifests(const std::vector<std::string>& dirs) {
  std::vector<results::ManifestInfo> infos;
  for (const std::string& dir : dirs) {
    std::optional<results::ManifestInfo> manifest = results::read_manifest(dir);
    if (!manifest)
      throw nn::InputError(dir, 0, 0, "no manifest.yaml: not an nnsweep output directory");
    infos.push_back(std::move(*manifest));
    const results::ManifestInfo& info = infos.back();
    if (info.id_scheme != sweeps::kIdScheme)
      throw nn::InputError(dir, 0, 0,
                           fmt::format("was made by an nnsweep whose trial ids and seeds differ "
                                       "from this one's (id scheme {} there, {} here); run that "
                                       "shard again",
                                       info.id_scheme, sweeps::kIdScheme));
    check_same_build(info, dir, infos.front(), dirs.front());
    if (info.spec_hash != infos.front().spec_hash)
      throw nn::InputError(dir, 0, 0,
                           fmt::format("comes from a different sweep file (spec hash {}) than {} "
                                       "(spec hash {}); shards of one sweep can be merged only",
                                       info.spec_hash, dirs.front(), infos.front().spec_hash));
    // Rows judged again (report --set) under other thresholds would mix two judgements.
    if (info.judged_with != infos.front().judged_with)
      throw nn::InputError(
          dir, 0, 0,
          fmt::format("its rows were judged with other convergence settings than {}'s (report "
                      "--set); judge every shard with the same ones first",
                      dirs.front()));
  }
  return infos;
}

std::vector<std::string> check_every_trial_once(const std::vector<std::string>& dirs,
                                                std::uint64_t total) {
  // The complete rows per trial index: 0, 1, or 2 for more than one.
  std::vector<std::uint8_t> seen(total, 0);
  std::vector<std::string> keys;
  for (const std::string& dir : dirs) {
    const fs::path trials = fs::path(dir) / "trials.csv";
    std::ifstream in(trials, std::ios::binary);
    if (!in) throw nn::InputError(trials.string(), 0, 0, "cannot read it");
    const auto info = results::read_trials(in, trials.string(), [&](results::TrialRecord&& r) {
      if (r.index >= total)
        throw nn::InputError(
            trials.string(), 0, 0,
            fmt::format("trial {} is beyond the sweep's {} trials", r.index, total));
      seen[r.index] = static_cast<std::uint8_t>(std::min(2, seen[r.index] + 1));
    });
    if (keys.empty()) keys = info.param_keys;
  }
  std::string problems;
  if (const std::string doubled = ranges(seen, 2); !doubled.empty())
    problems += "trials in more than one directory: " + doubled + "\n";
  if (const std::string missing = ranges(seen, 0); !missing.empty())
    problems += "trials in no directory (a shard missing or unfinished?): " + missing + "\n";
  if (!problems.empty()) {
    problems.pop_back();
    throw nn::InputError("", 0, 0, "cannot merge: " + problems);
  }
  return keys;
}

void write_merged_rows(const std::vector<std::string>& dirs,
                       const std::vector<std::string>& param_keys, const fs::path& out) {
  const auto trials_out = results::open_for_append(out, "trials.csv");
  const auto curves_out = results::open_for_append(out, "curves.csv");
  results::RowWriter trials(*trials_out), curves(*curves_out);
  trials.write(results::format_trials_header(param_keys));
  curves.write(results::format_curves_header());
  for (const std::string& dir : dirs) {
    const fs::path trials_path = fs::path(dir) / "trials.csv";
    std::ifstream in(trials_path, std::ios::binary);
    results::read_trials(in, trials_path.string(), [&](results::TrialRecord&& r) {
      trials.write(results::format_trial_row(r));
    });
    const fs::path curves_path = fs::path(dir) / "curves.csv";
    std::ifstream curves_in(curves_path, std::ios::binary);
    std::string rows;
    results::read_curves(curves_in, curves_path.string(), [&](results::CurvePoint&& p) {
      rows.clear();
      results::append_curve_row(rows, p.trial_id, p.metrics);
      curves.write(rows);
    });
  }
}

results::Manifest merged_manifest(const results::ManifestInfo& shard, std::uint64_t total) {
  results::Manifest manifest;
  manifest.id_scheme = sweeps::kIdScheme;
  manifest.compiler = shard.compiler;
  manifest.compiler_flags = shard.compiler_flags;
  manifest.eigen = shard.eigen;
  manifest.spec_yaml = shard.spec_yaml;
  manifest.spec_hash = shard.spec_hash;
  manifest.judged_with = shard.judged_with;
  manifest.version = version_string();
  manifest.started = manifest.finished.emplace(std::chrono::system_clock::now());
  manifest.trials_total = manifest.sweep_trials = total;
  return manifest;
}

int merge_command(const Args& args) {
  const std::optional<MergeArgs> parsed = parse_merge_args(args);
  if (!parsed) return kExitOk;
  const std::vector<std::string>& dirs = parsed->dirs;
  const OutputDir out = resolve_output_dir(parsed->out);
  check_not_in_use(out.path, out.shown);
  check_out_empty(out);
  // A shard still being written is not finished: say so rather than count its missing trials.
  for (const std::string& dir : dirs) check_not_in_use(dir, dir);

  const std::vector<results::ManifestInfo> infos = read_shard_manifests(dirs);
  const std::uint64_t total = infos.front().sweep_trials;
  const std::vector<std::string> keys = check_every_trial_once(dirs, total);

  // The rows, then the tables built from them exactly as for one run.
  fs::create_directories(out.path);
  const OutputLock lock(out.path, out.shown, "merge");
  check_out_empty(out);  // filled in the meantime by a process that has finished since
  write_merged_rows(dirs, keys, out.path);
  const results::PivotSpec& pivot = infos.front().pivot;
  // The manifest first: the report reads the spec from it (decision boundaries retrain the best
  // trials), then again with the counts.
  results::Manifest manifest = merged_manifest(infos.front(), total);
  results::replace_file(out.path, "manifest.yaml", results::format_manifest(manifest));
  const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  const results::Tables tables = write_recorded_tables(out.path, pivot, colour);
  manifest.counts = tables.counts;
  results::replace_file(out.path, "manifest.yaml", results::format_manifest(manifest));
  std::cout << fmt::format("merged {} directories: {} trials\n\n", dirs.size(), total)
            << tables.convergence_text << "\n"
            << tables.best_text;
  return kExitOk;
}

}  // namespace runner
