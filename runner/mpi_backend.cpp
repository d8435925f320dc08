#include "runner/mpi_backend.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "results/trial_record.h"
#include "runner/mpi_transport.h"

namespace runner {
namespace {

enum Tag : int { kRequest = 1, kChunk = 2, kRow = 3, kDone = 4, kStart = 5 };
// kStart's epochs that send a worker home: no hand-out follows.
constexpr std::int64_t kLeave = -1;
constexpr std::chrono::microseconds kLongestPause{1000};

// A rows message: for each finished trial the sizes of its status, trial row and curve rows,
// then those three texts. A chunk's rows travel in one message: one message per trial made
// rank 0's round trips the cost of small sweeps.
void encode(const TrialRows& rows, std::string& message) {
  const std::string_view status = nn::to_string(rows.outcome);
  const std::uint64_t sizes[3] = {status.size(), rows.trial_row.size(), rows.curve_rows.size()};
  message.append(reinterpret_cast<const char*>(sizes), sizeof sizes);
  message.append(status).append(rows.trial_row).append(rows.curve_rows);
}

template <typename Each>
void decode(const std::string& message, Each&& each) {
  for (std::size_t at = 0; at < message.size();) {
    std::uint64_t sizes[3];
    std::memcpy(sizes, message.data() + at, sizeof sizes);
    at += sizeof sizes;
    const TrialRows rows{
        results::parse_outcome(message.substr(at, sizes[0])).value_or(results::Outcome::error),
        message.substr(at + sizes[0], sizes[1]),
        message.substr(at + sizes[0] + sizes[1], sizes[2])};
    at += sizes[0] + sizes[1] + sizes[2];
    each(rows);
  }
}

// The transport module, loaded on first use (see runner/mpi_transport.h): from beside the
// executable, whatever the working directory.
const NnsweepMpiTransport& transport() {
  static const NnsweepMpiTransport* const loaded = [] {
    namespace fs = std::filesystem;
    std::error_code ignored;
    const fs::path path =
        fs::read_symlink("/proc/self/exe", ignored).parent_path() / kMpiModuleName;
    // RTLD_GLOBAL: Open MPI's own plugins look for its symbols among the global ones.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    const char* error = module ? nullptr : ::dlerror();
    using Entry = const NnsweepMpiTransport* (*)();
    const auto entry =
        module ? reinterpret_cast<Entry>(::dlsym(module, "nnsweep_mpi_transport")) : nullptr;
    if (!entry)
      throw std::runtime_error(fmt::format(
          "cannot load the MPI backend: {}; {} is built with nnsweep and must stay beside it",
          error ? error : path.string() + " has no nnsweep_mpi_transport", kMpiModuleName));
    const NnsweepMpiTransport* t = entry();
    if (t->version != kMpiTransportVersion)
      throw std::runtime_error(
          fmt::format("the MPI backend {} is of another build of nnsweep", path.string()));
    return t;
  }();
  return *loaded;
}

void check(int code, const char* what) {
  if (code != 0) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

struct Message {
  int source = 0, tag = 0, bytes = 0;
};

// Waits for a message by polling with a growing pause rather than blocking in MPI_Probe, which
// spins a core at 100% in Open MPI: a waiting rank would take a core from the ranks that train.
Message wait_for(int source, int tag) {
  Message m;
  int arrived = 0;
  for (auto pause = std::chrono::microseconds(20);; pause = std::min(2 * pause, kLongestPause)) {
    check(transport().probe(source, tag, &arrived, &m.source, &m.tag, &m.bytes), "MPI_Iprobe");
    if (arrived) return m;
    std::this_thread::sleep_for(pause);
  }
}

void send(const void* data, std::size_t bytes, int dest, int tag) {
  check(transport().send(data, static_cast<int>(bytes), dest, tag), "MPI_Send");
}

void receive(void* data, int bytes, int source, int tag) {
  check(transport().recv(data, bytes, source, tag), "MPI_Recv");
}

constexpr int kAny = -1;

// Starts one hand-out on every worker: its trials train `epochs` (0: their own train.epochs), or,
// with kLeave, the workers return.
void start_all(const MpiSession& session, std::int64_t epochs) {
  for (int rank = 1; rank < session.size(); ++rank) send(&epochs, sizeof epochs, rank, kStart);
}

// A worker's part of one hand-out: trains the chunks rank 0 sends until it has no more.
void work_one_hand_out(const sweeps::Sweep& sweep, const RunOptions& options) {
  std::uint64_t trainings = 0;
  std::vector<std::uint64_t> chunk;
  for (;;) {
    send(nullptr, 0, 0, kRequest);
    const Message status = wait_for(0, kChunk);
    chunk.resize(static_cast<std::size_t>(status.bytes) / sizeof(std::uint64_t));
    receive(chunk.data(), status.bytes, 0, kChunk);
    if (chunk.empty()) break;
    RunOptions mine = options;
    mine.begin = chunk.front();
    mine.end = chunk.back() + 1;
    mine.skip = [&](std::uint64_t i) { return !std::binary_search(chunk.begin(), chunk.end(), i); };
    std::string message;
    const RunStats stats = run_trials(sweep, mine, [&](std::span<FinishedTrial> pack) {
      for (FinishedTrial& done : pack)
        encode({done.record.outcome, results::format_trial_row(done.record),
                std::move(done.curve_rows)},
               message);
    });
    if (!message.empty()) send(message.data(), message.size(), 0, kRow);
    trainings += stats.trainings;
  }
  send(&trainings, sizeof trainings, 0, kDone);
}

}  // namespace

bool mpi_available() {
#ifdef NNSWEEP_WITH_MPI
  return true;
#else
  return false;
#endif
}

MpiSession::MpiSession() : exceptions_at_start_(std::uncaught_exceptions()) {
  if (!mpi_available()) throw std::logic_error("this nnsweep was built without MPI");
  const int code = transport().init(&rank_, &size_);
  if (code == 2)
    throw std::runtime_error("MPI: this MPI library cannot be called from several threads");
  check(code, "MPI_Init_thread");
}

MpiSession::~MpiSession() {
  if (std::uncaught_exceptions() > exceptions_at_start_)
    transport().abort_job(2);
  else
    transport().finalize();
}

RunStats mpi_coordinate(const MpiSession& session, const sweeps::Sweep& sweep,
                        const RunOptions& options,
                        const std::function<void(const TrialRows&)>& write) {
  // Chunks hold whole runs of epoch siblings (they share a training) and shrink as the sweep
  // drains (a quarter of what is left per worker, as guided scheduling does): few round trips
  // to rank 0, yet the ranks finish close together however uneven the trials are.
  const auto workers = static_cast<std::uint64_t>(std::max(1, session.size() - 1));
  std::uint64_t next = options.begin;
  const std::uint64_t end = std::min(options.end, sweep.size());
  bool abandon = false;
  start_all(session, options.epochs);

  RunStats stats;
  int working = session.size() - 1;
  std::vector<std::uint64_t> chunk;
  std::string message;
  while (working > 0) {
    const Message status = wait_for(kAny, kAny);
    message.resize(static_cast<std::size_t>(status.bytes));
    receive(message.data(), status.bytes, status.source, status.tag);
    if (status.tag == kRow) {
      decode(message, [&](const TrialRows& rows) {
        if (rows.outcome == results::Outcome::error && options.fail_fast) abandon = true;
        write(rows);
        ++stats.finished;
      });
    } else if (status.tag == kDone) {
      std::uint64_t trainings = 0;
      std::memcpy(&trainings, message.data(), std::min(message.size(), sizeof trainings));
      stats.trainings += trainings;
      --working;
    } else if (status.tag == kRequest) {
      chunk.clear();
      const bool stop = abandon || (options.interrupt && options.interrupt->load());
      const std::uint64_t share = std::max<std::uint64_t>(1, (end - next) / (4 * workers));
      while (!stop && next < end && chunk.size() < share) {
        const std::uint64_t run_end = std::min(end, EpochSiblings::run_end(sweep, next));
        for (; next < run_end; ++next)
          if (!(options.skip && options.skip(next))) chunk.push_back(next);
      }
      send(chunk.data(), chunk.size() * sizeof(std::uint64_t), status.source, kChunk);
    }
  }
  stats.interrupted = options.interrupt && options.interrupt->load();
  stats.failed_fast = abandon;
  return stats;
}

void mpi_release(const MpiSession& session) {
  start_all(session, kLeave);
}

void mpi_work(const MpiSession&, const sweeps::Sweep& sweep, const RunOptions& options) {
  for (;;) {
    std::int64_t epochs = kLeave;
    const Message start = wait_for(0, kStart);
    if (start.bytes != sizeof epochs) throw std::runtime_error("MPI: a malformed start message");
    receive(&epochs, start.bytes, 0, kStart);
    if (epochs == kLeave) return;
    RunOptions hand_out = options;
    hand_out.epochs = static_cast<int>(epochs);
    work_one_hand_out(sweep, hand_out);
  }
}

}  // namespace runner
