// Leaky ReLU: z for z > 0, slope·z below, so a unit pushed negative still receives a gradient
// and cannot die as a plain ReLU unit can.
#include <fnn/plugin.hpp>

#include "shared/options.hpp"

namespace {

class LeakyRelu {
 public:
  explicit LeakyRelu(const fnn::Options& options)
      : slope_(static_cast<float>(fnn_plugins::non_negative_option(options, "slope", 0.01))) {}

  float value(float z) const { return z > 0.0F ? z : slope_ * z; }
  // Below-or-at the kink takes the slope, matching relu's choice of the left side at z = 0.
  float derivative(float z, float /*a*/) const { return z > 0.0F ? 1.0F : slope_; }
  // ONNX's LeakyRelu takes the slope for x < 0; both give 0 at 0.
  std::string onnx(fnn::OnnxGraph& graph, const std::string& input) const {
    return graph.add_node("LeakyRelu", {input}, {{"alpha", slope_}});
  }

 private:
  float slope_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<LeakyRelu>>(
      "leaky_relu", "z for z > 0, slope * z otherwise; option slope (0.01)");
}
