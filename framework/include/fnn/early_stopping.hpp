#pragma once
// Watching a value after every epoch: early stopping and the plateau schedule decide by it.
#include <cstddef>
#include <optional>
#include <string>

#include "fnn/export.hpp"
#include "fnn/schedule.hpp"

namespace fnn {

/// The value a run watches, each with its direction (losses fall, accuracies rise): validation
/// loss and accuracy from the validation data; training loss as the epoch's mean (the `train_loss`
/// of the metrics file); training accuracy by evaluating the training rows after the epoch, done
/// only when it is watched.
enum class Monitor { validation_loss, validation_accuracy, training_loss, training_accuracy };

/// "val_loss", "val_accuracy", "loss", "accuracy": the names the CLI and the model file use.
FNN_API std::string monitor_name(Monitor monitor);
/// The inverse of monitor_name; SpecError naming the text and the choices otherwise.
FNN_API Monitor parse_monitor(const std::string& text);
FNN_API bool higher_is_better(Monitor monitor) noexcept;
FNN_API bool needs_validation(Monitor monitor) noexcept;
FNN_API bool needs_classes(Monitor monitor) noexcept;

/// What a run watches and what counts as an improvement, for early stopping and for the plateau
/// schedule (LearningRateSchedule::Kind::plateau) alike.
struct Monitoring {
  Monitor monitor = Monitor::validation_loss;
  /// Early stopping: the run ends after this many epochs in a row without improvement, and the
  /// network gets the weights of the best epoch back whatever ends the run; 0: no early stopping.
  std::size_t patience = 0;
  /// An improvement on the best value must be by more than this (≥ 0).
  double min_delta = 0.0;
  /// Epochs 1..start_from_epoch are not watched: they neither set a best nor count as waiting.
  std::size_t start_from_epoch = 0;
};

/// Where watching stands after some epochs; with the best weights, what a checkpoint keeps so
/// that a resumed run decides as an unbroken one would.
struct MonitorState {
  std::optional<double> best;     ///< the best value so far; none before the first watched epoch
  std::size_t best_epoch = 0;     ///< its epoch; 0: none
  std::size_t wait = 0;           ///< watched epochs since the best (early stopping's counter)
  std::size_t plateau_wait = 0;   ///< watched epochs since the best or the last rate reduction
  double rate_factor = 1.0;       ///< the product of the plateau schedule's reductions so far
  std::size_t stopped_epoch = 0;  ///< the epoch at which patience ran out; 0: it did not
};

/// What one epoch's value decided.
struct MonitorStep {
  bool improved = false;  ///< a new best: keep these weights
  bool stop = false;      ///< patience ran out: end the run (state.stopped_epoch is set)
  bool reduced = false;   ///< the plateau schedule lowered the rate (state.rate_factor)
};

/// Feeds the value of `epoch` (1-based, each once, in order) into `state`. A NaN value is never an
/// improvement. The plateau schedule (when `schedule` is one) multiplies the rate factor by its
/// factor after its patience of epochs without improvement, never below its floor (as a fraction
/// of `base_rate`), and then counts again from 0.
FNN_API MonitorStep observe(const Monitoring& monitoring, const LearningRateSchedule& schedule,
                            double base_rate, MonitorState& state, std::size_t epoch, double value);

}  // namespace fnn
