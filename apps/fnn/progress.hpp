#pragma once
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fnn/trainer.hpp>
#include <optional>
#include <string>

namespace fnn::cli {

/// Shows a training run: on a terminal, a live bar on stderr (epoch, batch, loss, samples/s,
/// ETA), redrawn at most ten times a second; otherwise nothing until the epoch ends. Each epoch
/// ends with one plain line on stdout, whatever the style.
class Progress {
 public:
  enum class Style { bar, plain };
  /// "auto" (bar when stderr is a terminal), "bar" or "plain"; UsageError otherwise.
  static Style parse(const std::string& name);

  Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch);
  void batch_done(const BatchReport& report);
  void epoch_done(const EpochSummary& summary);
  /// Removes the bar, if one is shown, so that other output starts on a clean line.
  void clear_bar();

 private:
  Style style_;
  std::size_t total_epochs_;
  std::size_t samples_per_epoch_;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool bar_visible_ = false;
};

/// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace fnn::cli
