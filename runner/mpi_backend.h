// Distributing a sweep over MPI ranks (`mpirun -np P nnsweep run SPEC --mpi`): rank 0 hands out
// small chunks of trial indices on request and writes every finished row; the other ranks train
// their chunks on their own oneTBB arenas and send the rows back. Dynamic hand-out, because
// trials differ in cost by 100x. Present only when CMake found MPI; mpi_available() says so.
// The MPI library itself is loaded by the first MpiSession, from a module beside the executable
// (runner/mpi_transport.h), so that runs without --mpi never load it.
// REQUIRES one MpiSession per process, alive while any of the functions below run.
#pragma once

#include <functional>
#include <string>

#include "results/trial_record.h"
#include "runner/sweep_runner.h"
#include "sweeps/spec.h"

namespace runner {

// Whether this binary was built with MPI.
bool mpi_available();

// MPI_Init_thread on construction, MPI_Finalize on destruction; a rank that unwinds with an
// exception aborts the job instead, so no rank waits forever for a partner that left.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
  int exceptions_at_start_ = 0;
};

// A finished trial as the text rank 0 writes.
struct TrialRows {
  results::Outcome outcome = results::Outcome::error;
  std::string trial_row;
  std::string curve_rows;
};

// Rank 0: starts a hand-out on every other rank (a plain run has one, successive halving one per
// rung, each with its RunOptions::epochs), hands out the trials of [options.begin, options.end)
// that options.skip does not skip, calls `write` for each row that comes back, and returns when
// every other rank is done.
RunStats mpi_coordinate(const MpiSession& session, const sweeps::Sweep& sweep,
                        const RunOptions& options,
                        const std::function<void(const TrialRows&)>& write);

// Rank 0, after its last mpi_coordinate: sends the other ranks home.
void mpi_release(const MpiSession& session);

// Every other rank: trains the chunks of each hand-out rank 0 starts, until mpi_release.
void mpi_work(const MpiSession& session, const sweeps::Sweep& sweep, const RunOptions& options);

}  // namespace runner
