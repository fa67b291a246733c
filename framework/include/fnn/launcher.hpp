#pragma once
// Whether this process was started by a parallel launcher (mpirun, srun) as one of several, and
// what fnn can do about it. Distributed training needs the MPI module, which libfnn never links.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "fnn/export.hpp"
#include "fnn/gradient_exchange.hpp"

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

/// The version of the MPI module's side of GradientExchange and JobMessages (the module's
/// fnn_comm_mpi_interface() must return it): raised when their virtual functions change.
inline constexpr int mpi_module_interface = 2;

/// Whether this process is one of several a launcher started (or of an unknown count).
FNN_API bool launched_as_many();

/// Why this process cannot run as it was launched, or nothing: under a launcher of more than one
/// process (or of an unknown count) N independent copies would each work alone and race to
/// write the same files. `what` says what the caller was about to do (e.g. "fnn plugins");
/// the message names the launcher's variable, the module's path and whether it is there, and
/// what can run across processes. For a usage error (exit 2).
FNN_API std::optional<std::string> launch_refusal(const std::string& what);

/// Short messages between the processes of a job, for work handed out as it goes (fnn sweep
/// across ranks, docs/distributed.md): a send returns at once, and a process looks for what has
/// arrived when it likes, so that it can serve the others while it waits for work of its own.
/// Messages from one process to another arrive in the order sent. One thread calls it.
class FNN_API JobMessages {
 public:
  struct Message {
    std::size_t from = 0;  ///< the sender's rank
    std::string text;
  };
  virtual ~JobMessages() = default;
  virtual std::size_t rank() const noexcept = 0;
  virtual std::size_t ranks() const noexcept = 0;
  /// Sends `text` to rank `to` (not this one) without waiting for it to arrive. fnn::Error when
  /// the transport fails.
  virtual void send(std::size_t to, const std::string& text) = 0;
  /// The next message that has arrived for this process, or nullopt at once when none has.
  virtual std::optional<Message> receive() = 0;
};

/// The MPI module (mpi_module_path()), loaded and started: the gradient exchange over every
/// process of the job. Open it first thing in main: MPI_Init_thread must run before TBB starts
/// its threads. The destructor finalises MPI.
class FNN_API MpiModule {
 public:
  /// PluginError naming the module when it is not installed, cannot be loaded, or MPI does not
  /// start.
  MpiModule(int* argc, char*** argv);
  ~MpiModule();
  MpiModule(const MpiModule&) = delete;
  MpiModule& operator=(const MpiModule&) = delete;

  GradientExchange& exchange() noexcept { return *exchange_; }
  /// Messages between the processes of the job, opened on first use; PluginError when the
  /// module has none (an older module).
  JobMessages& messages();
  /// Ends every process of the job with `code` (MPI_Abort): after an error on one process the
  /// others may wait in an exchange that never completes.
  [[noreturn]] void abort(int code) noexcept;

 private:
  struct Library;
  std::unique_ptr<Library> library_;
  GradientExchange* exchange_ = nullptr;
  JobMessages* messages_ = nullptr;
};

}  // namespace fnn
