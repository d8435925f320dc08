// The steps of `nnsweep merge DIR... --out DIR`, for merge_command and its tests. Shards merge
// when they come from one sweep file and one build (same arithmetic) and together hold every
// trial of the sweep exactly once; the merged trials.csv and curves.csv are the shards' rows
// in directory order, and the tables are built from them as for one run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "results/manifest.h"

namespace runner {

// Reads each shard's manifest.yaml and checks that all come from this id scheme, one build and
// one sweep file. Throws nn::InputError naming the first directory at fault.
std::vector<results::ManifestInfo> read_shard_manifests(const std::vector<std::string>& dirs);

// Reads each shard's trials.csv and checks that together they hold each of the sweep's `total`
// trials exactly once; returns the parameter columns. Throws nn::InputError listing the trial
// indices found twice and those found nowhere (`12, 15-19, 40`, eight runs at most).
std::vector<std::string> check_every_trial_once(const std::vector<std::string>& dirs,
                                                std::uint64_t total);

// Appends the shards' rows to `out`/trials.csv and `out`/curves.csv, headers first.
void write_merged_rows(const std::vector<std::string>& dirs,
                       const std::vector<std::string>& param_keys,
                       const std::filesystem::path& out);

// The merged manifest: the shards' spec and build, this nnsweep's version, finished now.
results::Manifest merged_manifest(const results::ManifestInfo& shard, std::uint64_t total);

}  // namespace runner
