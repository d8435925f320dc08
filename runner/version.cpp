#include <Eigen/Core>
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

std::string eigen_version() {
  return std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
}

}  // namespace runner
