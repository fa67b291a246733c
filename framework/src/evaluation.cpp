#include "fnn/evaluation.hpp"

#include <cstdio>

#include "fnn/error.hpp"

namespace fnn {

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

void check_fits(const Network& network, const Dataset& data, const std::string& source) {
  if (network.output_size() == data.targets.cols() && network.input_size() == data.inputs.cols()) {
    return;
  }
  throw DataError(source + ": the network maps " + std::to_string(network.input_size()) +
                  " inputs to " + std::to_string(network.output_size()) + " outputs, the data has " +
                  std::to_string(data.inputs.cols()) + " inputs and " +
                  std::to_string(data.targets.cols()) + " targets");
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

}  // namespace fnn
