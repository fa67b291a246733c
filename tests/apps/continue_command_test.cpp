#include "continue_command.hpp"

#include <catch2/catch.hpp>

namespace {

using fnn::Launcher;
using fnn::cli::launcher_words;

Launcher launcher(const std::string& variable) {
  return Launcher{variable, "4", std::nullopt};
}

}  // namespace

TEST_CASE(
    "The launcher words before a stopped job's continue command name its launcher and "
    "process count",
    "[continue]") {
  CHECK(launcher_words(launcher("OMPI_COMM_WORLD_SIZE"), false, 4) == "mpirun -np 4");
  CHECK(launcher_words(launcher("OMPI_COMM_WORLD_SIZE"), true, 2) == "mpirun -np 2");
  CHECK(launcher_words(launcher("PMI_SIZE"), true, 4) == "srun -n 4");
  CHECK(launcher_words(launcher("PMIX_RANK"), true, 8) == "srun --mpi=pmix -n 8");
  CHECK(launcher_words(launcher("PMI_SIZE"), false, 4) == "mpiexec -n 4");
  CHECK(launcher_words(launcher("PMIX_RANK"), false, 3) == "mpirun -np 3");
  // One process, or none launched it: the command runs as it is.
  CHECK(launcher_words(launcher("OMPI_COMM_WORLD_SIZE"), false, 1).empty());
  CHECK(launcher_words(std::nullopt, true, 4).empty());
}

TEST_CASE("A stopped command of one process continues with the command alone", "[continue]") {
  CHECK(fnn::cli::continue_lines("fnn train --resume ck.fnn", 1) ==
        "continue with:\n  fnn train --resume ck.fnn\n");
}
