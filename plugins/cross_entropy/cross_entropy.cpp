// Categorical cross-entropy over probabilities: Σ −y·log p per sample, for softmax outputs and
// one-hot (or probability) targets. After softmax the network uses the fused gradient p − y and
// the loss from the logits.
#include <cmath>
#include <fnn/plugin.hpp>

#include "shared/elementwise.hpp"

namespace {

using fnn_plugins::clamped_probability;

struct CrossEntropy {
  static double value(float p, float y) {
    return -static_cast<double>(y) * std::log(static_cast<double>(clamped_probability(p)));
  }
  static float derivative(float p, float y) { return -y / clamped_probability(p); }
  // ∂/∂z of −Σ y·log softmax(z) is p·Σy − y = p − y for targets that sum to 1 per row, without
  // any division: exact and stable even where p underflows.
  static constexpr std::string_view fused_activation = "softmax";
  // −Σ y·log softmax(z) = Σ y·(log Σ e^z − z): exact where a float probability underflows.
  static double from_logits(std::span<const float> z, std::span<const float> y) {
    const double normalizer = fnn_plugins::log_sum_exp(z);
    double total = 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      total += static_cast<double>(y[i]) * (normalizer - static_cast<double>(z[i]));
    }
    return total;
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<fnn_plugins::ElementwiseLoss<CrossEntropy>>(
      "cross_entropy",
      "categorical cross-entropy -sum y log p over probabilities; after a softmax output, "
      "from its logits");
}
