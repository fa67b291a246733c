#include "sweep_progress.hpp"

#include <cmath>
#include <cstdio>

#include "progress.hpp"

namespace fnn::cli {

SweepProgress::SweepProgress(std::size_t trials, std::string metric, bool higher_is_better,
                             Output output)
    : trials_(trials),
      metric_(std::move(metric)),
      higher_is_better_(higher_is_better),
      output_(std::move(output)),
      start_(output_.now()) {}

void SweepProgress::trial_started() {
  const std::lock_guard lock(mutex_);
  ++running_;
  show(false);
}

void SweepProgress::record(const std::string& name, std::optional<double> value) {
  ++done_;
  if (value && !std::isnan(*value) &&
      (!best_ || (higher_is_better_ ? *value > *best_ : *value < *best_))) {
    best_ = value;
    best_name_ = name;
  }
}

void SweepProgress::trial_finished(const std::string& name, std::optional<double> value) {
  const std::lock_guard lock(mutex_);
  if (running_ > 0) --running_;
  record(name, value);
  show(true);
}

void SweepProgress::trial_skipped(const std::string& name, std::optional<double> value) {
  const std::lock_guard lock(mutex_);
  ++skipped_;
  record(name, value);
  show(false);
}

std::string SweepProgress::line() const {
  const std::lock_guard lock(mutex_);
  return line_locked();
}

std::string SweepProgress::line_locked() const {
  std::string text = "sweep: " + std::to_string(done_) + "/" + std::to_string(trials_) +
                     " trials done, " + std::to_string(running_) + " running";
  if (best_) {
    char value[32];
    std::snprintf(value, sizeof value, "%.6g", *best_);
    text.append(", best ").append(metric_).append(" ").append(value);
    text.append(" (").append(best_name_).append(")");
  }
  const double elapsed = std::chrono::duration<double>(output_.now() - start_).count();
  text += ", " + format_duration(elapsed) + " elapsed";
  const std::size_t ended_here = done_ - skipped_;
  if (ended_here > 0 && done_ < trials_) {
    const double per_trial = elapsed / static_cast<double>(ended_here);
    text += ", " + format_duration(per_trial * static_cast<double>(trials_ - done_)) + " left";
  }
  return text;
}

void SweepProgress::show(bool trial_ended) {
  if (!output_.redraw) {
    if (trial_ended) *output_.out << line_locked() << std::endl;
    return;
  }
  const auto now = output_.now();
  if (!trial_ended && last_draw_ && now - *last_draw_ < Progress::bar_interval) return;
  last_draw_ = now;
  *output_.out << "\r\x1b[2K" << line_locked() << std::flush;
  visible_ = true;
}

void SweepProgress::clear() {
  const std::lock_guard lock(mutex_);
  if (!visible_) return;
  *output_.out << "\r\x1b[2K" << std::flush;
  visible_ = false;
}

}  // namespace fnn::cli
