#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "fnn/activation.hpp"
#include "fnn/export.hpp"
#include "fnn/layer.hpp"
#include "fnn/loss.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

class Network;

/// Settings of a finite-difference gradient check.
struct GradientCheckOptions {
  double step = 1e-2;         ///< h of the central difference (f(x+h) - f(x-h)) / 2h, in float
  double tolerance = 1e-2;    ///< largest accepted relative error
  /// Relative error = |analytic - numeric| / max(|analytic|, |numeric|, floor): the floor keeps
  /// near-zero gradients from turning float noise into huge relative errors.
  double floor = 1e-2;
  /// Coordinates whose input lies within this distance of a kink (e.g. 0 for relu) are skipped,
  /// since a finite difference across a kink means nothing. 0 checks every coordinate.
  double kink_margin = 0.0;
  std::uint64_t seed = 42;    ///< random test points and weights
};

/// The outcome: the worst coordinate and whether every one passed.
struct GradientCheckResult {
  bool passed = true;
  double max_relative_error = 0.0;
  std::size_t checked = 0;   ///< coordinates compared
  std::size_t skipped = 0;   ///< coordinates within kink_margin of a kink
  std::string worst;         ///< the worst coordinate, analytic and numeric values, in words
};

/// The general check: compares `analytic` (∂f/∂x) with central differences of `f` around `x`.
/// `x` is modified during the check and restored. `kink` (optional) tells whether coordinate i
/// sits near a kink and must be skipped.
FNN_API GradientCheckResult check_gradient(const std::function<double()>& f, std::span<float> x,
                                           std::span<const float> analytic,
                                           const GradientCheckOptions& options,
                                           const std::function<bool(std::size_t)>& kink = {});

/// backward against forward, on random z in [-2, 2] (rows × cols) and a random projection of a.
FNN_API GradientCheckResult check_activation(const Activation& activation, std::size_t rows,
                                             std::size_t cols,
                                             const GradientCheckOptions& options = {});

/// gradient against sum, at random predictions and targets in the given range. A loss's kink is
/// where a prediction equals its target (mae's |p − y|): with a kink_margin, coordinates whose
/// prediction is within it of the target are skipped.
FNN_API GradientCheckResult check_loss(const Loss& loss, std::size_t rows, std::size_t cols,
                                       float low, float high,
                                       const GradientCheckOptions& options = {});

/// A set-up layer (parameters bound and initialised): backward against forward for the input
/// gradient, and gradient against forward for the parameter gradient.
FNN_API GradientCheckResult check_layer(const Layer& layer, std::span<float> parameters,
                                        std::size_t rows,
                                        const GradientCheckOptions& options = {});

/// Every parameter gradient of a whole network at (inputs, targets) under `loss`.
FNN_API GradientCheckResult check_network(Network& network, const Loss& loss,
                                          ConstMatrixView inputs, ConstMatrixView targets,
                                          const GradientCheckOptions& options = {});

}  // namespace fnn
