#pragma once
#include <chrono>
#include <cstddef>
#include <fnn/trainer.hpp>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace fnn::cli {

/// Shows a training run. The bar (on stderr, for a terminal) covers the whole run: epochs done
/// of the total, elapsed time, time left, and the latest and best losses (lowest) and validation
/// accuracy (highest); it is redrawn at most ten times a second. Epoch lines go to stdout: every
/// epoch's, or, throttled, at most one every `line_interval` (so a run whose epochs, validation
/// included, take at least that long still gets every line) plus, whatever the interval, the
/// first epoch, the last, and each new best of the monitored value (validation loss when there
/// is validation data, else training loss). A new best that falls inside the interval is held
/// and printed when the interval has passed, unless a newer best replaced it; so a loss that
/// improves every epoch prints a few lines a second, not one per epoch, and the line of the
/// run's best epoch is always shown. Throttled lines of a best epoch end in "(best)".
class Progress {
 public:
  struct Style {
    bool bar = false;         ///< the live bar on stderr
    bool every_epoch = true;  ///< one line per epoch (logs); else throttled as above
  };
  /// "plain": every epoch's line, no bar (logs, scripts). "bar": the bar and throttled lines.
  /// "auto": the bar when stderr is a terminal; throttled lines when stdout is a terminal, else
  /// every line (stdout redirected to a log keeps the full record, as before).
  /// UsageError otherwise.
  static Style parse(const std::string& name);

  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  /// Where the lines and the bar go and what time it is: tests give streams and a clock.
  struct Output {
    std::ostream* lines = &std::cout;
    std::ostream* bar = &std::cerr;
    Clock now = std::chrono::steady_clock::now;
    std::size_t width = 0;  ///< columns the bar may take; 0: the terminal's width, if stderr is one
  };
  static constexpr std::chrono::milliseconds line_interval{250};
  static constexpr std::chrono::milliseconds bar_interval{100};

  Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch);
  Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch, Output output);
  void batch_done(const BatchReport& report);
  void epoch_done(const EpochSummary& summary);
  /// Removes the bar, if one is shown, so that other output starts on a clean line.
  void clear_bar();
  /// At the end of a run however it ended: prints the held lines (the best epoch's, the last
  /// epoch's) that the throttle kept back, and removes the bar.
  void finish();

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Best {
    double value;
    std::size_t epoch;
  };
  struct HeldLine {
    std::size_t epoch;
    std::string text;
  };
  void print(const HeldLine& line);
  void draw_bar(TimePoint now, std::size_t epoch, double fraction_of_epoch);
  std::string values_text() const;

  Style style_;
  std::size_t total_epochs_;
  std::size_t samples_per_epoch_;
  Output output_;
  TimePoint run_start_;
  std::optional<TimePoint> last_draw_;
  std::optional<TimePoint> last_line_;
  std::optional<std::size_t> epochs_before_;  // epochs done when this process began (resume)
  std::size_t printed_epoch_ = 0;             // the last epoch whose line was printed
  std::optional<HeldLine> held_best_;         // a new best the throttle kept back
  std::optional<HeldLine> latest_;            // the latest epoch's line
  std::optional<EpochSummary> last_summary_;
  std::optional<Best> best_loss_, best_validation_loss_, best_accuracy_;
  bool bar_visible_ = false;
};

/// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace fnn::cli
