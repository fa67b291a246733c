#include "experiment.hpp"

#include <algorithm>
#include <cstdio>
#include <fnn/error.hpp>
#include <fnn/schedule.hpp>

#include "command_line.hpp"

namespace fnn::cli {

NetworkSpec perceptron(std::size_t inputs, const std::vector<std::size_t>& hidden,
                       const ComponentChoice& activation,
                       const std::optional<ComponentChoice>& output_activation,
                       std::size_t outputs, double dropout) {
  NetworkSpec spec{inputs};
  for (const std::size_t width : hidden) {
    spec.add("dense", {{"units", std::to_string(width)}}).add(activation.name, activation.options);
    if (dropout > 0.0) spec.add("dropout", {{"rate", to_text(dropout)}});
  }
  spec.add("dense", {{"units", std::to_string(outputs)}});
  if (output_activation) spec.add(output_activation->name, output_activation->options);
  return spec;
}

std::string schedule_change(const std::string& schedule, double base_rate, std::size_t next_epoch,
                            std::size_t saved_epochs, std::size_t epochs) {
  const LearningRateSchedule parsed = LearningRateSchedule::parse(schedule);
  if (saved_epochs == 0 || saved_epochs == epochs || !parsed.spans_run()) return {};
  const double rate = parsed.rate(base_rate, next_epoch, epochs);
  char text[200];
  std::snprintf(text, sizeof text,
                "the %s schedule now spans %zu epochs instead of the %zu it was saved with: "
                "epoch %zu trains at %g (%g × %g)",
                schedule.c_str(), epochs, saved_epochs, next_epoch, rate, rate / base_rate,
                base_rate);
  return text;
}

}  // namespace fnn::cli
