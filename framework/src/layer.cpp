#include "fnn/layer.hpp"

#include <string>

#include "fnn/error.hpp"

namespace fnn {

Layer::~Layer() = default;

std::size_t Layer::setup(std::size_t input_size) {
  if (input_size == 0) throw SpecError("its input has zero width");
  const std::size_t output_size = configure(input_size);
  if (output_size == 0) throw SpecError("it would have zero outputs");
  input_size_ = input_size;
  output_size_ = output_size;
  return output_size;
}

void Layer::bind(std::span<float> parameters) {
  if (parameters.size() != parameter_count()) {
    throw SpecError("it needs " + std::to_string(parameter_count()) + " parameters, was given " +
                    std::to_string(parameters.size()));
  }
  parameters_ = parameters;
}

void Layer::reset_parameters(const Initializer& /*init*/, Rng& /*rng*/) {}

void Layer::gradient(ConstMatrixView /*input*/, ConstMatrixView /*output_gradient*/,
                     std::span<float> /*parameter_gradient*/) const {}

std::optional<std::string> Layer::to_onnx(OnnxGraph& /*graph*/,
                                          const std::string& /*input*/) const {
  return std::nullopt;
}

}  // namespace fnn
