// report.html while a run goes: a background thread rebuilds the page from what the output
// directory holds (results::live_report_html: trials.csv's complete rows, curves.csv when small)
// and replaces it atomically, so an open browser tab, reloaded by the page's refresh tag, follows
// the sweep. It reads only files, never the RowSink's memory, so it shares nothing with the
// threads that train. The rebuilds take at most 1/cost_factor of the run (2% by default): each
// is timed, the next waits at least max(interval, cost_factor x that time), and it starts only
// once all rebuilds so far plus its own estimated time (the last one's time per byte, times the
// bytes it will read) fit in 1/cost_factor of the time since the run started, so the share
// holds even for a run that ends right after a rebuild. A large sweep is rebuilt less often.
// The first rebuild comes after one interval: a short run makes none.
//
// stop() (or the destructor) cancels a rebuild under way and joins the thread; it must come
// before the final tables are written. A live page left behind by a run that did not write its
// final page (Ctrl-C, an error) is removed by the destructor: a page that says "running" and
// reloads forever would mislead. Not thread-safe itself: one owner calls its members.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "results/column_roles.h"
#include "results/pivot_spec.h"

namespace runner {

struct LiveReportOptions {
  std::filesystem::path dir;  // the output directory
  std::string sweep_name;
  results::PivotSpec pivot;
  results::ColumnRoles columns;              // which settings are data settings, which were sampled
  std::uint64_t total = 0;                   // the run's trials
  std::uint64_t done_before = 0;             // of them, those a resumed run found done
  std::chrono::milliseconds interval{5000};  // between rebuilds at least, and before the first
  // The rebuilds take at most 1/cost_factor of the run; the wait after one, in its durations.
  double cost_factor = 50;
  // A larger curves.csv is left out of the live page (its loss curves come with the final one).
  std::uint64_t max_curves_bytes = std::uint64_t{16} << 20;
};

// The wait before the next rebuild: max(interval, cost_factor x the last rebuild's time).
std::chrono::nanoseconds next_wait(const LiveReportOptions& options,
                                   std::chrono::nanoseconds last_rebuild);

class LiveReport {
 public:
  explicit LiveReport(LiveReportOptions options);  // starts the thread
  ~LiveReport();
  LiveReport(const LiveReport&) = delete;
  LiveReport& operator=(const LiveReport&) = delete;

  // Cancels a rebuild under way and joins the thread; later calls do nothing.
  void stop();
  // The final page has replaced the live one: the destructor leaves report.html alone.
  void final_page_written() { final_written_ = true; }

  // The pages written so far, and why rebuilding stopped early (empty when it did not: a live
  // page is worth a warning, never a failed run). Safe to call at any time.
  std::uint64_t pages() const { return pages_.load(); }
  std::string error() const;

 private:
  using Clock = std::chrono::steady_clock;
  void loop();
  bool sleep_until(Clock::time_point when);  // true: stopping
  std::uint64_t bytes_to_read() const;       // what the next rebuild reads
  // The earliest time the next rebuild keeps all of them within 1/cost_factor of the run.
  Clock::time_point budget_allows(double seconds_per_byte) const;
  void rebuild(Clock::duration wait);

  LiveReportOptions options_;
  Clock::time_point start_ = Clock::now();
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;            // under mutex_
  std::string error_;                // under mutex_
  std::atomic<bool> cancel_{false};  // polled by a rebuild under way
  std::atomic<std::uint64_t> pages_{0};
  std::chrono::nanoseconds busy_{0};  // the rebuilds' time so far; the thread's own
  bool final_written_ = false;
  std::thread thread_;  // last: started once everything it uses is made
};

}  // namespace runner
