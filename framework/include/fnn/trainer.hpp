#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fnn/export.hpp"
#include "fnn/loss.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/schedule.hpp"

namespace fnn {

/// How a Trainer runs.
struct TrainingOptions {
  std::size_t batch_size = 32;   ///< samples per optimizer step (the last batch may be smaller)
  std::size_t epochs = 10;       ///< total passes over the data that `fit` trains to
  std::uint64_t seed = 1;        ///< seeds the shuffle; same seed, same run
  bool shuffle = true;           ///< reshuffle the samples before every epoch
  /// Threads for the parallel work of a batch (matrix-product tiles, element-wise loops, the
  /// optimizer step); 0 = one per core. Results are bit-identical for every thread count.
  std::size_t threads = 0;
  /// Sets the optimizer's rate before each epoch, from the rate it had when the trainer was made.
  LearningRateSchedule schedule{};
};

/// What one epoch did.
struct EpochReport {
  std::size_t epoch = 0;      ///< 1-based
  double train_loss = 0.0;    ///< mean loss over the epoch's samples, before each step
  double seconds = 0.0;
};

/// Progress within an epoch, reported after every batch.
struct BatchReport {
  std::size_t epoch = 0;         ///< 1-based
  std::size_t batch = 0;         ///< 1-based
  std::size_t batches = 0;       ///< in this epoch
  std::size_t samples_done = 0;  ///< in this epoch, including this batch
  double loss = 0.0;             ///< this batch's mean loss
};

/// Mini-batch training of a Network: shuffle, cut into batches, compute each batch's mean
/// gradient in one forward/backward pass whose matrix products and loops run in parallel on a
/// TBB arena of `threads` threads, then one optimizer step. All per-batch memory is allocated
/// once, at construction.
class FNN_API Trainer {
 public:
  /// The trainer keeps references to all three; they must outlive it.
  Trainer(Network& network, const Loss& loss, Optimizer& optimizer, TrainingOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// One pass over (inputs, targets). Throws TrainingError when their widths or row counts do
  /// not fit the network, or when the loss stops being finite.
  EpochReport train_epoch(ConstMatrixView inputs, ConstMatrixView targets,
                          const std::function<void(const BatchReport&)>& on_batch = {});

  /// Trains until `options.epochs` epochs are done in all (a resumed run continues up to that
  /// count); after each, `on_epoch` (if given) sees the report and may return false to stop
  /// early. Returns the last report.
  EpochReport fit(ConstMatrixView inputs, ConstMatrixView targets,
                  const std::function<bool(const EpochReport&)>& on_epoch = {});

  std::size_t epochs_done() const noexcept;

  /// The shuffle generator's state: with `epochs_done()` and the network and optimizer state,
  /// what a checkpoint needs to continue a run exactly.
  std::string shuffle_state() const;
  /// Continues a run saved after `epochs_done` epochs with that shuffle state.
  void resume(std::size_t epochs_done, const std::string& shuffle_state);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fnn
