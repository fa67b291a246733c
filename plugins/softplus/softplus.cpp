// Softplus log(1 + e^z), a smooth ReLU. Written so that no exponential of a positive number is
// taken: log(1 + e^z) = max(z, 0) + log1p(e^−|z|), finite for every finite z.
#include <algorithm>
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

struct Softplus {
  static float value(float z) { return std::max(z, 0.0F) + std::log1p(std::exp(-std::abs(z))); }
  // The derivative is the logistic sigmoid, again only exponentiating −|z|.
  static float derivative(float z, float /*a*/) {
    const float e = std::exp(-std::abs(z));
    return z >= 0.0F ? 1.0F / (1.0F + e) : e / (1.0F + e);
  }
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& input) {
    return graph.add_node("Softplus", {input});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Softplus>>(
      "softplus", "log(1 + e^z), computed without overflow for large |z|");
}
