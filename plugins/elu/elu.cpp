// Exponential linear unit (Clevert et al., 2015): z for z > 0, α(e^z − 1) below. Negative
// outputs push mean activations towards 0; with α = 1 the derivative is continuous at 0.
#include <cmath>
#include <fnn/plugin.hpp>

#include "shared/options.hpp"

namespace {

class Elu {
 public:
  explicit Elu(const fnn::Options& options)
      : alpha_(static_cast<float>(fnn_plugins::non_negative_option(options, "alpha", 1.0))) {}

  // expm1 keeps e^z − 1 accurate for small |z|, where exp(z) − 1 would cancel.
  float value(float z) const { return z > 0.0F ? z : alpha_ * std::expm1(z); }
  // For z ≤ 0, d/dz α(e^z − 1) = α e^z = a + α: from the output, no second exponential.
  float derivative(float z, float a) const { return z > 0.0F ? 1.0F : a + alpha_; }
  std::string onnx(fnn::OnnxGraph& graph, const std::string& input) const {
    return graph.add_node("Elu", {input}, {{"alpha", alpha_}});
  }

 private:
  float alpha_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Elu>>(
      "elu", "z for z > 0, alpha * (e^z - 1) otherwise; option alpha (1)");
}
