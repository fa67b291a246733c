#include "fnn/launcher.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <charconv>
#include <cstdlib>

#include "fnn/error.hpp"

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

bool launched_as_many() {
  const std::optional<Launcher> launcher = detect_launcher();
  return launcher && launcher->processes != std::size_t{1};
}

std::optional<std::string> launch_refusal(const std::string& what) {
  if (!launched_as_many()) return std::nullopt;
  const Launcher launcher = *detect_launcher();
  std::string message = what;
  message.append(" was started by a parallel launcher (");
  message.append(launcher.variable).append("=").append(launcher.value).append(") ");
  const std::filesystem::path module = mpi_module_path();
  std::error_code ignored;
  if (std::filesystem::exists(module, ignored)) {
    message.append("and only fnn train and fnn sweep run across processes (through the MPI module ")
        .append(module.string())
        .append(")");
  } else {
    message.append("but the MPI module ").append(module.string()).append(
        " is not installed (package fnn-mpi)");
  }
  message.append(": the copies would each work alone and race to write the same files; run "
                 "it without mpirun or srun, or with one process");
  return message;
}

struct MpiModule::Library {
  boost::dll::shared_library library;
  void (*close)(GradientExchange*) noexcept = nullptr;
  void (*abort)(int) noexcept = nullptr;
};

MpiModule::MpiModule(int* argc, char*** argv) : library_(std::make_unique<Library>()) {
  const std::filesystem::path module = mpi_module_path();
  std::error_code ignored;
  if (!std::filesystem::exists(module, ignored)) {
    throw PluginError("the MPI module " + module.string() +
                      " is not installed (package fnn-mpi), so fnn cannot train across "
                      "processes; run it without mpirun or srun");
  }
  try {
    // Global: Open MPI's own components, loaded later, need libmpi's symbols.
    library_->library.load(module, boost::dll::load_mode::rtld_now |
                                       boost::dll::load_mode::rtld_global);
  } catch (const std::exception& failure) {
    throw PluginError("cannot load the MPI module " + module.string() + ": " + failure.what());
  }
  using Open = GradientExchange*(int*, char***) noexcept;
  using Close = void(GradientExchange*) noexcept;
  using Abort = void(int) noexcept;
  for (const char* name : {"fnn_comm_mpi_open", "fnn_comm_mpi_close", "fnn_comm_mpi_abort",
                           "fnn_comm_mpi_interface"}) {
    if (!library_->library.has(name)) {
      throw PluginError("the MPI module " + module.string() + " has no " + name +
                        ": it is from another fnn version; reinstall fnn-mpi");
    }
  }
  // The exchange's virtual functions are called across the module's boundary: its class must
  // be this fnn's GradientExchange.
  const int interface = library_->library.get<int() noexcept>("fnn_comm_mpi_interface")();
  if (interface != mpi_module_interface) {
    throw PluginError("the MPI module " + module.string() + " implements exchange interface " +
                      std::to_string(interface) + ", this fnn needs " +
                      std::to_string(mpi_module_interface) + "; reinstall fnn-mpi");
  }
  library_->close = &library_->library.get<Close>("fnn_comm_mpi_close");
  library_->abort = &library_->library.get<Abort>("fnn_comm_mpi_abort");
  exchange_ = library_->library.get<Open>("fnn_comm_mpi_open")(argc, argv);
  if (exchange_ == nullptr) {
    throw PluginError("the MPI module " + module.string() + " could not start MPI "
                      "(MPI_Init_thread failed)");
  }
}

MpiModule::~MpiModule() {
  if (messages_ != nullptr) {  // before MPI ends in close
    library_->library.get<void(JobMessages*) noexcept>("fnn_comm_mpi_messages_close")(messages_);
  }
  library_->close(exchange_);
}

JobMessages& MpiModule::messages() {
  if (messages_ != nullptr) return *messages_;
  for (const char* name : {"fnn_comm_mpi_messages_open", "fnn_comm_mpi_messages_close"}) {
    if (!library_->library.has(name)) {
      throw PluginError("the MPI module " + mpi_module_path().string() + " has no " + name +
                        ": it is from an older fnn version; reinstall fnn-mpi");
    }
  }
  messages_ = library_->library.get<JobMessages*() noexcept>("fnn_comm_mpi_messages_open")();
  if (messages_ == nullptr) {
    throw PluginError("the MPI module " + mpi_module_path().string() +
                      " could not open the job's messages");
  }
  return *messages_;
}

void MpiModule::abort(int code) noexcept {
  library_->abort(code);
  std::_Exit(code);  // MPI_Abort does not return; should it, end this process anyway
}

}  // namespace fnn
