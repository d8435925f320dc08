// The MPI transport module: each function is one MPI call on MPI_COMM_WORLD, messages are bytes.
#include <mpi.h>

#include "runner/mpi_transport.h"

namespace {

int init(int* rank, int* size) {
  int provided = 0;
  // Only a rank's main thread calls MPI; serialized leaves room for pipeline threads to.
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) return 1;
  if (provided < MPI_THREAD_SERIALIZED) return 2;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 0;
}

void abort_job(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
}

int finalize() {
  return MPI_Finalize() == MPI_SUCCESS ? 0 : 1;
}

int probe(int source, int tag, int* arrived, int* from, int* got_tag, int* bytes) {
  MPI_Status status;
  if (MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag, MPI_COMM_WORLD,
                 arrived, &status) != MPI_SUCCESS)
    return 1;
  if (*arrived) {
    *from = status.MPI_SOURCE;
    *got_tag = status.MPI_TAG;
    MPI_Get_count(&status, MPI_BYTE, bytes);
  }
  return 0;
}

int recv(void* data, int bytes, int source, int tag) {
  return MPI_Recv(data, bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) ==
                 MPI_SUCCESS
             ? 0
             : 1;
}

int send(const void* data, int bytes, int dest, int tag) {
  return MPI_Send(data, bytes, MPI_BYTE, dest, tag, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : 1;
}

const NnsweepMpiTransport kTransport{
    runner::kMpiTransportVersion, init, abort_job, finalize, probe, recv, send};

}  // namespace

extern "C" __attribute__((visibility("default"))) const NnsweepMpiTransport*
nnsweep_mpi_transport() {
  return &kTransport;
}
