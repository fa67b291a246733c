#include "fnn/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace fnn {

namespace {

// SIGUSR1 and SIGUSR2: Open MPI's mpirun forwards them to the ranks and runs on (its SIGTERM
// reaches them late, then SIGKILL), and batch systems send them as a warning before a time limit
// (Slurm's sbatch --signal=USR1@120). fnn uses them for nothing else.
constexpr std::array handled_signals{SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

// What the handler needs, reachable from it: only lock-free atomics and data fixed before the
// handlers are installed.
std::atomic<StopRequest*> installed_stop{nullptr};
const char* installed_notice = nullptr;
std::size_t installed_notice_size = 0;
std::array<struct sigaction, handled_signals.size()> previous_actions{};

void on_signal(int signal) {
  StopRequest* stop = installed_stop.load();
  if (stop == nullptr || stop->requested()) _exit(128 + signal);  // the second: at once
  stop->request(signal);
  // Best effort: nothing useful can be done in a handler if stderr is gone.
  const ::ssize_t ignored = ::write(STDERR_FILENO, installed_notice, installed_notice_size);
  (void)ignored;
}

}  // namespace

InterruptHandler::InterruptHandler(StopRequest& stop, std::string notice)
    : notice_(std::move(notice)) {
  StopRequest* none = nullptr;
  if (!installed_stop.compare_exchange_strong(none, &stop)) {
    throw std::logic_error("fnn::InterruptHandler: one is installed already");
  }
  notice_ += '\n';
  installed_notice = notice_.data();
  installed_notice_size = notice_.size();
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes in progress go on; the run stops by itself
  for (std::size_t i = 0; i < handled_signals.size(); ++i) {
    ::sigaction(handled_signals[i], nullptr, &previous_actions[i]);
    // A signal ignored when the process started (nohup, a background job of a script) stays
    // ignored, as careful Unix tools keep it: whoever started fnn asked for that.
    if (previous_actions[i].sa_handler == SIG_IGN) continue;
    ::sigaction(handled_signals[i], &action, nullptr);
  }
}

InterruptHandler::~InterruptHandler() {
  for (std::size_t i = 0; i < handled_signals.size(); ++i) {
    ::sigaction(handled_signals[i], &previous_actions[i], nullptr);
  }
  installed_stop.store(nullptr);
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return "signal " + std::to_string(signal);
  }
}

}  // namespace fnn
