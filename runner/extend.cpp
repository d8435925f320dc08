#include "runner/extend.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nn/input_error.h"
#include "nn/input_file.h"
#include "results/atomic_file.h"
#include "results/curves.h"
#include "results/output_file.h"
#include "results/row_writer.h"
#include "results/trial_record.h"
#include "sweeps/canonical.h"

namespace runner {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const fs::path& where, const std::string& why) {
  throw nn::InputError(where.string(), 0, 0, "cannot --extend: " + why);
}

// A top-level section of a resolved spec; a null node when absent (or not YAML).
YAML::Node spec_section(const std::string& spec_yaml, const char* key) {
  try {
    const YAML::Node root = YAML::Load(spec_yaml);
    if (root.IsMap() && root[key]) return root[key];
  } catch (const YAML::Exception&) {
  }
  return YAML::Node();
}

// Equal content, whatever the quoting or flow style each side was written in.
bool same_node(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.size() != b.size()) return false;
  if (a.IsSequence()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_node(a[i], b[i])) return false;
  } else if (a.IsMap()) {
    for (const auto& entry : a) {
      const YAML::Node other = b[entry.first.Scalar()];
      if (!other || !same_node(entry.second, other)) return false;
    }
  }
  return true;
}

// Whether `dir` holds an nnsweep run whose rows this nnsweep can keep.
void check_store(const fs::path& dir, const std::optional<results::ManifestInfo>& info) {
  if (!info) refuse(dir, "no manifest.yaml, so this is not an nnsweep output directory");
  if (info->id_scheme != sweeps::kIdScheme)
    refuse(dir, fmt::format("that run was made by an nnsweep whose trial ids and seeds differ "
                            "from this one's (id scheme {} there, {} here), so its rows cannot "
                            "be kept; run the sweep again into a new --out directory",
                            info->id_scheme, sweeps::kIdScheme));
}

// Whether the run in `dir` can grow into `sweep`, a changed spec.
void check_growable(const fs::path& dir, const results::ManifestInfo& info,
                    const sweeps::Sweep& sweep, const Shard& shard) {
  if (!shard.whole() || !info.shard.empty())
    refuse(dir,
           "shards grow only as a whole sweep: merge them (nnsweep merge), then extend the "
           "merged directory");
  if (uses_halving(info.spec_yaml) || sweep.halving())
    refuse(sweep.file(),
           "a sweep with `halving:` decides its rungs over the whole sweep, so the "
           "finished rows are not those of the grown sweep; run it into a new "
           "--out directory");
  // Outcomes and kept epochs come from these settings, which are not part of a trial's id: rows
  // made under others would differ from a fresh run's.
  const std::string new_spec = sweep.canonical_yaml();
  if (!same_node(spec_section(info.spec_yaml, "convergence"),
                 spec_section(new_spec, "convergence")))
    refuse(sweep.file(), fmt::format("the convergence settings changed, and the finished rows "
                                     "were judged under the old ones; keep that run's settings in "
                                     "the sweep file (and judge again afterwards with nnsweep "
                                     "report {} --set convergence.KEY=VALUE), or run the sweep "
                                     "into a new --out directory",
                                     dir.string()));
  if (!same_node(spec_section(info.spec_yaml, "curves"), spec_section(new_spec, "curves")))
    refuse(sweep.file(),
           "the curves settings changed, and the finished trials' curves were "
           "kept under the old ones; run the sweep into a new --out directory");
}

// The rows of a trials.csv (or retired.csv) by trial id, the last row of each id.
struct Rows {
  std::vector<std::string> keys;  // the file's parameter columns
  std::unordered_map<std::string, results::TrialRecord> by_id;
  std::vector<std::string> order;  // ids in the order first seen
  bool legacy = false;             // the layout of id scheme 2

  void add(results::TrialRecord&& record) {
    const std::string id = record.id;
    if (by_id.insert_or_assign(id, std::move(record)).second) order.push_back(id);
  }
};

Rows read_rows(const fs::path& path) {
  Rows rows;
  std::ifstream in(path, std::ios::binary);
  if (!in) return rows;
  const auto info = results::read_trials(
      in, path.string(), [&](results::TrialRecord&& record) { rows.add(std::move(record)); });
  rows.keys = info.param_keys, rows.legacy = info.without_class_scores;
  return rows;
}

// results::curve_ends of `path`; none when there is no such file.
std::unordered_map<std::string, int> curve_ends(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return in ? results::curve_ends(in, path.string()) : std::unordered_map<std::string, int>{};
}

// The finished trials of the new spec, rebuilt as a fresh run would write them.
struct Kept {
  std::vector<results::TrialRecord> rows;   // in the new trial order
  std::vector<std::string> ids;             // of `rows`
  std::unordered_set<std::string> in_spec;  // every trial id of the new spec
};

Kept keep_finished(const sweeps::Sweep& sweep, const Rows& old, const fs::path& dir) {
  const auto ends = sweep.curves().enabled ? curve_ends(dir / "curves.csv")
                                           : std::unordered_map<std::string, int>{};
  Kept kept;
  sweeps::TrialCache cache;
  for (std::uint64_t i = 0; i < sweep.size(); ++i) {
    const sweeps::Trial trial = sweep.trial(i, cache);
    kept.in_spec.insert(trial.id);
    const auto row = old.by_id.find(trial.id);
    // Errors are trained again, as are trials whose curve a kill cut short.
    if (row == old.by_id.end() || !row->second.error.empty()) continue;
    const auto end = ends.find(trial.id);
    if (sweep.curves().enabled && (end == ends.end() || end->second != row->second.epochs_run))
      continue;
    results::TrialRecord record = row->second;
    record.index = i;
    record.params.clear();
    for (const sweeps::Param& p : trial.params) record.params.emplace_back(p.key, p.value);
    kept.rows.push_back(std::move(record));
    kept.ids.push_back(trial.id);
  }
  return kept;
}

