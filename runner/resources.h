// What a run will need before it starts: an upper estimate of its peak memory (the largest
// trainings the threads hold at once, with their datasets and curves), the size of the files it
// writes, and the memory this machine can give it (the smaller of physical RAM and the cgroup's
// memory.max). `run` refuses a sweep whose estimate does not fit, before it creates its output
// directory; `plan` prints the estimates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sweeps/spec.h"

namespace runner {

struct Resources {
  std::uint64_t trial_memory = 0;   // bytes one training of the largest sampled trial needs
  std::uint64_t trainings = 0;      // trainings held at once: threads x lanes, at most the trials
  std::uint64_t peak_memory = 0;    // bytes for that many trainings of the largest trial
  std::uint64_t trial_rows = 0;     // rows of trials.csv
  std::uint64_t curve_rows = 0;     // rows of curves.csv (0 with curves: off)
  std::uint64_t disk_bytes = 0;     // trials.csv, curves.csv and the tables, roughly
  std::uint64_t largest_trial = 0;  // index of the trial behind trial_memory
  bool sampled = false;             // the sums come from an even sample of the trials
};

// Sums over the sweep's trials (an even sample of at most 100,000 of them for larger sweeps).
Resources estimate_resources(const sweeps::Sweep& sweep, int threads);

// Bytes of memory this process may use: the smaller of physical RAM and the cgroup limit
// (/sys/fs/cgroup/memory.max, or cgroup v1's memory.limit_in_bytes); nothing when none is known.
std::optional<std::uint64_t> memory_limit();

// Throws std::runtime_error (exit code 1) when the estimate exceeds memory_limit(), saying both.
void check_memory(const sweeps::Sweep& sweep, int threads);

// "1.5 GiB", "320 MiB", "12 KiB": bytes for people.
std::string human_bytes(double bytes);

}  // namespace runner
