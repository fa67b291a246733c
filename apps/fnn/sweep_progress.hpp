#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

namespace fnn::cli {

/// One progress line for a whole sweep:
///   "sweep: 5/12 trials done, 2 running, best validation_loss 0.1234 (lr-0.1), 0:40 elapsed,
///   1:04 left"
/// Redrawn in place (for a terminal) at most ten times a second, or else printed as a line each
/// time a trial ends. Time left is the trials still to do times the wall time per trial ended by
/// this process (so with --jobs J it reflects J at once); trials skipped because an earlier run
/// finished them count as done but not in that rate. Every call may come from any thread.
class SweepProgress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Output {
    std::ostream* out = &std::cerr;
    bool redraw = false;  ///< in place with '\r' (a terminal), or a line per finished trial
    Clock now = std::chrono::steady_clock::now;
  };
  /// `higher_is_better`: true for accuracies, false for losses.
  SweepProgress(std::size_t trials, std::string metric, bool higher_is_better, Output output);

  void trial_started();
  /// A trial ended with its monitored value (nullopt: it has none, e.g. it failed).
  void trial_finished(const std::string& name, std::optional<double> value);
  /// A trial an earlier run of the sweep finished (its result read back).
  void trial_skipped(const std::string& name, std::optional<double> value);
  /// The line as it stands.
  std::string line() const;
  /// Removes a redrawn line, so that other output starts on a clean line.
  void clear();

 private:
  void record(const std::string& name, std::optional<double> value);
  void show(bool trial_ended);
  std::string line_locked() const;

  mutable std::mutex mutex_;
  std::size_t trials_;
  std::string metric_;
  bool higher_is_better_;
  Output output_;
  std::chrono::steady_clock::time_point start_;
  std::optional<std::chrono::steady_clock::time_point> last_draw_;
  std::size_t done_ = 0, skipped_ = 0, running_ = 0;
  std::optional<double> best_;
  std::string best_name_;
  bool visible_ = false;
};

}  // namespace fnn::cli
