#include "fnn/trainer.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "fnn/blas.hpp"
#include "fnn/error.hpp"
#include "fnn/random.hpp"

namespace fnn {

namespace {

std::size_t ceil_divide(std::size_t rows, std::size_t chunk_size) {
  return (rows + chunk_size - 1) / chunk_size;
}

std::size_t thread_count(std::size_t requested) {
  return requested == 0 ? static_cast<std::size_t>(tbb::info::default_concurrency()) : requested;
}

// Sets OpenBLAS's thread count for a scope. One owner of the cores at a time: while TBB runs
// chunks on every core, each chunk's GEMMs stay on their own thread (count 1); when a batch is a
// single chunk, OpenBLAS gets the threads instead.
class BlasThreads {
 public:
  explicit BlasThreads(int threads) : previous_(blas::threads()) { blas::set_threads(threads); }
  ~BlasThreads() { blas::set_threads(previous_); }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int previous_;
};

// Lets an arena of more threads than cores really have them (TBB caps workers at cores - 1
// otherwise, and warns).
std::optional<tbb::global_control> allow_parallelism(std::size_t threads) {
  if (threads <= static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())) return {};
  return std::optional<tbb::global_control>(std::in_place,
                                            tbb::global_control::max_allowed_parallelism, threads);
}

std::string diverged(std::size_t epoch, std::size_t batch, const std::string& what) {
  return "training diverged in epoch " + std::to_string(epoch) + ", batch " +
         std::to_string(batch) + ": " + what +
         "; the learning rate is likely too high for this data";
}

}  // namespace

// all_finite runs once per batch over every gradient value: on x86-64 it is also compiled for
// AVX2 and picked at load time (twice the SSE2 version's speed on a 235k-parameter gradient).
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define FNN_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef FNN_AVX2_CLONE
#define FNN_AVX2_CLONE
#endif

FNN_AVX2_CLONE bool all_finite(std::span<const float> values) noexcept {
  // Infinity and NaN are the floats whose exponent bits are all ones. And, compare, or: plain
  // integer operations, so the loop vectorizes with SSE2 already (a max reduction would not).
  std::uint32_t bad = 0;
  for (const float value : values) {
    bad |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(value) & 0x7f800000U) ==
                                      0x7f800000U);
  }
  return bad == 0;
}

struct Trainer::State {
  State(Network& network_, const Loss& loss_, Optimizer& optimizer_, TrainingOptions options_)
      : network(network_),
        loss(loss_),
        optimizer(optimizer_),
        options(options_),
        rng(options_.seed),
        threads(thread_count(options_.threads)),
        parallelism(allow_parallelism(threads)),
        arena(static_cast<int>(threads)),
        base_learning_rate(optimizer_.learning_rate()) {}

  Network& network;
  const Loss& loss;
  Optimizer& optimizer;
  TrainingOptions options;
  Rng rng;  // the shuffle's
  std::size_t threads;
  std::optional<tbb::global_control> parallelism;
  tbb::task_arena arena;

  std::vector<std::size_t> order;  // sample order of the current epoch
  Matrix batch_inputs;             // the current batch, gathered contiguously
  Matrix batch_targets;
  std::vector<Workspace> workspaces;   // one per chunk
  std::vector<float> gradient;         // the batch gradient; chunk 0 writes here directly
  std::vector<float> chunk_gradients;  // chunks 1.. of a batch, one parameter vector each
  std::vector<double> chunk_losses;
  std::size_t epochs_done = 0;
  double base_learning_rate;  // what the schedule scales
  // The position inside epoch epochs_done + 1 (see TrainingPosition): the generator as that epoch
  // begins, the batches done and their loss sum. batches_done == 0 at an epoch boundary.
  Rng epoch_start = rng;
  std::size_t batches_done = 0;
  double epoch_loss_sum = 0.0;

  std::span<float> chunk_gradient(std::size_t chunk) {
    if (chunk == 0) return gradient;
    return std::span<float>(chunk_gradients).subspan((chunk - 1) * gradient.size(),
                                                     gradient.size());
  }

  double run_batch(std::size_t rows, std::uint64_t batch_seed);
  void sum_chunk_gradients(std::size_t chunks);
};

