// `nnsweep merge DIR... --out DIR`: combines the output directories of a sweep's shards into the
// files one run would have written, after checking that they come from the same sweep file and
// together hold every trial exactly once.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
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
#include "runner/output_dir.h"
#include "runner/tables.h"
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

}  // namespace

int merge_command(const Args& args) {
  std::vector<std::string> dirs;
  std::string out_dir;
  po::options_description options("usage: nnsweep merge DIR... --out DIR\n\noptions");
  options.add_options()("help,h", "show this help")("out,o", po::value(&out_dir),
                                                    "the merged output directory (required)");
  po::variables_map vm;
  if (!parse_command_line(args, options, {{"dirs", nullptr, &dirs}}, vm)) return kExitOk;
  if (dirs.empty()) throw po::error("name the shard directories: nnsweep merge DIR... --out DIR");
  if (out_dir.empty()) throw po::error("--out DIR is required");
  if (out_dir == "-") throw po::error("--out must be a directory: merge writes several files");
  const OutputDir resolved = resolve_output_dir(out_dir);
  const fs::path& out = resolved.path;
  const auto check_out = [&] {
    if (!is_empty_output_dir(out))
      throw nn::InputError(resolved.shown, 0, 0,
                           "the merged output directory must be new or empty");
  };
  check_not_in_use(out, resolved.shown);
  check_out();
  // A shard still being written is not finished: say so rather than count its missing trials.
  for (const std::string& dir : dirs) check_not_in_use(dir, dir);

  // Same sweep file everywhere.
  std::vector<results::ManifestInfo> infos;
  for (const std::string& dir : dirs) {
    std::optional<results::ManifestInfo> manifest = results::read_manifest(dir);
    if (!manifest)
      throw nn::InputError(dir, 0, 0, "no manifest.yaml: not an nnsweep output directory");
    infos.push_back(std::move(*manifest));
    if (infos.back().id_scheme != sweeps::kIdScheme)
      throw nn::InputError(dir, 0, 0,
                           fmt::format("was made by an nnsweep whose trial ids and seeds differ "
                                       "from this one's (id scheme {} there, {} here); run that "
                                       "shard again",
                                       infos.back().id_scheme, sweeps::kIdScheme));
    // Rows of builds whose arithmetic differs can differ in their last bits: merged, they would
    // not be the rows of one run. (The vector width chosen at run time is not compared: the
    // kernels give the same bits at either width.)
    for (auto [what, field] : {std::pair{"compiler", &results::ManifestInfo::compiler},
                               {"compiler flags", &results::ManifestInfo::compiler_flags},
                               {"Eigen version", &results::ManifestInfo::eigen}})
      if (infos.back().*field != infos.front().*field)
        throw nn::InputError(
            dir, 0, 0,
            fmt::format("was made by a build whose {} ({}) differs from {}'s ({}): their rows "
                        "could differ in the last bits, so they are not one run's; run every "
                        "shard with one build",
                        what, nn::quote_input(infos.back().*field), dirs.front(),
                        nn::quote_input(infos.front().*field)));
    if (infos.back().spec_hash != infos.front().spec_hash)
      throw nn::InputError(
          dir, 0, 0,
          fmt::format("comes from a different sweep file (spec hash {}) than {} "
                      "(spec hash {}); shards of one sweep can be merged only",
                      infos.back().spec_hash, dirs.front(), infos.front().spec_hash));
  }
  const std::uint64_t total = infos.front().sweep_trials;

  // Every trial exactly once: count the complete rows per trial index.
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

  // The rows, then the tables built from them exactly as for one run.
  fs::create_directories(out);
  const OutputLock lock(out, resolved.shown, "merge");
  check_out();  // filled in the meantime by a process that has finished since
  {
    const auto trials_out = results::open_for_append(out, "trials.csv");
    const auto curves_out = results::open_for_append(out, "curves.csv");
    results::RowWriter trials(*trials_out), curves(*curves_out);
    trials.write(results::format_trials_header(keys));
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
  results::PivotSpec pivot;
  const YAML::Node report = YAML::Load(infos.front().spec_yaml)["report"];
  if (report && report["rows"]) pivot.rows = report["rows"].as<std::string>();
  if (report && report["cols"]) pivot.cols = report["cols"].as<std::string>();
  if (report && report["cell"]) pivot.cell = report["cell"].as<std::string>();
  // The manifest first: the report reads the spec from it (decision boundaries retrain the best
  // trials), then again with the counts.
  results::Manifest manifest;
  manifest.id_scheme = sweeps::kIdScheme;
  manifest.compiler = infos.front().compiler;
  manifest.compiler_flags = infos.front().compiler_flags;
  manifest.eigen = infos.front().eigen;
  manifest.spec_yaml = infos.front().spec_yaml;
  manifest.spec_hash = infos.front().spec_hash;
  manifest.version = version_string();
  manifest.started = manifest.finished.emplace(std::chrono::system_clock::now());
  manifest.trials_total = manifest.sweep_trials = total;
  results::replace_file(out, "manifest.yaml", results::format_manifest(manifest));
  const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  const Tables tables = write_tables(out, pivot, colour);
  manifest.counts = tables.counts;
  results::replace_file(out, "manifest.yaml", results::format_manifest(manifest));
  std::cout << fmt::format("merged {} directories: {} trials\n\n", dirs.size(), total)
            << tables.convergence_text << "\n"
            << tables.best_text;
  return kExitOk;
}

}  // namespace runner
