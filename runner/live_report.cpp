#include "runner/live_report.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <system_error>

#include "results/atomic_file.h"
#include "results/interrupt.h"
#include "results/tables.h"

namespace runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::chrono::nanoseconds next_wait(const LiveReportOptions& options,
                                   std::chrono::nanoseconds last_rebuild) {
  const auto scaled = std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(
      options.cost_factor * static_cast<double>(last_rebuild.count())));
  return std::max<std::chrono::nanoseconds>(options.interval, scaled);
}

LiveReport::LiveReport(LiveReportOptions options)
    : options_(std::move(options)), thread_([this] { loop(); }) {}

LiveReport::~LiveReport() {
  stop();
  if (pages_ > 0 && !final_written_) {
    std::error_code ignored;  // nothing better to do with a failure here than leave the page
    fs::remove(options_.dir / "report.html", ignored);
  }
}

void LiveReport::stop() {
  if (!thread_.joinable()) return;
  cancel_.store(true);
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string LiveReport::error() const {
  const std::lock_guard lock(mutex_);
  return error_;
}

bool LiveReport::sleep_until(Clock::time_point when) {
  std::unique_lock lock(mutex_);
  return wake_.wait_until(lock, when, [this] { return stopping_; });
}

std::uint64_t LiveReport::bytes_to_read() const {
  std::error_code missing;
  const std::uintmax_t trials = fs::file_size(options_.dir / "trials.csv", missing);
  std::uint64_t bytes = missing ? 0 : trials;
  const std::uintmax_t curves = fs::file_size(options_.dir / "curves.csv", missing);
  if (!missing && curves <= options_.max_curves_bytes) bytes += curves;
  return bytes;
}

Clock::time_point LiveReport::budget_allows(double seconds_per_byte) const {
  const double next = seconds_per_byte * static_cast<double>(bytes_to_read());
  const double spent = std::chrono::duration<double>(busy_).count() + next;
  return start_ + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(options_.cost_factor * spent));
}

void LiveReport::loop() {
  Clock::time_point next = start_ + options_.interval, last = start_;
  double seconds_per_byte = 0;  // the last rebuild's time over what it read
  for (;;) {
    // Until `next`, then until the budget allows the rebuild: the files grow meanwhile.
    for (Clock::time_point allowed = next; allowed > Clock::now();
         allowed = budget_allows(seconds_per_byte))
      if (sleep_until(allowed)) return;
    const std::uint64_t bytes = bytes_to_read();
    const Clock::time_point began = Clock::now();
    try {
      rebuild(began - last);
    } catch (const results::Interrupted&) {
      return;
    } catch (const std::exception& e) {
      const std::lock_guard lock(mutex_);
      error_ = e.what();
      return;
    }
    last = began;
    const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - began);
    busy_ += took;
    ++pages_;
    seconds_per_byte = std::chrono::duration<double>(took).count() /
                       static_cast<double>(std::max<std::uint64_t>(bytes, 1));
    next = Clock::now() + next_wait(options_, took);
  }
}

// The page reloads about as often as it was rebuilt last (never below a second).
void LiveReport::rebuild(Clock::duration wait) {
  results::LiveStatus status;
  status.total = options_.total;
  status.done_before = options_.done_before;
  status.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  status.refresh_seconds = static_cast<int>(std::ceil(std::chrono::duration<double>(wait).count()));
  const results::TablesOptions tables{
      .sweep_name = options_.sweep_name, .columns = options_.columns, .interrupt = &cancel_};
  const std::string html = results::live_report_html(options_.dir, options_.pivot, tables, status,
                                                     options_.max_curves_bytes);
  // Not synced: the final page replaces it, or the destructor removes it.
  results::replace_file(options_.dir, "report.html", html, results::Sync::none);
}

}  // namespace runner
