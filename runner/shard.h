// Shards: `--shard K/N` splits a sweep's trial indices into N contiguous ranges, so N processes
// (a Slurm job array, a Kubernetes indexed job) cover the sweep once with no coordination.
// Contiguous ranges keep the trials that differ only in epochs together, so they still share
// one training.
#pragma once

#include <cstdint>
#include <string>

namespace runner {

struct Shard {
  std::uint64_t index = 0;  // K, 0-based
  std::uint64_t count = 1;  // N
  bool whole() const { return count == 1; }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
  // The trial indices [begin, end) of this shard of a sweep of `trials`.
  std::uint64_t begin(std::uint64_t trials) const;
  std::uint64_t end(std::uint64_t trials) const;
};

// Parses `K/N` (0 <= K < N). Throws boost::program_options::error with a clear message.
Shard parse_shard(const std::string& text);

}  // namespace runner
