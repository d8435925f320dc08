// The MPI calls of the MPI backend (runner/mpi_backend.h) behind a C interface, in a module of
// their own, libnnsweep_mpi.so beside the executable (runner/mpi/transport.cpp), loaded only by
// `run --mpi`: Open MPI's libraries cost every process about 3 ms to load, and most runs never
// use them. Plain types only, so the two sides share no C++ ABI.
#pragma once

extern "C" {

// Functions return 0 on success. Ranks and tags are MPI's; -1 as a source or tag means any.
struct NnsweepMpiTransport {
  int version;  // kMpiTransportVersion of the module's build
  // MPI_Init_thread asking for MPI_THREAD_SERIALIZED: 1 if it failed, 2 if the library cannot
  // serve several threads.
  int (*init)(int* rank, int* size);
  void (*abort_job)(int code);  // MPI_Abort on every rank
  int (*finalize)();
  // MPI_Iprobe: *arrived = 1 and the first matching message's source, tag and size in bytes.
  int (*probe)(int source, int tag, int* arrived, int* from, int* got_tag, int* bytes);
  int (*recv)(void* data, int bytes, int source, int tag);
  int (*send)(const void* data, int bytes, int dest, int tag);
};

// The module's one exported symbol.
const NnsweepMpiTransport* nnsweep_mpi_transport();
}

namespace runner {
inline constexpr int kMpiTransportVersion = 1;
inline constexpr const char* kMpiModuleName = "libnnsweep_mpi.so";
}  // namespace runner
