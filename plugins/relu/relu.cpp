// The rectified linear unit max(0, z): no saturation for z > 0, so deep networks keep their
// gradients.
#include <fnn/plugin.hpp>

namespace {

struct Relu {
  static float value(float z) { return z > 0.0F ? z : 0.0F; }
  // At the kink z = 0 the subgradient 0 is used, as every framework does: a unit sitting exactly
  // at 0 stays put rather than moving on a tie.
  static float derivative(float z, float /*a*/) { return z > 0.0F ? 1.0F : 0.0F; }
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& input) {
    return graph.add_node("Relu", {input});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Relu>>("relu", "rectified linear max(0, z)");
}
