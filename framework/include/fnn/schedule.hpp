#pragma once
#include <cstddef>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// How the learning rate changes over a run, applied by the Trainer before each epoch e
/// (1-based) of a run of E epochs, from the optimizer's starting rate η:
///   constant      η throughout;
///   step:N:G      η·G^⌊(e − 1)/N⌋: multiplied by G after every N epochs (e.g. step:10:0.5);
///   cosine        η·(1 + cos(π·(e − 1)/E))/2: η in epoch 1, along half a cosine to η·sin²(π/2E)
///                 in the last (0.0245·η for E = 10), never 0: an epoch at rate 0 would be wasted.
///   plateau:P:F[:MIN]  η times F each time the watched value (fnn/early_stopping.hpp) has not
///                 improved for P epochs, never below the rate MIN (default 0); F in (0, 1). The
///                 reductions depend on the run, not on e: a TrainingRun decides them and keeps
///                 them in its TrainingState; `rate` gives η.
struct LearningRateSchedule {
  enum class Kind { constant, step, cosine, plateau };
  Kind kind = Kind::constant;
  std::size_t step_epochs = 10;  ///< step: N; plateau: P
  double gamma = 0.1;            ///< step: G; plateau: F
  double min_rate = 0.0;         ///< plateau: the floor

  /// The rate for `epoch` (1-based) of `total_epochs`, from the starting rate `base`.
  FNN_API double rate(double base, std::size_t epoch, std::size_t total_epochs) const;

  /// Whether the rate depends on E (cosine): the same epoch of a run with another total
  /// trains at another rate.
  FNN_API bool spans_run() const noexcept;

  /// Parses "constant", "step:N:G", "cosine" or "plateau:P:F[:MIN]"; SpecError naming the text
  /// otherwise.
  FNN_API static LearningRateSchedule parse(const std::string& text);
};

}  // namespace fnn
