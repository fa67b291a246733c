#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "fnn/export.hpp"
#include "fnn/gradient_exchange.hpp"
#include "fnn/interrupt.hpp"
#include "fnn/loss.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/schedule.hpp"

namespace fnn {

class SampleSource;

/// The most threads a Trainer takes (TBB would cap more anyway).
inline constexpr std::size_t max_threads = 1024;

/// How a Trainer runs.
struct TrainingOptions {
  std::size_t batch_size = 32;   ///< samples per optimizer step (the last batch may be smaller)
  /// Every batch of m rows is cut into this many fixed shards, shard s = rows [s·m/S, (s+1)·m/S),
  /// each its own backward pass; their sums are added by one fixed tree (fnn/gradient_exchange.hpp).
  /// Part of the run's definition, like the batch size: 1 to max_shards; 1 = one pass per batch.
  std::size_t shards = 1;
  std::size_t epochs = 10;       ///< total passes over the data that `fit` trains to
  std::uint64_t seed = 1;        ///< seeds the shuffle; same seed, same run
  bool shuffle = true;           ///< reshuffle the samples before every epoch
  /// Threads for the parallel work of a batch (matrix-product tiles, element-wise loops, the
  /// optimizer step); 0 = one per core, at most max_threads. Results are bit-identical for every
  /// thread count.
  std::size_t threads = 0;
  /// Sets the optimizer's rate before each epoch, from the rate it had when the trainer was made.
  LearningRateSchedule schedule{};
  /// Polled after every batch: once requested, `train_epoch` returns after the batch it is on
  /// (the epoch then stays unfinished, and `position()` says where) and `fit` stops. Not owned;
  /// must outlive the trainer. See fnn/interrupt.hpp for stopping on Ctrl-C.
  const StopRequest* stop = nullptr;
  /// Shares shard sums with the other processes of a distributed run, each computing its
  /// participant_shards. Not owned; must outlive the trainer. Null: this process computes all.
  GradientExchange* exchange = nullptr;
};

/// What one epoch did.
struct EpochReport {
  std::size_t epoch = 0;      ///< 1-based
  double train_loss = 0.0;    ///< mean loss over the epoch's samples, before each step
  double seconds = 0.0;
  double learning_rate = 0.0;  ///< the rate the epoch trained at
  /// The stop request ended the epoch before its last batch: `train_loss` covers the batches
  /// done so far, and the next `train_epoch` continues the epoch.
  bool interrupted = false;
};

/// An epoch as a training run reports it (fnn/training_run.hpp): the trainer's report and, when
/// the run has validation data, the loss and (for class targets) accuracy on it.
struct EpochSummary {
  EpochReport training;
  std::optional<double> validation_loss;
  std::optional<double> validation_accuracy;
  /// Accuracy on the training rows after the epoch: only when early stopping or the plateau
  /// schedule watches it (an extra pass over the data).
  std::optional<double> training_accuracy;
  /// The epoch of the best watched value so far (fnn/early_stopping.hpp); none when nothing is
  /// watched or no epoch has been watched yet.
  std::optional<std::size_t> best_epoch;
};

/// Progress within an epoch, reported after every batch.
struct BatchReport {
  std::size_t epoch = 0;         ///< 1-based
  std::size_t batch = 0;         ///< 1-based
  std::size_t batches = 0;       ///< in this epoch
  std::size_t samples_done = 0;  ///< in this epoch, including this batch
  double loss = 0.0;             ///< this batch's mean loss
};

/// Where a run stands, exactly enough to continue it: with the network's parameters and the
/// optimizer's state, what a checkpoint holds. Inside an epoch it is the generator as that epoch
/// began (before its shuffle) plus the batches done; resuming re-shuffles from it and skips them.
struct TrainingPosition {
  std::size_t epochs_done = 0;
  std::size_t batches_done = 0;  ///< of epoch `epochs_done + 1`; 0 at an epoch boundary
  std::string rng_state;         ///< Rng::state() text of the shuffle generator, as described
  double loss_sum = 0.0;         ///< loss summed over those batches (for the epoch's report)
};

/// True when no value is infinite or NaN. One pass over the bits (integer and, compare, or,
/// which compilers vectorize), no floating-point arithmetic that could overflow.
FNN_API bool all_finite(std::span<const float> values) noexcept;

/// Mini-batch training of a Network: shuffle, cut into batches, compute each batch's mean
/// gradient in one forward/backward pass per shard (one with the default single shard) whose
/// matrix products and loops run in parallel on a TBB arena of `threads` threads, add the shards'
/// sums by the fixed tree, then one optimizer step. All per-batch memory is allocated
/// once, for batches of min(batch size, rows of the data), when the trainer first sees the data
/// (or by `reserve`); the batch loop allocates nothing.
class FNN_API Trainer {
 public:
  /// The trainer keeps references to all three; they must outlive it.
  Trainer(Network& network, const Loss& loss, Optimizer& optimizer, TrainingOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// One pass over (inputs, targets), or the rest of one after a resume inside an epoch.
  /// `on_batch` runs after each optimizer step; `position()` then includes that batch, so the
  /// callback can write a checkpoint. Throws TrainingError when the widths or row counts do not
  /// fit the network, or when a batch's loss or gradient is not finite (naming epoch and batch);
  /// the failing batch is not applied, so the network, the optimizer and `position()` stay as
  /// after the last good batch, and a retry continues from there.
  EpochReport train_epoch(ConstMatrixView inputs, ConstMatrixView targets,
                          const std::function<void(const BatchReport&)>& on_batch = {});
  /// The same from a source of samples (fnn/sample_source.hpp): a data store is read row by row,
  /// never loaded. The next batch's rows (this process's shards only) are gathered by a TBB task
  /// while the current batch computes; the results are bit-identical to training on the same
  /// rows in memory. The shuffle holds a permutation of the rows (8 bytes a row).
  EpochReport train_epoch(const SampleSource& data,
                          const std::function<void(const BatchReport&)>& on_batch = {});

  /// Trains until `options.epochs` epochs are done in all (a resumed run continues up to that
  /// count); after each, `on_epoch` (if given) sees the report and may return false to stop
  /// early; a stop request (TrainingOptions::stop) ends it too. Returns the last report.
  EpochReport fit(ConstMatrixView inputs, ConstMatrixView targets,
                  const std::function<bool(const EpochReport&)>& on_epoch = {});
  EpochReport fit(const SampleSource& data,
                  const std::function<bool(const EpochReport&)>& on_epoch = {});

  /// Makes the per-batch memory for data of `rows` samples, if what there is is smaller:
  /// `train_epoch` does so itself; call it first to learn early that the memory cannot fit.
  /// Throws SpecError, before allocating, when it cannot fit in this machine's memory.
  void reserve(std::size_t rows);

  std::size_t epochs_done() const noexcept;

  /// Multiplies the schedule's rate from the next epoch on (by the plateau schedule's reductions,
  /// which a TrainingRun decides); 1 until set.
  void set_rate_factor(double factor) noexcept;

  /// The shuffle generator's state: with `epochs_done()` and the network and optimizer state,
  /// what a checkpoint needs to continue a run exactly.
  std::string shuffle_state() const;
  /// Continues a run saved after `epochs_done` epochs with that shuffle state.
  void resume(std::size_t epochs_done, const std::string& shuffle_state);

  /// Where the run stands (see TrainingPosition); inside `on_batch`, after that batch.
  TrainingPosition position() const;
  /// Whether the run is to stop (TrainingOptions::stop): in one process, whether a stop is
  /// requested now; with other participants (TrainingOptions::exchange), whether any
  /// participant's request travelled with a batch's sums, so that every participant stops after
  /// the same batch, the first after which any had one (docs/distributed.md).
  bool stop_requested() const noexcept;
  /// The signal of that stop request (StopRequest::signal; with other participants, the signal
  /// of the lowest-numbered one that asked), or 0.
  int stop_signal() const noexcept;

  /// Continues from a position, also one inside an epoch: the next `train_epoch` shuffles as that
  /// epoch did and skips its done batches (drawing their batch seeds), so the run goes on exactly.
  /// It must get the same data and batch size, or it throws TrainingError if the position lies
  /// beyond the epoch's batches. DataError for a generator state Rng::state did not write.
  void resume(const TrainingPosition& position);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fnn
