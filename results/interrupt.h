// Stopping a phase that is not a loop over trials (the tables, the report page) when Ctrl-C or
// SIGTERM arrives: the phase polls the flag the signal handler sets and throws Interrupted,
// which the runner's commands map to exit code 130. The files such a phase writes are staged and
// committed together, so stopping it leaves the directory as it was before the phase.
#pragma once

#include <atomic>
#include <stdexcept>

namespace results {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

// Throws Interrupted when `flag` is set; a null flag is never set.
inline void poll_interrupt(const std::atomic<bool>* flag) {
  if (flag && flag->load(std::memory_order_relaxed)) throw Interrupted();
}

}  // namespace results
