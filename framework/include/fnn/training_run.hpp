#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "fnn/dataset.hpp"
#include "fnn/evaluation.hpp"
#include "fnn/export.hpp"
#include "fnn/interrupt.hpp"
#include "fnn/model.hpp"
#include "fnn/network.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

class Registry;
class SampleSource;

/// When a run writes checkpoints: model files (with training state) that `fnn train --resume`
/// and TrainingRun continue from exactly, also inside an epoch.
struct CheckpointPolicy {
  /// Where; empty: nowhere (an interrupted run then keeps nothing).
  std::filesystem::path file;
  /// Every `every` epochs, or batches counted across epochs (so that a resumed run checkpoints
  /// where an unbroken one does); 0: only when the run is interrupted.
  std::size_t every = 0;
  bool batches = false;
};

/// How a TrainingRun runs, besides what its model's TrainingState says.
struct RunOptions {
  std::size_t threads = 0;           ///< as TrainingOptions::threads
  CheckpointPolicy checkpoints;
  std::filesystem::path metrics;     ///< per-epoch metrics file (fnn/metrics_log.hpp); empty: none
  const StopRequest* stop = nullptr; ///< not owned; see fnn/interrupt.hpp
  /// As TrainingOptions::exchange: this process computes its participant's shards of every
  /// batch. Not owned; null: all of them.
  GradientExchange* exchange = nullptr;
  /// False for the participants of a distributed run other than the first: they write no
  /// checkpoint and no metrics (the first writes them, from the same bits).
  bool writes_files = true;
  /// Evaluate the training rows after every epoch (a pass over them): EpochSummary and the
  /// metrics file get the training accuracy. Needs class targets (SpecError otherwise).
  bool training_accuracy = false;
};

/// What a run reports as it goes. Both may be empty.
struct RunCallbacks {
  std::function<void(const BatchReport&)> on_batch;
  std::function<void(const EpochSummary&)> on_epoch;
};

/// One training run around a Trainer: what `fnn train` does between reading its data and
/// printing the result, for host apps too. It trains `network` to `info.training->total_epochs`,
/// evaluates the validation data after every epoch, appends the metrics file, writes checkpoints
/// by its policy, and on a stop request checkpoints where it stands and returns. `snapshot`
/// and `save` give the model file of the run as it stands.
///
/// Early stopping and the plateau schedule are part of the training state (TrainingState::
/// monitoring, fnn/early_stopping.hpp), so a model file continues them: after every epoch the
/// run watches the value, keeps the weights of its best epoch, lowers the rate on a plateau, and
/// ends when patience runs out. Whatever ends `train` (patience, the last epoch, a stop request)
/// the network then holds the best epoch's weights, and `save` writes them; a checkpoint holds
/// the latest weights and the best ones beside them. A saved model keeps the latest weights too,
/// so both continue the run exactly.
///
///     fnn::ModelInfo info;                      // loss mse, no scaling, ... (fnn/model.hpp)
///     info.training.emplace().total_epochs = 10;  // sgd, batches of 32, seed 1
///     fnn::TrainingRun run(registry, network, info, {});  // network initialised by the caller
///     run.train(data, {});                       // no validation data
///     run.save("model.fnn");                     // fnn eval, predict, train --resume open it
///
/// A model whose TrainingState stands after some epochs or batches (a checkpoint) is continued:
/// the optimizer state and the shuffle position are restored, and the run goes on bit for bit
/// as an unbroken one would.
class FNN_API TrainingRun {
 public:
  /// Makes the loss and optimizer that `info` names through `registry` (SpecError or
  /// PluginError for a bad name or option), and the trainer. `info.training` is required
  /// (SpecError otherwise); its optimizer options get the learning rate the optimizer starts
  /// from. TrainingError when the model has already been trained for its total epochs, or
  /// when the optimizer state does not fit the optimizer. `network` must outlive the run.
  TrainingRun(const Registry& registry, Network& network, ModelInfo info, RunOptions options);
  ~TrainingRun();
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  /// Makes the per-batch memory for `rows` training samples now, so that what cannot fit is
  /// refused before the first epoch (Trainer::reserve).
  void reserve(std::size_t rows);

  /// Trains on `train` until the total epochs are done, early stopping's patience runs out or a
  /// stop is requested, reporting each epoch's validation loss (and, for class models, accuracy)
  /// on `validation` when it has rows. Returns true when the run is complete (also by early
  /// stopping), false when it was stopped: then a checkpoint has been written where it stands
  /// (when the policy has a file). Either way the network then holds the best weights when early
  /// stopping keeps them. SpecError before the first epoch when a validation value is watched
  /// without validation rows. Throws TrainingError when it diverges; when it wrote checkpoints,
  /// the message names the last one.
  bool train(const Dataset& train, const Dataset& validation, const RunCallbacks& callbacks = {});
  /// The same from sources of samples (fnn/sample_source.hpp): a data store is streamed, never
  /// loaded, and the validation data (none when null or without rows) and the training-accuracy
  /// pass are evaluated block by block (EvaluationSum), with the same results as in memory.
  bool train(const SampleSource& train, const SampleSource* validation,
             const RunCallbacks& callbacks = {});

  /// The model as the run stands: `info` with the training state of this moment. TrainingError
  /// when the weights or the optimizer state are no longer finite.
  ModelInfo snapshot() const;
  /// save_model of the network and `snapshot()`.
  void save(const std::filesystem::path& file) const;

  const Loss& loss() const noexcept;
  /// fnn::evaluate of the network as it stands, on the run's threads (RunOptions::threads).
  Evaluation evaluate(const SampleSource& data, bool classes) const;
  TrainingPosition position() const;
  std::size_t epochs_done() const noexcept;
  /// The signal of the stop request that stopped the run (Trainer::stop_signal: with other
  /// participants, the one all agreed on), or 0.
  int stop_signal() const noexcept;
  /// Where the last checkpoint this run wrote stands; empty when it wrote none.
  std::optional<TrainingPosition> last_checkpoint() const;
  /// Where early stopping and the plateau schedule stand (best epoch, stopped epoch, ...).
  const MonitorState& monitor_state() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// "epoch 3", or "batch 40 of epoch 4" inside an epoch.
FNN_API std::string describe(const TrainingPosition& position);

/// Holds out `fraction` (in [0, 1)) of the samples, chosen by a shuffle seeded from `seed` (a
/// stream apart from training's), and returns them; `data` keeps the rest, in shuffled order.
FNN_API Dataset split_validation(Dataset& data, double fraction, std::uint64_t seed);

/// The rows split_validation holds out of `rows` rows and those it keeps, each in the order it
/// puts them: the same split as row lists, for a SubsetSource (fnn/sample_source.hpp). When
/// none is held out (rows × fraction < 1) both lists are empty: every row is kept, as it is.
struct RowSplit {
  std::vector<std::size_t> kept;
  std::vector<std::size_t> held;
};
FNN_API RowSplit split_validation_rows(std::size_t rows, double fraction, std::uint64_t seed);

/// K-fold cross-validation: returns fold `fold` (1-based) of `folds` as the validation data and
/// leaves the other folds' rows in `data`, both in their original order. The folds are
/// fold_of_rows (fnn/sweep.hpp) of `seed`, stratified by class (each row's arg_max) when
/// `classes`. SpecError for fold outside 1..folds, folds < 2 or more folds than rows.
FNN_API Dataset split_fold(Dataset& data, std::size_t fold, std::size_t folds, std::uint64_t seed,
                           bool classes);

}  // namespace fnn
