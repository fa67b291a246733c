// Mean absolute error: Σ |ŷ − y| per sample (the network divides by the batch size). Less
// swayed by outliers than mse.
#include <cmath>
#include <fnn/plugin.hpp>

#include "shared/elementwise.hpp"

namespace {

struct AbsoluteError {
  static double value(float p, float y) {
    return std::abs(static_cast<double>(p) - static_cast<double>(y));
  }
  // The subgradient 0 where ŷ = y: a prediction that is exactly right is left alone.
  static float derivative(float p, float y) { return p > y ? 1.0F : (p < y ? -1.0F : 0.0F); }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<fnn_plugins::ElementwiseLoss<AbsoluteError>>(
      "mae", "mean absolute error 1/m sum |prediction - target|");
}
