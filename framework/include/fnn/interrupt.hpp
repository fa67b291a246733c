#pragma once
#include <atomic>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// A request to stop a training run at the end of the current batch. `request` is safe to call
/// from a signal handler or another thread; the Trainer polls it after every batch
/// (TrainingOptions::stop).
class FNN_API StopRequest {
 public:
  /// Asks the run to stop; `signal` records why (0: asked by code).
  void request(int signal = 0) noexcept {
    signal_.store(signal);
    requested_.store(true);
  }
  bool requested() const noexcept { return requested_.load(); }
  /// The signal that asked for the stop, or 0.
  int signal() const noexcept { return signal_.load(); }

 private:
  std::atomic<bool> requested_{false};
  std::atomic<int> signal_{0};
};

/// While it lives, SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 (which mpirun forwards to its
/// ranks, and batch systems send before a time limit) no longer kill the process: the first one
/// calls `stop.request(signal)` and writes `notice` (one line) to standard error; a second one
/// ends the process at once with exit status 128 + signal (the work since the last checkpoint is
/// lost, as the user asked). A signal that was ignored when it was installed (nohup, a
/// background job of a script) stays ignored. The previous handlers come back when it is
/// destroyed. One handler may be installed at a time (std::logic_error otherwise).
class FNN_API InterruptHandler {
 public:
  InterruptHandler(StopRequest& stop, std::string notice);
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
  std::string notice_;
};

/// "SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", or "signal N".
FNN_API std::string signal_name(int signal);

}  // namespace fnn
