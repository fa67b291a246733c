#include "fnn/evaluation.hpp"

#include <cstdio>

#include "fnn/error.hpp"

namespace fnn {

EvaluationSum::EvaluationSum(const Network& network, const Loss& loss, bool classes)
    : network_(network), loss_(loss), classes_(classes) {}

void EvaluationSum::add(ConstMatrixView inputs, ConstMatrixView targets) {
  if (inputs.rows() > outputs_.rows()) outputs_ = Matrix(inputs.rows(), network_.output_size());
  const MatrixView outputs = outputs_.view().row_block(0, inputs.rows());
  total_ += network_.total_loss(inputs, targets, loss_, outputs);
  rows_ = inputs.rows();
  samples_ += inputs.rows();
  if (!classes_) return;
  for (std::size_t r = 0; r < inputs.rows(); ++r) {
    if (arg_max(outputs.row(r)) == arg_max(targets.row(r))) ++correct_;
  }
}

ConstMatrixView EvaluationSum::outputs() const noexcept {
  return outputs_.view().row_block(0, rows_);
}

Evaluation EvaluationSum::result() const {
  Evaluation result;
  result.samples = samples_;
  result.loss = samples_ == 0 ? 0.0 : total_ / static_cast<double>(samples_);
  if (classes_) {
    result.correct = correct_;
    result.accuracy =
        samples_ ? static_cast<double>(correct_) / static_cast<double>(samples_) : 0.0;
  }
  return result;
}

Evaluation evaluate(const Network& network, const Loss& loss, const Dataset& data, bool classes) {
  EvaluationSum sum(network, loss, classes);
  sum.add(data.inputs, data.targets);
  return sum.result();
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
