// Binary cross-entropy −[y·log p + (1 − y)·log(1 − p)] per output, for independent yes/no
// outputs from sigmoid. After sigmoid the network uses the fused gradient p − y and the loss
// from the logits.
#include <cmath>
#include <fnn/plugin.hpp>

#include "shared/elementwise.hpp"

namespace {

using fnn_plugins::clamped_probability;
using fnn_plugins::softplus;

// Both p and 1 − p are clamped: a sigmoid output that rounded to exactly 0 or 1 costs a large
// finite amount rather than an infinity.
struct BinaryCrossEntropy {
  static double value(float p, float y) {
    const double log_yes = std::log(static_cast<double>(clamped_probability(p)));
    const double log_no = std::log(static_cast<double>(clamped_probability(1.0F - p)));
    return -(static_cast<double>(y) * log_yes + (1.0 - static_cast<double>(y)) * log_no);
  }
  static float derivative(float p, float y) {
    return -y / clamped_probability(p) + (1.0F - y) / clamped_probability(1.0F - p);
  }
  // With p = σ(z), ∂/∂z = p − y for any y: the factor p(1 − p) of σ' cancels the denominators.
  static constexpr std::string_view fused_activation = "sigmoid";
  // With p = σ(z): −[y·log σ(z) + (1 − y)·log σ(−z)] = softplus(z) − y·z, exact for any z,
  // where 1 − p rounds to 0 in float once z passes about 16.6.
  static double from_logits(std::span<const float> z, std::span<const float> y) {
    double total = 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      total += softplus(z[i]) - static_cast<double>(y[i]) * static_cast<double>(z[i]);
    }
    return total;
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<fnn_plugins::ElementwiseLoss<BinaryCrossEntropy>>(
      "binary_cross_entropy",
      "binary cross-entropy over probabilities in (0, 1), clamped; after a sigmoid output, "
      "from its logits");
}
