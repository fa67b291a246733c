#pragma once
// Whether this process was started by a parallel launcher (mpirun, srun) as one of several, and
// what fnn can do about it. Distributed training needs the MPI module, which libfnn never links.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// What a launcher told this process through its environment.
struct Launcher {
  std::string variable;  ///< the variable that says so, e.g. "OMPI_COMM_WORLD_SIZE"
  std::string value;
  std::optional<std::size_t> processes;  ///< the job's process count, when the variable gives it
};

/// Reads OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMI_SIZE (PMI-1 and 2: srun, MPICH's Hydra),
/// then PMIX_RANK (PMIx: srun --mpi=pmix, which gives no count), and returns the first one set.
FNN_API std::optional<Launcher> detect_launcher();

/// Where fnn looks for its MPI module: fnn/fnn_comm_mpi.so beside the libfnn shared object.
FNN_API std::filesystem::path mpi_module_path();

/// Why this process cannot run as it was launched, or nothing: under a launcher of more than one
/// process (or of an unknown count) N independent copies would each train alone and race to
/// write the same files, so until distributed training runs through the MPI module, fnn refuses,
/// naming the variable, the module's path and whether it is there. For a usage error (exit 2).
FNN_API std::optional<std::string> launch_refusal();

}  // namespace fnn
