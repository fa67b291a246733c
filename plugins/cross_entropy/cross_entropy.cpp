// Categorical cross-entropy over probabilities: Σ −y·log p per sample, for softmax outputs and
// one-hot (or probability) targets. After softmax the network uses the fused gradient p − y.
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
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<fnn_plugins::ElementwiseLoss<CrossEntropy>>(
      "cross_entropy",
      "categorical cross-entropy -sum y log p over probabilities; fused with a softmax output");
}
