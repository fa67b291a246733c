// RMSprop (Hinton, 2012): divides each step by a running root mean square of that parameter's
// gradients, θ ← θ − η·g / (√v + ε) with v ← ρ·v + (1 − ρ)·g².
#include <cmath>
#include <fnn/plugin.hpp>
#include <vector>

#include "shared/optimizer.hpp"
#include "shared/options.hpp"

namespace {

class RmsProp final : public fnn_plugins::StatefulOptimizer {
 public:
  explicit RmsProp(const fnn::Options& options)
      : StatefulOptimizer(options, 0.001),
        rho_(static_cast<float>(fnn_plugins::fraction_option(options, "rho", 0.9))),
        epsilon_(static_cast<float>(fnn_plugins::positive_option(options, "epsilon", 1e-8))) {}

  // state() is the running mean square v, one float per parameter.
  void setup(std::size_t parameter_count) override { memory().assign(parameter_count, 0.0F); }

  void step(std::span<float> parameters, std::span<const float> gradient) override {
    const auto rate = static_cast<float>(learning_rate());
    const float one_minus_rho = 1.0F - rho_;
    const float rho = rho_;
    const float epsilon = epsilon_;
    const float decay = weight_decay();
    float* mean_square = memory().data();
    float* theta = parameters.data();
    const float* gradients = gradient.data();
    for_each_parameter(parameters.size(), [=](std::size_t i) {
      const float g = decayed(gradients[i], theta[i], decay);
      mean_square[i] = rho * mean_square[i] + one_minus_rho * g * g;
      theta[i] -= rate * g / (std::sqrt(mean_square[i]) + epsilon);
    });
  }

 private:
  float rho_;
  float epsilon_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.optimizer<RmsProp>("rmsprop",
                               "RMSprop; options learning_rate (0.001), rho (0.9), epsilon "
                               "(1e-8), weight_decay (0)");
}
