#include "fnn/launcher.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <charconv>
#include <cstdlib>

namespace fnn {

std::optional<Launcher> detect_launcher() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    const char* value = std::getenv(variable);
    if (value == nullptr) continue;
    Launcher launcher{variable, value, std::nullopt};
    if (launcher.variable != "PMIX_RANK") {  // a rank, not a count
      std::size_t count = 0;
      const auto [end, error] =
          std::from_chars(launcher.value.data(), launcher.value.data() + launcher.value.size(), count);
      if (error == std::errc{} && end == launcher.value.data() + launcher.value.size()) {
        launcher.processes = count;
      }
    }
    return launcher;
  }
  return std::nullopt;
}

std::filesystem::path mpi_module_path() {
  return (boost::dll::this_line_location().parent_path() / "fnn" / "fnn_comm_mpi.so")
      .lexically_normal();
}

std::optional<std::string> launch_refusal() {
  const std::optional<Launcher> launcher = detect_launcher();
  if (!launcher || launcher->processes == std::size_t{1}) return std::nullopt;
  std::string message = "fnn was started by a parallel launcher (";
  message.append(launcher->variable).append("=").append(launcher->value).append(") ");
  const std::filesystem::path module = mpi_module_path();
  std::error_code ignored;
  if (std::filesystem::exists(module, ignored)) {
    message.append("and the MPI module ").append(module.string()).append(
        " is installed, but this fnn does not train across processes yet (issue #18)");
  } else {
    message.append("but the MPI module ").append(module.string()).append(
        " is not installed (package fnn-mpi)");
  }
  message.append(": the copies would each train alone and race to write the same files; run "
                 "fnn without mpirun or srun, or with one process");
  return message;
}

}  // namespace fnn