// Forward and backward of every chunk of the batch in parallel; returns the batch's loss sum
// and leaves the batch-mean gradient in `gradient`.
double Trainer::State::run_batch(std::size_t rows, std::uint64_t batch_seed) {
  const std::size_t chunk_size = options.chunk_size;
  const std::size_t chunks = ceil_divide(rows, chunk_size);
  const float scale = 1.0F / static_cast<float>(rows);
  const auto run_chunk = [&](std::size_t chunk) {
    const std::size_t first = chunk * chunk_size;
    const std::size_t count = std::min(chunk_size, rows - first);
    chunk_losses[chunk] = network.backpropagate(
        batch_inputs.view().row_block(first, count), batch_targets.view().row_block(first, count),
        loss, scale, chunk_gradient(chunk), workspaces[chunk],
        PassContext{.training = true, .seed = batch_seed, .first_row = first});
  };
  if (chunks == 1) {
    run_chunk(0);
  } else {
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, chunks, 1),
          [&](const tbb::blocked_range<std::size_t>& range) {
            for (std::size_t chunk = range.begin(); chunk != range.end(); ++chunk) run_chunk(chunk);
          },
          tbb::simple_partitioner());
    });
    sum_chunk_gradients(chunks);
  }
  // Summed in chunk order, as the gradients are: the result never depends on scheduling.
  return std::accumulate(chunk_losses.begin(), chunk_losses.begin() + chunks, 0.0);
}

void Trainer::State::sum_chunk_gradients(std::size_t chunks) {
  constexpr std::size_t grain = 16384;  // floats per task: big enough to amortise scheduling
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, gradient.size(), grain),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        float* total = gradient.data();
                        for (std::size_t chunk = 1; chunk < chunks; ++chunk) {
                          const float* part = chunk_gradient(chunk).data();
                          for (std::size_t i = range.begin(); i != range.end(); ++i) {
                            total[i] += part[i];
                          }
                        }
                      });
  });
}

Trainer::Trainer(Network& network, const Loss& loss, Optimizer& optimizer,
                 TrainingOptions options)
    : state_(std::make_unique<State>(network, loss, optimizer, options)) {
  if (options.batch_size == 0) throw TrainingError("the batch size must be at least 1");
  if (options.chunk_size == 0) throw TrainingError("the chunk size must be at least 1");
  const std::size_t chunks = ceil_divide(options.batch_size, options.chunk_size);
  const std::size_t chunk_capacity = std::min(options.chunk_size, options.batch_size);
  State& state = *state_;
  state.batch_inputs = Matrix(options.batch_size, network.input_size());
  state.batch_targets = Matrix(options.batch_size, network.output_size());
  state.workspaces.reserve(chunks);
  for (std::size_t c = 0; c < chunks; ++c) state.workspaces.emplace_back(network, chunk_capacity);
  const std::size_t parameters = network.parameters().size();
  state.gradient.assign(parameters, 0.0F);
  state.chunk_gradients.assign((chunks - 1) * parameters, 0.0F);
  state.chunk_losses.assign(chunks, 0.0);
  optimizer.setup(parameters);
}

Trainer::~Trainer() = default;

std::size_t Trainer::epochs_done() const noexcept { return state_->epochs_done; }

std::string Trainer::shuffle_state() const { return state_->epoch_start.state(); }

void Trainer::resume(std::size_t epochs_done, const std::string& shuffle_state) {
  resume(TrainingPosition{.epochs_done = epochs_done, .rng_state = shuffle_state});
}

TrainingPosition Trainer::position() const {
  const State& state = *state_;
  return {state.epochs_done, state.batches_done, state.epoch_start.state(), state.epoch_loss_sum};
}

void Trainer::resume(const TrainingPosition& position) {
  State& state = *state_;
  state.rng.restore(position.rng_state);
  state.epoch_start = state.rng;
  state.epochs_done = position.epochs_done;
  state.batches_done = position.batches_done;
  state.epoch_loss_sum = position.batches_done == 0 ? 0.0 : position.loss_sum;
}

