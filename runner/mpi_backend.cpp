#include "runner/mpi_backend.h"

#include <stdexcept>

// MPI is an optional dependency: without it this file only says so, and `run --mpi` explains
// how to get it. This is the one compile-time switch in the project.
#ifdef NNSWEEP_WITH_MPI
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "results/trial_record.h"

namespace runner {
namespace {

enum Tag : int { kRequest = 1, kChunk = 2, kRow = 3, kDone = 4 };
constexpr std::chrono::microseconds kLongestPause{1000};

// A rows message: for each finished trial the sizes of its status, trial row and curve rows,
// then those three texts. A chunk's rows travel in one message: one message per trial made
// rank 0's round trips the cost of small sweeps.
void encode(const TrialRows& rows, std::string& message) {
  const std::uint64_t sizes[3] = {rows.status.size(), rows.trial_row.size(),
                                  rows.curve_rows.size()};
  message.append(reinterpret_cast<const char*>(sizes), sizeof sizes);
  message.append(rows.status).append(rows.trial_row).append(rows.curve_rows);
}

template <typename Each>
void decode(const std::string& message, Each&& each) {
  for (std::size_t at = 0; at < message.size();) {
    std::uint64_t sizes[3];
    std::memcpy(sizes, message.data() + at, sizeof sizes);
    at += sizeof sizes;
    const TrialRows rows{message.substr(at, sizes[0]), message.substr(at + sizes[0], sizes[1]),
                         message.substr(at + sizes[0] + sizes[1], sizes[2])};
    at += sizes[0] + sizes[1] + sizes[2];
    each(rows);
  }
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

// Waits for a message by polling with a growing pause rather than blocking in MPI_Probe, which
// spins a core at 100% in Open MPI: a waiting rank would take a core from the ranks that train.
MPI_Status wait_for(int source, int tag) {
  MPI_Status status;
  int arrived = 0;
  for (auto pause = std::chrono::microseconds(20);; pause = std::min(2 * pause, kLongestPause)) {
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
    if (arrived) return status;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace

bool mpi_available() {
  return true;
}

MpiSession::MpiSession() : exceptions_at_start_(std::uncaught_exceptions()) {
  int provided = 0;
  // Only a rank's main thread calls MPI; serialized leaves room for pipeline threads to.
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED)
    throw std::runtime_error("MPI: this MPI library cannot be called from several threads");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (std::uncaught_exceptions() > exceptions_at_start_)
    MPI_Abort(MPI_COMM_WORLD, 2);
  else
    MPI_Finalize();
}

RunStats mpi_coordinate(const MpiSession& session, const sweeps::Sweep& sweep,
                        const RunOptions& options,
                        const std::function<void(const TrialRows&)>& write) {
  // Chunks hold whole runs of epoch siblings (they share a training) and shrink as the sweep
  // drains (a quarter of what is left per worker, as guided scheduling does): few round trips
  // to rank 0, yet the ranks finish close together however uneven the trials are.
  std::uint64_t unit = static_cast<std::uint64_t>(sweep.repeats());
  for (const auto& axis : sweep.axes())
    if (axis.key == "train.epochs") unit *= axis.values.size();
  const auto workers = static_cast<std::uint64_t>(std::max(1, session.size() - 1));
  std::uint64_t next = options.begin;
  const std::uint64_t end = std::min(options.end, sweep.size());
  bool abandon = false;

  RunStats stats;
  int working = session.size() - 1;
  std::vector<std::uint64_t> chunk;
  std::string message;
  while (working > 0) {
    const MPI_Status status = wait_for(MPI_ANY_SOURCE, MPI_ANY_TAG);
    int bytes = 0;
    MPI_Get_count(&status, MPI_CHAR, &bytes);
    message.resize(static_cast<std::size_t>(bytes));
    check(MPI_Recv(message.data(), bytes, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG,
                   MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
    if (status.MPI_TAG == kRow) {
      decode(message, [&](const TrialRows& rows) {
        if (rows.status == "error" && options.fail_fast) abandon = true;
        write(rows);
        ++stats.finished;
      });
    } else if (status.MPI_TAG == kDone) {
      std::uint64_t trainings = 0;
      std::memcpy(&trainings, message.data(), std::min(message.size(), sizeof trainings));
      stats.trainings += trainings;
      --working;
    } else if (status.MPI_TAG == kRequest) {
      chunk.clear();
      const bool stop = abandon || (options.interrupt && options.interrupt->load());
      const std::uint64_t share = (end - next) / (4 * workers);
      const std::uint64_t chunk_size = std::max<std::uint64_t>(1, (share + unit - 1) / unit) * unit;
      while (!stop && next < end && chunk.size() < chunk_size) {
        if (!(options.skip && options.skip(next))) chunk.push_back(next);
        ++next;
      }
      check(MPI_Send(chunk.data(), static_cast<int>(chunk.size()), MPI_UINT64_T, status.MPI_SOURCE,
                     kChunk, MPI_COMM_WORLD),
            "MPI_Send");
    }
  }
  stats.interrupted = options.interrupt && options.interrupt->load();
  stats.failed_fast = abandon;
  return stats;
}

void mpi_work(const MpiSession&, const sweeps::Sweep& sweep, const RunOptions& options) {
  std::uint64_t trainings = 0;
  std::vector<std::uint64_t> chunk;
  for (;;) {
    check(MPI_Send(nullptr, 0, MPI_CHAR, 0, kRequest, MPI_COMM_WORLD), "MPI_Send");
    MPI_Status status = wait_for(0, kChunk);
    int count = 0;
    MPI_Get_count(&status, MPI_UINT64_T, &count);
    chunk.resize(static_cast<std::size_t>(count));
    check(MPI_Recv(chunk.data(), count, MPI_UINT64_T, 0, kChunk, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
    if (chunk.empty()) break;
    RunOptions mine = options;
    mine.begin = chunk.front();
    mine.end = chunk.back() + 1;
    mine.skip = [&](std::uint64_t i) { return !std::binary_search(chunk.begin(), chunk.end(), i); };
    std::string message;
    const RunStats stats = run_trials(sweep, mine, [&](std::span<FinishedTrial> pack) {
      for (FinishedTrial& done : pack)
        encode({done.record.status, results::format_trial_row(done.record),
                std::move(done.curve_rows)},
               message);
    });
    if (!message.empty())
      check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, kRow,
                     MPI_COMM_WORLD),
            "MPI_Send");
    trainings += stats.trainings;
  }
  check(MPI_Send(&trainings, sizeof trainings, MPI_CHAR, 0, kDone, MPI_COMM_WORLD), "MPI_Send");
}

}  // namespace runner

#else  // no MPI

namespace runner {

namespace {
[[noreturn]] void unavailable() {
  throw std::logic_error("this nnsweep was built without MPI");
}
}  // namespace

bool mpi_available() {
  return false;
}
MpiSession::MpiSession() {
  unavailable();
}
MpiSession::~MpiSession() = default;
RunStats mpi_coordinate(const MpiSession&, const sweeps::Sweep&, const RunOptions&,
                        const std::function<void(const TrialRows&)>&) {
  unavailable();
}
void mpi_work(const MpiSession&, const sweeps::Sweep&, const RunOptions&) {
  unavailable();
}

}  // namespace runner

#endif
