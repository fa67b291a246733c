#include "continue_command.hpp"

#include <cstdlib>

namespace fnn::cli {

std::string launcher_words(const std::optional<Launcher>& launcher, bool slurm,
                           std::size_t processes) {
  if (!launcher || processes <= 1) return {};
  const std::string count = std::to_string(processes);
  if (launcher->variable == "OMPI_COMM_WORLD_SIZE") return "mpirun -np " + count;
  const bool pmix = launcher->variable == "PMIX_RANK";
  if (slurm) return (pmix ? "srun --mpi=pmix -n " : "srun -n ") + count;
  return (pmix ? "mpirun -np " : "mpiexec -n ") + count;
}

std::string continue_lines(const std::string& command, std::size_t processes) {
  const std::string launcher =
      launcher_words(detect_launcher(), std::getenv("SLURM_JOB_ID") != nullptr, processes);
  if (launcher.empty()) return "continue with:\n  " + command + "\n";
  // mpirun and srun keep their own options to themselves: a host file, --mca, --oversubscribe.
  return "continue with:\n  " + launcher + " " + command + "\n  (with the other " +
         launcher.substr(0, launcher.find(' ')) +
         " options this job was started with, which fnn cannot see)\n";
}

}  // namespace fnn::cli
