// Progress of a run on a terminal: trials done / total, trials per second, ETA and the counts
// by status, redrawn on one line at most five times a second. A quiet run makes none.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>

#include "results/trial_record.h"

namespace runner {

class Progress {
 public:
  // `already` trials were done before this run (resume) and count as done, not towards speed.
  Progress(std::uint64_t total, std::uint64_t already, std::ostream& out);
  void add(results::Outcome status);
  void finish();  // draws the last state and ends the line

 private:
  void draw();
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_, already_, done_ = 0;
  results::OutcomeCounts counts_;
  std::ostream* out_;  // never null
  Clock::time_point start_ = Clock::now(), last_draw_{};
};

}  // namespace runner
