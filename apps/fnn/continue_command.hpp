#pragma once
// The "continue with:" lines that a stopped fnn train or fnn sweep prints: under a parallel
// launcher the command needs the launcher again (docs/distributed.md).
#include <cstddef>
#include <fnn/launcher.hpp>
#include <optional>
#include <string>

namespace fnn::cli {

/// The words that start fnn again as a job of `processes` processes, as `launcher` started this
/// one: "mpirun -np 4" for Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), "srun -n 4" under Slurm
/// (`slurm`: SLURM_JOB_ID is set; "srun --mpi=pmix -n 4" when PMIx started it), "mpiexec -n 4"
/// for another PMI launcher (MPICH's Hydra), "mpirun -np 4" for another PMIx one. "" without a
/// launcher or for one process, which needs none.
std::string launcher_words(const std::optional<Launcher>& launcher, bool slurm,
                           std::size_t processes);

/// "continue with:" and `command` on a line of its own; for a job of more than one process the
/// launcher's words (launcher_words of this process's launcher) come before it, and a last line
/// says that the launcher's other options, which fnn cannot see, are to be added.
std::string continue_lines(const std::string& command, std::size_t processes);

}  // namespace fnn::cli
