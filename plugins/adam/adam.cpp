// Adam (Kingma & Ba, 2015): per-parameter steps from bias-corrected running means of the
// gradient and of its square, θ ← θ − η·m̂ / (√v̂ + ε).
#include <cmath>
#include <fnn/plugin.hpp>
#include <vector>

#include "shared/optimizer.hpp"
#include "shared/options.hpp"

namespace {

class Adam final : public fnn_plugins::StatefulOptimizer {
 public:
  explicit Adam(const fnn::Options& options)
      : StatefulOptimizer(options, 0.001),
        beta1_(fnn_plugins::fraction_option(options, "beta1", 0.9)),
        beta2_(fnn_plugins::fraction_option(options, "beta2", 0.999)),
        epsilon_(static_cast<float>(fnn_plugins::positive_option(options, "epsilon", 1e-8))) {}

  // state() = [m (n floats), v (n floats), t (1 float)]. The step counter t lives in the same
  // vector, as a float holding a whole number, so that the model file's one state vector is the
  // whole of Adam and a resumed run continues bit for bit. A float counts exactly to 2^24
  // (16.7 million steps) and then stops growing; by then β^t underflows to 0 for every β up to
  // 0.9999 (0.9999^(2^24) ≈ e^−1678), so the bias corrections are 1 either way.
  // Bit-casting an integer into the slot would count further but would store denormal or NaN
  // bit patterns that a file format or a flush-to-zero mode might not keep.
  void setup(std::size_t parameter_count) override {
    parameter_count_ = parameter_count;
    memory().assign(2 * parameter_count + 1, 0.0F);
  }

  void step(std::span<float> parameters, std::span<const float> gradient) override {
    std::vector<float>& state = memory();
    float& steps = state.back();
    steps += 1.0F;
    const double t = steps;
    const double correction1 = 1.0 - std::pow(beta1_, t);
    const double correction2 = 1.0 - std::pow(beta2_, t);
    // m̂/(√v̂ + ε) = (m / c1) / (√v / √c2 + ε): the corrections are folded into two scalars.
    const auto step_size = static_cast<float>(learning_rate() / correction1);
    const auto root_correction2 = static_cast<float>(std::sqrt(correction2));
    const auto b1 = static_cast<float>(beta1_);
    const auto b2 = static_cast<float>(beta2_);
    const auto one_minus_b1 = static_cast<float>(1.0 - beta1_);
    const auto one_minus_b2 = static_cast<float>(1.0 - beta2_);
    const float epsilon = epsilon_;
    const float decay = weight_decay();
    float* m = state.data();
    float* v = state.data() + parameter_count_;
    float* theta = parameters.data();
    const float* gradients = gradient.data();
    for_each_parameter(parameters.size(), [=](std::size_t i) {
      const float g = decayed(gradients[i], theta[i], decay);
      m[i] = b1 * m[i] + one_minus_b1 * g;
      v[i] = b2 * v[i] + one_minus_b2 * g * g;
      theta[i] -= step_size * m[i] / (std::sqrt(v[i]) / root_correction2 + epsilon);
    });
  }

 private:
  double beta1_;
  double beta2_;
  float epsilon_;
  std::size_t parameter_count_ = 0;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.optimizer<Adam>("adam",
                            "Adam with bias correction; options learning_rate (0.001), beta1 "
                            "(0.9), beta2 (0.999), epsilon (1e-8), weight_decay (0)");
}
