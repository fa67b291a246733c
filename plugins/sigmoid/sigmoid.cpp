// The logistic sigmoid, the article's φ.
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

struct Sigmoid {
  static float value(float z) { return 1.0F / (1.0F + std::exp(-z)); }
  // φ'(z) = φ(z)(1 - φ(z)): from the output, no second exponential.
  static float derivative(float /*z*/, float a) { return a * (1.0F - a); }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Sigmoid>>(
      "sigmoid", "logistic function 1 / (1 + e^-z), values in (0, 1)");
}
