#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "usage_error.hpp"

namespace fnn::cli {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int bar_width = 24;
}  // namespace

Progress::Style Progress::parse(const std::string& name) {
  if (name == "auto") return ::isatty(STDERR_FILENO) ? Style::bar : Style::plain;
  if (name == "bar") return Style::bar;
  if (name == "plain") return Style::plain;
  throw UsageError("--progress '" + name + "': expected auto, bar or plain");
}

Progress::Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch)
    : style_(style),
      total_epochs_(total_epochs),
      samples_per_epoch_(samples_per_epoch),
      epoch_start_(Clock::now()) {}

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

void Progress::batch_done(const BatchReport& report) {
  const Clock::time_point now = Clock::now();
  if (style_ != Style::bar) return;
  const bool last = report.batch == report.batches;
  if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;

  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(report.samples_done) / elapsed : 0.0;
  const double remaining_samples =
      static_cast<double>(samples_per_epoch_ - report.samples_done) +
      static_cast<double>((total_epochs_ - report.epoch) * samples_per_epoch_);
  const double fraction = static_cast<double>(report.batch) / static_cast<double>(report.batches);
  const int filled = static_cast<int>(fraction * bar_width);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < bar_width) bar += '>';
  bar.resize(bar_width, ' ');
  std::fprintf(stderr, "\r\x1b[2Kepoch %zu/%zu [%s] %zu/%zu  loss %.4f  %.0f samples/s  ETA %s",
               report.epoch, total_epochs_, bar.c_str(), report.batch, report.batches,
               report.loss, rate, rate > 0 ? format_duration(remaining_samples / rate).c_str() : "?");
  std::fflush(stderr);
  bar_visible_ = true;
}

void Progress::clear_bar() {
  if (!bar_visible_) return;
  std::fprintf(stderr, "\r\x1b[2K");
  std::fflush(stderr);
  bar_visible_ = false;
}

void Progress::epoch_done(const EpochSummary& summary) {
  clear_bar();
  const EpochReport& epoch = summary.training;
  std::cout << "epoch " << epoch.epoch << "/" << total_epochs_;
  char text[160];
  std::snprintf(text, sizeof text, "  train loss %.6f", epoch.train_loss);
  std::cout << text;
  if (summary.validation_loss) {
    std::snprintf(text, sizeof text, "  validation loss %.6f", *summary.validation_loss);
    std::cout << text;
  }
  if (summary.validation_accuracy) {
    std::snprintf(text, sizeof text, "  validation accuracy %.4f", *summary.validation_accuracy);
    std::cout << text;
  }
  std::snprintf(text, sizeof text, "  %.2f s  %.0f samples/s", epoch.seconds,
                epoch.seconds > 0 ? static_cast<double>(samples_per_epoch_) / epoch.seconds : 0.0);
  std::cout << text << std::endl;
  epoch_start_ = Clock::now();  // the next epoch starts now (after any validation)
}

}  // namespace fnn::cli
