// `nnsweep run SPEC --out DIR --extend`: growing a finished sweep. The output directory is a
// store of finished trials keyed by trial id (a content hash of the configuration, so the same
// configuration under an edited spec has the same id, seed and rows). When the spec changed,
// extend_output_dir() rewrites DIR as a partial run of the new spec: every finished trial that
// is still in it keeps its rows (trials.csv, its curve in curves.csv), rebuilt with the new
// spec's trial_index and parameter columns; rows of trials no longer in it move to retired.csv;
// the manifest takes the new spec and appends to its `history`. The run then trains what is
// missing exactly as --resume does, so the files end equal to a fresh run of the new spec.
//
// Crash safety: the manifest is first marked `extending` (a --resume then refuses the
// directory), then the new files are written beside the old ones and renamed over them, the
// manifest last. Every state a kill can leave reads back correctly: rows are found by id, not
// by index or column layout, and retired.csv holds one row per id, so a second --extend
// finishes the job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "results/manifest.h"
#include "runner/shard.h"
#include "sweeps/spec.h"

namespace runner {

struct ExtendCount {
  std::uint64_t kept = 0;     // finished trials of the new spec found in the directory
  std::uint64_t train = 0;    // trials of the new spec to train
  std::uint64_t retired = 0;  // trials no longer in the spec, moved to retired.csv
};

// Whether a resolved spec (YAML text) uses successive halving, whose rungs depend on the whole
// sweep: growing such a sweep is refused.
bool uses_halving(const std::string& spec_yaml);

// Prepares output directory `dir` (which is not empty) for extending its run to `sweep`, as the
// header says; `manifest` is the new run's starting manifest (its history is filled in here).
// Nothing when the spec is unchanged (and no extension was cut short): the run just resumes. Throws
// nn::InputError, before anything is written, for a directory that is not an nnsweep output
// directory, results of another id scheme, a shard (either side), a halving sweep, or changed
// curves or convergence settings (the kept rows would not be those of a fresh run).
std::optional<ExtendCount> extend_output_dir(const std::filesystem::path& dir,
                                             const sweeps::Sweep& sweep, const Shard& shard,
                                             results::Manifest manifest);

}  // namespace runner
