// manifest.yaml: what produced an output directory — the resolved spec and its hash, the
// nnsweep version and git revision, compiler and flags, threads, host, start and end times
// (ISO 8601, UTC) and the trial counts. A resume compares the spec hash read back here with
// the current spec's, and refuses to mix the results of two different sweeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/pivot_spec.h"
#include "results/trial_record.h"

namespace results {

// The version of the output files' layout, and the trial identity scheme (ids and seeds) the
// rows were made under: a run never continues or merges results of another scheme. A manifest
// without `id_scheme` predates both and reads as scheme 1.
inline constexpr int kOutputFormat = 2;

// One spec a directory's rows were made under (`run --extend` grows a finished sweep into a new
// spec): its hash, when it took over (ISO 8601, UTC), and the trials it kept from the spec
// before, trained (or had to train) and retired to retired.csv. The first entry is the original
// run's spec, with its rows as trained.
struct SpecChange {
  std::string spec_hash, time;
  std::uint64_t kept = 0, trained = 0, retired = 0;
};

struct Manifest {
  int id_scheme = 0;           // sweeps::kIdScheme of the run
  std::string spec_yaml;       // the resolved spec; embedded as YAML when it parses
  std::string spec_hash;       // of the resolved spec
  std::string version;         // nnsweep version
  std::string git_revision;    // empty when not built from a checkout
  std::string compiler;        // e.g. "GNU 12.2.0"
  std::string compiler_flags;  // flags of the build
  std::string eigen;           // Eigen's version, e.g. "3.4.0"
  int vector_width = 0;        // doubles per vector the kernels chose at run time (4 or 8)
  int threads = 0;
  std::string host;
  std::chrono::system_clock::time_point started;
  std::optional<std::chrono::system_clock::time_point> finished;  // unset while running
  std::uint64_t trials_total = 0;                                 // trials this run has to do
  std::uint64_t sweep_trials = 0;  // trials of the whole sweep (more than total for a shard)
  std::string shard;               // `K/N` when this run is shard K of N, else empty
  OutcomeCounts counts;            // trials with a row in trials.csv
  // The `--set convergence.KEY=VALUE` overrides the rows were last judged with (nnsweep report
  // --set), in order; empty when they were judged with the spec's own settings.
  std::vector<std::string> judged_with;
  std::vector<SpecChange> history;  // empty until the directory is first extended
  // The `KEY=VALUE` changes to the sweep file given to `nnsweep run`, in order (the resolved spec
  // already holds them); empty when there were none.
  std::vector<std::string> overrides;
};

// `2024-05-01T12:00:00Z`: whole seconds, UTC.
std::string format_utc(std::chrono::system_clock::time_point time);

std::string format_manifest(const Manifest& manifest);

// What is read back from a manifest (by a resume, merge and report). Throws nn::InputError
// naming `file` when the text is not an nnsweep manifest.
struct ManifestInfo {
  int output_format = 0;  // 0: the manifest predates the field (and outcomes)
  int id_scheme = 1;
  // What decides the arithmetic: results of builds that differ in one of these can differ in
  // their last bits (empty when the manifest predates the field).
  std::string compiler, compiler_flags, eigen;
  std::string spec_hash;
  std::string spec_yaml;  // the resolved spec, re-emitted
  PivotSpec pivot;        // the spec's `report:`, with the defaults where it says nothing
  std::uint64_t sweep_trials = 0;
  std::string shard;
  std::vector<std::string> judged_with;
  std::vector<SpecChange> history;
  std::string started;  // as written, for the first entry of a history
  // The spec hash a `run --extend` was turning the directory into when it stopped: its files
  // may be half replaced, so only another --extend may go on.
  std::string extending;
  std::vector<std::string> overrides;
};
ManifestInfo read_manifest_info(const std::string& manifest_text, const std::string& file);

// The manifest's text with its judged_with line replaced by `judged_with` (or removed when it is
// empty), every other line as it was.
std::string with_judged_with(const std::string& manifest_text,
                             const std::vector<std::string>& judged_with);

// The manifest.yaml of output directory `dir`, or nothing when there is none. Reads it as
// nn::read_input_file does (never a FIFO or a device); throws nn::InputError when it cannot be
// read or is not an nnsweep manifest.
std::optional<ManifestInfo> read_manifest(const std::filesystem::path& dir);

}  // namespace results
