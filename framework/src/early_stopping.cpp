#include "fnn/early_stopping.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "fnn/error.hpp"

namespace fnn {

namespace {

constexpr std::array<std::pair<Monitor, const char*>, 4> monitor_names{{
    {Monitor::validation_loss, "val_loss"},
    {Monitor::validation_accuracy, "val_accuracy"},
    {Monitor::training_loss, "loss"},
    {Monitor::training_accuracy, "accuracy"},
}};

// Whether `value` beats `best` by more than `min_delta` in the monitor's direction.
bool improves(Monitor monitor, double value, double best, double min_delta) {
  return higher_is_better(monitor) ? value - min_delta > best : value + min_delta < best;
}

}  // namespace

std::string monitor_name(Monitor monitor) {
  for (const auto& [known, name] : monitor_names) {
    if (known == monitor) return name;
  }
  return "val_loss";
}

Monitor parse_monitor(const std::string& text) {
  for (const auto& [monitor, name] : monitor_names) {
    if (text == name) return monitor;
  }
  throw SpecError("monitored value '" + text +
                  "': expected val_loss, val_accuracy, loss or accuracy");
}

bool higher_is_better(Monitor monitor) noexcept {
  return needs_classes(monitor);
}

bool needs_validation(Monitor monitor) noexcept {
  return monitor == Monitor::validation_loss || monitor == Monitor::validation_accuracy;
}

bool needs_classes(Monitor monitor) noexcept {
  return monitor == Monitor::validation_accuracy || monitor == Monitor::training_accuracy;
}

MonitorStep observe(const Monitoring& monitoring, const LearningRateSchedule& schedule,
                    double base_rate, MonitorState& state, std::size_t epoch, double value) {
  MonitorStep step;
  if (epoch <= monitoring.start_from_epoch) return step;
  // The first watched value is a best unless it is NaN; after that, only a margin counts.
  step.improved = value == value && (!state.best || improves(monitoring.monitor, value, *state.best,
                                                             monitoring.min_delta));
  if (step.improved) {
    state.best = value;
    state.best_epoch = epoch;
    state.wait = 0;
    state.plateau_wait = 0;
  } else {
    ++state.wait;
    ++state.plateau_wait;
  }
  if (schedule.kind == LearningRateSchedule::Kind::plateau &&
      state.plateau_wait >= schedule.step_epochs) {
    const double floor = base_rate > 0.0 ? schedule.min_rate / base_rate : 0.0;
    const double reduced = std::max(state.rate_factor * schedule.gamma, floor);
    step.reduced = reduced < state.rate_factor;
    state.rate_factor = std::min(reduced, state.rate_factor);
    state.plateau_wait = 0;
  }
  if (monitoring.patience > 0 && state.wait >= monitoring.patience) {
    step.stop = true;
    state.stopped_epoch = epoch;
  }
  return step;
}

}  // namespace fnn
