// Two activations for the exporter's failure tests: `cube` has no ONNX hook, and `wrong_cube`
// has one that computes z² instead of z³, which the export's numeric check must catch.
#include <fnn/plugin.hpp>

namespace {

struct Cube {
  static float value(float z) { return z * z * z; }
  static float derivative(float z, float /*a*/) { return 3.0F * z * z; }
};

struct WrongCube : Cube {
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& input) {
    return graph.add_node("Mul", {input, input});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Cube>>("cube", "z^3, without an ONNX hook");
  registrar.activation<fnn::ElementwiseActivation<WrongCube>>(
      "wrong_cube", "z^3, whose ONNX hook wrongly gives z^2");
}