EpochReport Trainer::train_epoch(ConstMatrixView inputs, ConstMatrixView targets,
                                 const std::function<void(const BatchReport&)>& on_batch) {
  State& state = *state_;
  const Network& network = state.network;
  if (inputs.rows() == 0) throw TrainingError("there are no training samples");
  if (inputs.rows() != targets.rows()) {
    throw TrainingError("there are " + std::to_string(inputs.rows()) + " input rows but " +
                        std::to_string(targets.rows()) + " target rows");
  }
  if (inputs.cols() != network.input_size() || targets.cols() != network.output_size()) {
    throw TrainingError("the network maps " + std::to_string(network.input_size()) + " inputs to " +
                        std::to_string(network.output_size()) + " outputs, the data has " +
                        std::to_string(inputs.cols()) + " input and " +
                        std::to_string(targets.cols()) + " target columns");
  }
  const auto start = std::chrono::steady_clock::now();
  const bool chunked = state.options.chunk_size < state.options.batch_size;
  const BlasThreads blas_threads(chunked ? 1 : static_cast<int>(state.threads));
  const std::size_t epoch = state.epochs_done + 1;
  state.optimizer.set_learning_rate(
      state.options.schedule.rate(state.base_learning_rate, epoch, state.options.epochs));

  // The generator starts from where the epoch begins, also when it is resumed inside the epoch or
  // retried after a failed batch: the same shuffle, then the done batches' seeds are drawn and
  // dropped.
  state.rng = state.epoch_start;
  const std::size_t batch_size = state.options.batch_size;
  const std::size_t batches = ceil_divide(inputs.rows(), batch_size);
  if (state.batches_done > batches) {
    throw TrainingError("the run to resume stands after batch " +
                        std::to_string(state.batches_done) + " of epoch " + std::to_string(epoch) +
                        ", but an epoch of this data has " + std::to_string(batches) +
                        " batches; resume with the same data and batch size");
  }

  // Fisher–Yates from the identity, so the order depends only on the generator's state.
  state.order.resize(inputs.rows());
  std::iota(state.order.begin(), state.order.end(), std::size_t{0});
  if (state.options.shuffle) {
    for (std::size_t i = state.order.size(); i > 1; --i) {
      std::swap(state.order[i - 1], state.order[state.rng.below(i)]);
    }
  }
  for (std::size_t skipped = 0; skipped < state.batches_done; ++skipped) state.rng.next();

  for (std::size_t batch = state.batches_done + 1; batch <= batches; ++batch) {
    const std::size_t first = (batch - 1) * batch_size;
    const std::size_t rows = std::min(batch_size, inputs.rows() - first);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t sample = state.order[first + r];
      std::copy_n(inputs.row(sample).data(), inputs.cols(), state.batch_inputs.view().row(r).data());
      std::copy_n(targets.row(sample).data(), targets.cols(),
                  state.batch_targets.view().row(r).data());
    }
    const double batch_loss = state.run_batch(rows, state.rng.next());
    // Checked before the step, so a bad batch changes nothing: the loss, then the gradient in one
    // pass (a finite loss can come with an overflowing or NaN derivative).
    if (!std::isfinite(batch_loss)) {
      throw TrainingError(
          diverged(epoch, batch, "the loss became " + std::to_string(batch_loss)));
    }
    if (!all_finite(state.gradient)) {
      throw TrainingError(diverged(epoch, batch,
                                   "the gradient became infinite or NaN (the loss was " +
                                       std::to_string(batch_loss) + ")"));
    }
    state.optimizer.step(state.network.parameters(), state.gradient);
    state.epoch_loss_sum += batch_loss;
    state.batches_done = batch;
    if (on_batch) {
      on_batch({epoch, batch, batches, first + rows, batch_loss / static_cast<double>(rows)});
    }
  }
  const double loss_sum = state.epoch_loss_sum;
  state.epochs_done = epoch;
  state.epoch_start = state.rng;
  state.batches_done = 0;
  state.epoch_loss_sum = 0.0;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return {epoch, loss_sum / static_cast<double>(inputs.rows()), elapsed.count()};
}

EpochReport Trainer::fit(ConstMatrixView inputs, ConstMatrixView targets,
                         const std::function<bool(const EpochReport&)>& on_epoch) {
  EpochReport report;
  while (state_->epochs_done < state_->options.epochs) {
    report = train_epoch(inputs, targets);
    if (on_epoch && !on_epoch(report)) break;
  }
  return report;
}

}  // namespace fnn
