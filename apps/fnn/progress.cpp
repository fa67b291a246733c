#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "usage_error.hpp"

namespace fnn::cli {

namespace {

constexpr int bar_cells = 20;

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string number(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Lower is better for losses, higher for accuracy; NaN never is.
bool improves(const std::optional<double>& value, const auto& best, bool higher_is_better) {
  if (!value || std::isnan(*value)) return false;
  if (!best) return true;
  return higher_is_better ? *value > best->value : *value < best->value;
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

}  // namespace

Progress::Style Progress::parse(const std::string& name) {
  if (name == "auto") {
    return {.bar = ::isatty(STDERR_FILENO) != 0, .every_epoch = ::isatty(STDOUT_FILENO) == 0};
  }
  if (name == "bar") return {.bar = true, .every_epoch = false};
  if (name == "plain") return {.bar = false, .every_epoch = true};
  throw UsageError("--progress '" + name + "': expected auto, bar or plain");
}

Progress::Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch)
    : Progress(style, total_epochs, samples_per_epoch, Output{}) {}

Progress::Progress(Style style, std::size_t total_epochs, std::size_t samples_per_epoch,
                   Output output)
    : style_(style),
      total_epochs_(total_epochs),
      samples_per_epoch_(samples_per_epoch),
      output_(std::move(output)),
      run_start_(output_.now()) {
  if (output_.width == 0 && output_.bar == &std::cerr) output_.width = terminal_width();
}

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
  if (!epochs_before_) epochs_before_ = report.epoch - 1;
  if (!style_.bar) return;
  const TimePoint now = output_.now();
  if (last_draw_ && now - *last_draw_ < bar_interval) return;
  draw_bar(now, report.epoch,
           static_cast<double>(report.batch) /
               static_cast<double>(std::max<std::size_t>(report.batches, 1)));
}

std::string Progress::values_text() const {
  if (!last_summary_) return "";
  std::string text = "  loss " + number("%.6g", last_summary_->training.train_loss);
  if (best_loss_) text += " (best " + number("%.6g", best_loss_->value) + ")";
  if (last_summary_->validation_loss) {
    text += "  validation loss " + number("%.6g", *last_summary_->validation_loss);
    if (best_validation_loss_)
      text += " (best " + number("%.6g", best_validation_loss_->value) + ")";
  }
  if (last_summary_->validation_accuracy) {
    text += "  accuracy " + number("%.4f", *last_summary_->validation_accuracy);
    if (best_accuracy_) text += " (best " + number("%.4f", best_accuracy_->value) + ")";
  }
  return text;
}

void Progress::draw_bar(TimePoint now, std::size_t epoch, double fraction_of_epoch) {
  last_draw_ = now;
  const std::size_t before = epochs_before_.value_or(0);
  const double to_do = static_cast<double>(total_epochs_ - std::min(before, total_epochs_));
  const double done =
      static_cast<double>(epoch - 1 - std::min(before, epoch - 1)) + fraction_of_epoch;
  const double fraction = to_do > 0 ? std::clamp(done / to_do, 0.0, 1.0) : 1.0;
  const double whole = static_cast<double>(epoch - 1) + fraction_of_epoch;
  const double run_fraction =
      total_epochs_ ? std::clamp(whole / static_cast<double>(total_epochs_), 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(run_fraction * bar_cells);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(bar_cells, '.');

  const double elapsed = seconds_between(run_start_, now);
  std::string text = "epoch " + std::to_string(epoch) + "/" + std::to_string(total_epochs_) + " [" +
                     bar + "] " + number("%3.0f%%", 100 * run_fraction) + "  " +
                     format_duration(elapsed) + " elapsed, ";
  text += fraction > 0 ? format_duration(elapsed * (1 - fraction) / fraction) + " left" : "? left";
  text += values_text();
  if (output_.width > 1 && text.size() >= output_.width) text.resize(output_.width - 1);
  *output_.bar << "\r\x1b[2K" << text << std::flush;
  bar_visible_ = true;
}

void Progress::clear_bar() {
  if (!bar_visible_) return;
  *output_.bar << "\r\x1b[2K" << std::flush;
  bar_visible_ = false;
}

void Progress::print(const HeldLine& line) {
  if (line.epoch <= printed_epoch_ && printed_epoch_ != 0) return;
  clear_bar();
  *output_.lines << line.text << std::endl;
  printed_epoch_ = line.epoch;
}

void Progress::epoch_done(const EpochSummary& summary) {
  const TimePoint now = output_.now();
  const EpochReport& epoch = summary.training;
  if (!epochs_before_) epochs_before_ = epoch.epoch - 1;
  const bool has_validation = summary.validation_loss.has_value();
  const bool new_best = has_validation
                            ? improves(summary.validation_loss, best_validation_loss_, false)
                            : improves(epoch.train_loss, best_loss_, false);
  if (improves(epoch.train_loss, best_loss_, false))
    best_loss_ = Best{epoch.train_loss, epoch.epoch};
  if (improves(summary.validation_loss, best_validation_loss_, false)) {
    best_validation_loss_ = Best{*summary.validation_loss, epoch.epoch};
  }
  if (improves(summary.validation_accuracy, best_accuracy_, true)) {
    best_accuracy_ = Best{*summary.validation_accuracy, epoch.epoch};
  }
  last_summary_ = summary;

  std::string text = "epoch " + std::to_string(epoch.epoch) + "/" + std::to_string(total_epochs_) +
                     number("  train loss %.6f", epoch.train_loss);
  if (summary.validation_loss) text += number("  validation loss %.6f", *summary.validation_loss);
  if (summary.validation_accuracy) {
    text += number("  validation accuracy %.4f", *summary.validation_accuracy);
  }
  text += number("  %.2f s", epoch.seconds) +
          number("  %.0f samples/s",
                 epoch.seconds > 0 ? static_cast<double>(samples_per_epoch_) / epoch.seconds : 0.0);
  if (!style_.every_epoch && new_best) text += "  (best)";
  const HeldLine line{epoch.epoch, text};
  latest_ = line;

  const bool first = !last_line_;
  const bool last = epoch.epoch >= total_epochs_ || epoch.interrupted;
  const bool due = last_line_ && now - *last_line_ >= line_interval;
  if (style_.every_epoch || first || last || due) {
    // The held best comes first (it is older); an ordinary line that is merely due gives way to
    // it, so that lines stay at most one per interval.
    const bool held = held_best_ && !new_best;
    if (held) print(*held_best_);
    held_best_.reset();
    if (!held || first || last || new_best) print(line);
    last_line_ = now;
  } else if (new_best) {
    held_best_ = line;
  }
  // Redrawn when due, and at once after a line took its place.
  if (style_.bar && (!bar_visible_ || !last_draw_ || now - *last_draw_ >= bar_interval || last)) {
    draw_bar(now, epoch.epoch, 1.0);
  }
}

void Progress::finish() {
  if (held_best_) print(*held_best_);
  held_best_.reset();
  if (latest_) print(*latest_);
  clear_bar();
}

}  // namespace fnn::cli
