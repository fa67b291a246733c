#pragma once
// What fnn's optimizers share besides fnn::Optimizer's learning rate: the L2 weight decay every
// one of them accepts, and their state as one float vector, sized in setup and exposed by state()
// so that a model file saves and restores it whole.
#include <fnn/parallel.hpp>
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
  /// (0·θ is NaN for an infinite θ, and could flip the sign of a zero). `decay` is
  /// `weight_decay()`, read once per step into a local so that the loops vectorise.
  static float decayed(float gradient, float parameter, float decay) {
    return decay == 0.0F ? gradient : gradient + decay * parameter;
  }
  float weight_decay() const noexcept { return weight_decay_; }
  /// Runs `update(i)` for every parameter index, in parallel blocks on the trainer's threads.
  /// Element-wise updates are independent per index, so the result does not depend on them.
  template <class Update>
  static void for_each_parameter(std::size_t count, const Update& update) {
    constexpr std::size_t per_task = 16384;
    fnn::parallel_blocks(count, per_task, [&](std::size_t begin, std::size_t end) {
      // A local copy: the stores through the parameter pointers cannot then alias the captured
      // scalars, so they stay in registers and the loop vectorises.
      const Update local = update;
      for (std::size_t i = begin; i < end; ++i) local(i);
    });
  }
  /// The state vector; `setup` sizes it.
  std::vector<float>& memory() noexcept { return state_; }

 private:
  float weight_decay_;
  std::vector<float> state_;
};

}  // namespace fnn_plugins
