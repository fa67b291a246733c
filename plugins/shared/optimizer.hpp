#pragma once
// What fnn's optimizers share besides fnn::Optimizer's learning rate: the L2 weight decay every
// one of them accepts, and their state as one float vector, sized in setup and exposed by state()
// so that a model file saves and restores it whole.
#include <fnn/plugin.hpp>
#include <vector>

#include "shared/options.hpp"

namespace fnn_plugins {

class StatefulOptimizer : public fnn::Optimizer {
 public:
  std::span<float> state() override { return state_; }

 protected:
  /// Reads "learning_rate" (`default_learning_rate` when absent) and "weight_decay" (λ, 0).
  StatefulOptimizer(const fnn::Options& options, double default_learning_rate)
      : Optimizer(options, default_learning_rate),
        weight_decay_(static_cast<float>(non_negative_option(options, "weight_decay", 0.0))) {}

  /// The gradient the update uses, g + λ·θ: the gradient of the loss plus λ/2 ‖θ‖². With λ = 0 it
  /// is g itself, not g + 0·θ, so that plain SGD stays bit-identical to the version without decay
  /// (0·θ is NaN for an infinite θ, and could flip the sign of a zero).
  float decayed(float gradient, float parameter) const {
    return weight_decay_ == 0.0F ? gradient : gradient + weight_decay_ * parameter;
  }

  /// The state vector; `setup` sizes it.
  std::vector<float>& memory() noexcept { return state_; }

 private:
  float weight_decay_;
  std::vector<float> state_;
};

}  // namespace fnn_plugins
