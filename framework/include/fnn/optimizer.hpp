#pragma once
#include <cstddef>
#include <span>

#include "fnn/export.hpp"
#include "fnn/options.hpp"

namespace fnn {

/// Updates the network's flat parameter vector from the flat batch-mean gradient.
/// An optimizer with state (momentum, Adam moments) sizes it in `setup` and exposes it through
/// `state()` so that a model file can save and restore it.
class FNN_API Optimizer {
 public:
  virtual ~Optimizer();

  /// Called once before the first step with the number of parameters it will update.
  virtual void setup(std::size_t parameter_count);
  /// One update: parameters -= f(gradient, state). Both spans have the setup size.
  virtual void step(std::span<float> parameters, std::span<const float> gradient) = 0;
  /// The optimizer's mutable state as one float vector (empty when it has none).
  virtual std::span<float> state();

  /// The step size η, read by `step`. The trainer changes it between epochs when a learning-rate
  /// schedule is set.
  double learning_rate() const noexcept { return learning_rate_; }
  void set_learning_rate(double rate) noexcept { learning_rate_ = rate; }

 protected:
  /// Reads the "learning_rate" option (`fallback` when absent); SpecError unless positive.
  Optimizer(const Options& options, double fallback);

 private:
  double learning_rate_;
};

}  // namespace fnn
