// The identity a = z: a linear output for regression, so that a spec can say "no activation"
// explicitly and every dense layer can still be followed by one.
#include <fnn/plugin.hpp>

namespace {

struct Identity {
  static float value(float z) { return z; }
  static float derivative(float /*z*/, float /*a*/) { return 1.0F; }
  static std::string onnx(fnn::OnnxGraph& /*graph*/, const std::string& input) { return input; }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Identity>>("identity",
                                                             "identity a = z (linear output)");
}
