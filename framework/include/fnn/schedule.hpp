#pragma once
#include <cstddef>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// How the learning rate changes over a run, applied by the Trainer before each epoch:
///   constant      the optimizer's rate throughout;
///   step:N:G      multiplied by G after every N epochs (e.g. step:10:0.5);
///   cosine        from the rate down to 0 along half a cosine over the run's epochs.
struct LearningRateSchedule {
  enum class Kind { constant, step, cosine };
  Kind kind = Kind::constant;
  std::size_t step_epochs = 10;
  double gamma = 0.1;

  /// The rate for `epoch` (1-based) of `total_epochs`, from the starting rate `base`.
  FNN_API double rate(double base, std::size_t epoch, std::size_t total_epochs) const;

  /// Parses "constant", "step:N:G" or "cosine"; SpecError naming the text otherwise.
  FNN_API static LearningRateSchedule parse(const std::string& text);
};

}  // namespace fnn
