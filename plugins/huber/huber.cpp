// Huber loss: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond (d = ŷ − y). Quadratic near the target like
// mse, linear far from it like mae, so outliers pull with a bounded gradient.
#include <algorithm>
#include <cmath>
#include <fnn/plugin.hpp>

#include "shared/elementwise.hpp"
#include "shared/options.hpp"

namespace {

class Huber {
 public:
  explicit Huber(const fnn::Options& options)
      : delta_(fnn_plugins::positive_option(options, "delta", 1.0)) {}

  double value(float p, float y) const {
    const double d = std::abs(static_cast<double>(p) - static_cast<double>(y));
    return d <= delta_ ? 0.5 * d * d : delta_ * (d - 0.5 * delta_);
  }
  // The derivative d, clipped to ±δ; continuous at |d| = δ, so there is no kink to step over.
  float derivative(float p, float y) const {
    const auto limit = static_cast<float>(delta_);
    return std::clamp(p - y, -limit, limit);
  }

 private:
  double delta_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<fnn_plugins::ElementwiseLoss<Huber>>(
      "huber", "Huber loss, quadratic within delta of the target, linear beyond; option delta (1)");
}
