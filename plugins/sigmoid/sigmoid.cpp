// The logistic sigmoid, the article's φ.
#include <fnn/plugin.hpp>

#include "shared/vector_exp.hpp"

namespace {

struct Sigmoid {
  // vector_exp rather than std::exp: a batch's sigmoids then run several to an instruction.
  static float value(float z) { return 1.0F / (1.0F + fnn_plugins::vector_exp(-z)); }
  // φ'(z) = φ(z)(1 - φ(z)): from the output, no second exponential.
  static float derivative(float /*z*/, float a) { return a * (1.0F - a); }
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& input) {
    return graph.add_node("Sigmoid", {input});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Sigmoid>>(
      "sigmoid", "logistic function 1 / (1 + e^-z), values in (0, 1)");
}
