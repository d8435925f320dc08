#include <string>

#include "runner/commands.h"
#include "runner/mpi_backend.h"

namespace runner {

std::string version_string() {
  std::string v = "nnsweep " NNSWEEP_VERSION;
  if (std::string_view(NNSWEEP_GIT_REVISION).size() > 0) v += " (" NNSWEEP_GIT_REVISION ")";
  v += mpi_available() ? ", with MPI" : ", without MPI";
  return v;
}

}  // namespace runner
