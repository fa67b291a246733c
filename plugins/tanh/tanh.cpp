// The hyperbolic tangent: a sigmoid centred on 0, so hidden units start unbiased.
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

struct Tanh {
  static float value(float z) { return std::tanh(z); }
  // tanh'(z) = 1 - tanh²(z): from the output, no second evaluation.
  static float derivative(float /*z*/, float a) { return 1.0F - a * a; }
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& input) {
    return graph.add_node("Tanh", {input});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Tanh>>("tanh",
                                                         "hyperbolic tangent, values in (-1, 1)");
}
