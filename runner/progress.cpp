#include "runner/progress.h"

#include <fmt/format.h>

namespace runner {

Progress::Progress(std::uint64_t total, std::uint64_t already, std::ostream& out)
    : total_(total), already_(already), out_(&out) {}

void Progress::add(results::Outcome status) {
  ++done_;
  counts_.add(status);
  if (Clock::now() - last_draw_ > std::chrono::milliseconds(200)) draw();
}

void Progress::finish() {
  draw();
  *out_ << "\n";
}

void Progress::draw() {
  last_draw_ = Clock::now();
  const double seconds = std::chrono::duration<double>(last_draw_ - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
  const std::uint64_t left = total_ - already_ - done_;
  const auto eta = rate > 0 ? static_cast<std::uint64_t>(static_cast<double>(left) / rate) : 0;
  std::string outcomes;  // the outcomes seen so far, in the vocabulary's order
  for (std::size_t k = 0; k < results::kOutcomes; ++k)
    if (counts_.n[k] > 0) outcomes += fmt::format("  {} {}", nn::kOutcomeNames[k], counts_.n[k]);
  *out_ << fmt::format("\r[{}/{}] {:.1f} trials/s  ETA {}:{:02}:{:02}{}\x1b[K", already_ + done_,
                       total_, rate, eta / 3600, eta / 60 % 60, eta % 60, outcomes);
  out_->flush();
}

}  // namespace runner
