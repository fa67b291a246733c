#pragma once
#include <memory>

#include "fnn/activation.hpp"
#include "fnn/layer.hpp"

namespace fnn::detail {

/// Lets an Activation stand in a network as a layer of the same width, without parameters.
class ActivationLayer final : public Layer {
 public:
  explicit ActivationLayer(std::shared_ptr<const Activation> activation)
      : activation_(std::move(activation)) {}

  void forward(ConstMatrixView input, MatrixView output,
               const PassContext& /*context*/) const override {
    activation_->forward(input, output);
  }
  void backward(ConstMatrixView input, ConstMatrixView output, ConstMatrixView output_gradient,
                MatrixView input_gradient, const PassContext& /*context*/) const override {
    activation_->backward(input, output, output_gradient, input_gradient);
  }
  std::optional<std::string> to_onnx(OnnxGraph& graph, const std::string& input) const override {
    return activation_->to_onnx(graph, input);
  }

 protected:
  std::size_t configure(std::size_t input_size) override { return input_size; }

 private:
  std::shared_ptr<const Activation> activation_;
};

}  // namespace fnn::detail
