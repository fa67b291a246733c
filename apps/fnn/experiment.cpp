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

Network restore_network(const Registry& registry, const SavedModel& model,
                        const std::filesystem::path& file) {
  Network network(registry, model.network);
  if (model.parameters.size() != network.parameters().size()) {
    throw DataError(file.string() + ": the model holds " + std::to_string(model.parameters.size()) +
                    " parameters, but its network needs " +
                    std::to_string(network.parameters().size()));
  }
  if (model.layout.classes != 0 && model.layout.classes != network.output_size()) {
    throw DataError(file.string() + ": the model says " + std::to_string(model.layout.classes) +
                    " classes, but its network has " + std::to_string(network.output_size()) +
                    " outputs");
  }
  std::copy(model.parameters.begin(), model.parameters.end(), network.parameters().begin());
  return network;
}

Evaluation evaluate(const Network& network, const Loss& loss, const Dataset& data, bool classes) {
  Matrix predictions(data.inputs.rows(), network.output_size());
  Evaluation result;
  result.samples = data.inputs.rows();
  result.loss = network.mean_loss(data.inputs, data.targets, loss, predictions);
  if (classes) {
    for (std::size_t r = 0; r < result.samples; ++r) {
      if (arg_max(predictions.view().row(r)) == arg_max(data.targets.view().row(r))) {
        ++result.correct;
      }
    }
    result.accuracy = result.samples ? static_cast<double>(result.correct) /
                                           static_cast<double>(result.samples)
                                     : 0.0;
  }
  return result;
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

std::string describe(const Evaluation& evaluation) {
  char text[160];
  std::snprintf(text, sizeof text, "loss %.6f", evaluation.loss);
  std::string description = text;
  if (evaluation.accuracy) {
    std::snprintf(text, sizeof text, ", accuracy %.4f (%zu/%zu)", *evaluation.accuracy,
                  evaluation.correct, evaluation.samples);
    description += text;
  }
  return description;
}

}  // namespace fnn::cli
