// The fnn command-line tool: fnn COMMAND [options]. Exit codes: 0 success, 1 failure of the work
// (bad data, model or plugin file, diverged training, failed check), 2 usage error.
#include <fnn/error.hpp>
#include <fnn/launcher.hpp>
#include <fnn/names.hpp>
#include <fnn/version.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "commands.hpp"
#include "distributed.hpp"
#include "usage_error.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

constexpr Command commands[] = {
    {"train", fnn::cli::train_command, "train a network on a data set, optionally save it"},
    {"sweep", fnn::cli::sweep_command, "train many configurations (grid, random, K folds), J at once"},
    {"eval", fnn::cli::eval_command, "evaluate a saved model on a data set"},
    {"predict", fnn::cli::predict_command, "write a saved model's predictions as CSV"},
    {"convert", fnn::cli::convert_command, "convert CSV or IDX data to a binary data store"},
    {"inspect", fnn::cli::inspect_command, "describe a saved model: network, metadata, checksum"},
    {"export", fnn::cli::export_command, "write a saved model as an ONNX inference graph"},
    {"plot", fnn::cli::plot_command, "draw learning curves from metrics files (gnuplot)"},
    {"plugins", fnn::cli::plugins_command, "list the components the plugins provide"},
    {"gradcheck", fnn::cli::gradcheck_command, "check components' derivatives numerically"},
};

void print_usage(std::ostream& out) {
  out << "usage: fnn COMMAND [options]    (fnn COMMAND --help for its options)\n\ncommands:\n";
  for (const Command& command : commands) {
    out << "  " << command.name << std::string(12 - std::string(command.name).size(), ' ')
        << command.summary << "\n";
  }
  out << "\noptions:\n  --help       this text\n  --version    fnn's version and plugin ABI\n"
      << "\nExit status: 0 success, 1 failure (data, model, plugin, training), 2 usage error.\n";
}

int dispatch(const std::vector<std::string>& words) {
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    print_usage(words.empty() ? std::cerr : std::cout);
    return words.empty() ? 2 : 0;
  }
  if (words[0] == "--version") {
    std::cout << "fnn " << fnn::version << " (plugin ABI " << fnn::abi_version << ")\n";
    return 0;
  }
  // Under mpirun or srun only train and sweep run across processes (main opened the job); N
  // copies of another command would race on its files.
  if (fnn::cli::current_job() == nullptr) {
    if (const auto refusal = fnn::launch_refusal("fnn " + words[0])) {
      throw fnn::cli::UsageError(*refusal);
    }
  }
  for (const Command& command : commands) {
    if (words[0] == command.name) return command.run({words.begin() + 1, words.end()});
  }
  std::vector<std::string> names;
  for (const Command& command : commands) names.emplace_back(command.name);
  const std::string nearest = fnn::nearest_name(words[0], names);
  throw fnn::cli::UsageError("unknown command '" + words[0] + "'" +
                             (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                             " (see fnn --help)");
}

// fnn train or fnn sweep under mpirun or srun: MPI starts here, before anything starts TBB's
// threads. Ranks other than 0 print nothing but errors.
std::unique_ptr<fnn::cli::Job> open_job(std::unique_ptr<fnn::MpiModule>& mpi, int* argc,
                                        char*** argv) {
  if (*argc < 2 || !fnn::launched_as_many()) return {};
  const std::string command = (*argv)[1];
  if (command != "train" && command != "sweep") return {};  // sweep: trials spread over the ranks
  std::error_code ignored;
  if (!std::filesystem::exists(fnn::mpi_module_path(), ignored)) {  // exit 2, saying so
    throw fnn::cli::UsageError(*fnn::launch_refusal("fnn " + command));
  }
  mpi = std::make_unique<fnn::MpiModule>(argc, argv);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  auto job = std::make_unique<fnn::cli::Job>(fnn::cli::Job{
      *mpi, mpi->exchange().participant(), mpi->exchange().participants(), host});
  if (job->rank != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) {
    throw fnn::Error(job->name() + ": cannot silence standard output (/dev/null)");
  }
  fnn::cli::set_current_job(job.get());
  return job;
}

int run(int argc, char** argv, std::unique_ptr<fnn::MpiModule>& mpi, std::string& who) {
  try {
    if (argc > 0) fnn::cli::set_program_name(argv[0]);
    const std::unique_ptr<fnn::cli::Job> job = open_job(mpi, &argc, &argv);
    if (job) who = job->name() + ": ";
    const int status = dispatch({argv + 1, argv + argc});
    fnn::cli::set_current_job(nullptr);
    return status;
  } catch (const fnn::cli::UsageError& error) {
    std::cerr << "fnn: " << who << error.what() << "\n";
    return 2;
  } catch (const fnn::Error& error) {
    std::cerr << "fnn: " << who << error.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    // fnn refuses sizes beyond the machine's memory before allocating; this is what is left:
    // a memory limit (ulimit, cgroup) or memory taken by other processes.
    std::cerr << "fnn: " << who << "out of memory: the run needs more memory than it could "
                 "get; try a smaller --batch-size or network, or less data\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "fnn: " << who << "unexpected error: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<fnn::MpiModule> mpi;
  std::string who;  // "rank r/N (host): " in a job
  const int status = run(argc, argv, mpi, who);
  // After an error the other ranks may wait in an exchange for this one: end the whole job.
  // After an agreed stop, or a sweep's end, all ranks return the same status and finalise together.
  if (mpi && status != 0 && !fnn::cli::ended_together()) mpi->abort(status);
  return status;
}