// `params` in the order of `keys`, empty where a row has no such column.
results::Params rekeyed(const results::Params& params, const std::vector<std::string>& keys) {
  results::Params out;
  for (const std::string& key : keys) {
    const auto it =
        std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
    out.emplace_back(key, it == params.end() ? std::string() : it->second);
  }
  return out;
}

// retired.csv: its rows, then the trials that leave the spec now (one row per id, the newest),
// without the trials that came back; its columns the union of both files'. Nothing when there
// is nothing to retire and no retired.csv.
std::optional<std::string> retired_text(const fs::path& dir, const Rows& old, const Kept& kept,
                                        std::uint64_t& retired) {
  Rows rows = read_rows(dir / "retired.csv");
  for (const std::string& key : old.keys)
    if (std::find(rows.keys.begin(), rows.keys.end(), key) == rows.keys.end())
      rows.keys.push_back(key);
  for (const std::string& id : old.order)
    if (!kept.in_spec.contains(id)) rows.add(results::TrialRecord(old.by_id.at(id))), ++retired;
  if (rows.order.empty() && !fs::exists(dir / "retired.csv")) return std::nullopt;
  std::string text = results::format_trials_header(rows.keys);
  for (const std::string& id : rows.order) {
    if (kept.in_spec.contains(id)) continue;
    results::TrialRecord record = rows.by_id.at(id);
    record.params = rekeyed(record.params, rows.keys);
    text += results::format_trial_row(record);
  }
  return text;
}

void write_trials(std::ostream& out, const sweeps::Sweep& sweep, const Kept& kept) {
  results::RowWriter writer(out);
  writer.write(results::format_trials_header(sweep.param_keys()));
  std::string row;
  for (const results::TrialRecord& record : kept.rows) {
    row = results::format_trial_row(record);
    writer.write(row);
  }
}

// The spec changes the rows were made under, this one appended.
std::vector<results::SpecChange> grown_history(const results::ManifestInfo& info, const Rows& old,
                                               const sweeps::Sweep& sweep,
                                               const ExtendCount& count) {
  std::vector<results::SpecChange> history = info.history;
  if (history.empty())
    history.push_back(
        {.spec_hash = info.spec_hash, .time = info.started, .trained = old.order.size()});
  history.push_back({.spec_hash = sweep.hash(),
                     .time = results::format_utc(std::chrono::system_clock::now()),
                     .kept = count.kept,
                     .trained = count.train,
                     .retired = count.retired});
  return history;
}

// Marks the manifest before any file is replaced: a kill between the renames leaves rows in the
// new spec's order under the old spec's manifest, which a --resume of the old spec would take by
// index; the mark makes it refuse.
void mark_extending(const fs::path& dir, const std::string& hash) {
  std::istringstream lines(nn::read_input_file((dir / "manifest.yaml").string(), "manifest"));
  std::string text, line;
  while (std::getline(lines, line))
    if (!line.starts_with("extending:")) text += line + "\n";
  results::replace_file(dir, "manifest.yaml", text + fmt::format("extending: \"{}\"\n", hash));
}

}  // namespace

bool uses_halving(const std::string& spec_yaml) {
  const YAML::Node halving = spec_section(spec_yaml, "halving");
  return halving.IsDefined() && !halving.IsNull();
}

std::optional<ExtendCount> extend_output_dir(const fs::path& dir, const sweeps::Sweep& sweep,
                                             const Shard& shard, results::Manifest manifest) {
  const std::optional<results::ManifestInfo> info = results::read_manifest(dir);
  check_store(dir, info);
  if (info->spec_hash == sweep.hash() && info->extending.empty()) return std::nullopt;
  check_growable(dir, *info, sweep, shard);
  // Never read or replaced through a link, as every file of the directory.
  results::check_regular_or_missing(results::open_place(dir, "retired.csv"));
  const Rows old = read_rows(dir / "trials.csv");
  if (old.legacy)
    throw nn::InputError((dir / "trials.csv").string(), 1, 1,
                         "cannot --extend: this trials.csv was written by an older nnsweep, "
                         "without the fold, balanced accuracy and macro F1 columns; run the "
                         "sweep again into a new --out directory");
  const Kept kept = keep_finished(sweep, old, dir);
  ExtendCount count{.kept = kept.rows.size(), .train = sweep.size() - kept.rows.size()};
  const std::optional<std::string> retired = retired_text(dir, old, kept, count.retired);

  mark_extending(dir, sweep.hash());
  // Staged beside the old files and renamed over them, the manifest last: until it names the
  // new spec, another --extend starts over from whatever a kill left.
  results::FileBatch files(dir);
  if (retired) files.stage("retired.csv", *retired);
  if (sweep.curves().enabled)
    files.stage("curves.csv", [&](std::ostream& out) {
      std::ifstream in(dir / "curves.csv", std::ios::binary);
      std::istringstream none;
      results::sort_curves(in ? static_cast<std::istream&>(in) : none, out, kept.ids,
                           (dir / "curves.csv").string());
    });
  files.stage("trials.csv", [&](std::ostream& out) { write_trials(out, sweep, kept); });
  manifest.judged_with = info->judged_with;
  manifest.history = grown_history(*info, old, sweep, count);
  files.stage("manifest.yaml", results::format_manifest(manifest));
  files.commit();
  return count;
}

}  // namespace runner
