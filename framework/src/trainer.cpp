#include "fnn/trainer.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "fnn/error.hpp"
#include "fnn/gradient_exchange.hpp"
#include "fnn/multiversion.hpp"
#include "fnn/parallel.hpp"
#include "fnn/random.hpp"
#include "fnn/sample_source.hpp"
#include "fnn/sizes.hpp"
#include "row_order.hpp"

namespace fnn {

namespace {

std::size_t ceil_divide(std::size_t rows, std::size_t batch_size) {
  return (rows + batch_size - 1) / batch_size;
}

std::size_t thread_count(std::size_t requested) {
  return requested == 0 ? static_cast<std::size_t>(tbb::info::default_concurrency()) : requested;
}

// Lets an arena of more threads than cores really have them (TBB caps workers at cores - 1
// otherwise, and warns).
std::optional<tbb::global_control> allow_parallelism(std::size_t threads) {
  if (threads <= static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())) return {};
  return std::optional<tbb::global_control>(std::in_place,
                                            tbb::global_control::max_allowed_parallelism, threads);
}

const TrainingOptions& checked(const TrainingOptions& options) {
  if (options.batch_size == 0) throw TrainingError("the batch size must be at least 1");
  if (options.shards == 0 || options.shards > max_shards) {
    throw TrainingError("the shard count must be 1 to " + std::to_string(max_shards) + ", got " +
                        std::to_string(options.shards));
  }
  if (options.threads > max_threads) {
    throw TrainingError("the thread count must be at most " + std::to_string(max_threads) +
                        ", got " + std::to_string(options.threads));
  }
  return options;
}

// This process's word on stopping for the batch's exchange.
int stop_word(const TrainingOptions& options) {
  return options.stop != nullptr && options.stop->requested() ? options.stop->signal() : no_stop;
}

// The matrix overloads' data as a source, once its row counts are known to agree.
MatrixSource matrix_source(ConstMatrixView inputs, ConstMatrixView targets) {
  if (inputs.rows() != targets.rows()) {
    throw TrainingError("there are " + std::to_string(inputs.rows()) + " input rows but " +
                        std::to_string(targets.rows()) + " target rows");
  }
  return MatrixSource(inputs, targets);
}

std::string diverged(std::size_t epoch, std::size_t batch, const std::string& what) {
  return "training diverged in epoch " + std::to_string(epoch) + ", batch " +
         std::to_string(batch) + ": " + what +
         "; the learning rate is likely too high for this data";
}

}  // namespace

// all_finite runs once per batch over every gradient value: the AVX2 clone is twice the SSE2
// version's speed on a 235k-parameter gradient.
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
        exchange(options_.exchange != nullptr ? *options_.exchange : local_exchange),
        mine(participant_shards(options_.shards, exchange.participants(),
                                exchange.participant())),
        base_learning_rate(optimizer_.learning_rate()) {
    for (std::size_t p = 0; p < exchange.participants(); ++p) {
      roots.push_back(subtree_roots(
          options.shards, participant_shards(options.shards, exchange.participants(), p)));
    }
    stops.assign(exchange.participants(), no_stop);  // made here: the batch loop allocates nothing
  }

  Network& network;
  const Loss& loss;
  Optimizer& optimizer;
  TrainingOptions options;
  Rng rng;  // the shuffle's
  std::size_t threads;
  std::optional<tbb::global_control> parallelism;
  tbb::task_arena arena;  // every parallel loop of a batch runs here, on `threads` threads
  LocalExchange local_exchange;
  GradientExchange& exchange;
  ShardRange mine;  // the shards this process computes
  // Per participant, the tree nodes it sums itself (subtree_roots); the exchange finishes the
  // tree above them.
  std::vector<std::vector<ShardRange>> roots;
  // With other participants: every one's word on stopping from the last batch's exchange, and
  // the first word that asked (no_stop until one does; then every participant stops).
  std::vector<int> stops;
  int agreed_stop = no_stop;

  detail::RowOrder order;  // sample order of the current epoch
  std::vector<std::size_t> batch_rows[2];  // each batch buffer's rows, from `order`
  // Made by reserve() for batches of up to `capacity` rows: min(batch size, rows of the data).
  std::size_t capacity = 0;
  // Two batches, gathered contiguously: the one computing and the next one, being gathered.
  Matrix batch_inputs[2];
  Matrix batch_targets[2];
  std::size_t current = 0;  // which of the two the batch computing reads
  // The next batch is gathered by a task of its own arena, one thread whose slot is left to a TBB
  // worker: it overlaps the batch computing in `arena` even with one training thread. Not a
  // parallel_pipeline: the computing stage (the exchange's MPI calls, on_batch's checkpoints)
  // must stay on the calling thread (MPI_THREAD_FUNNELED), and a pipeline's stages run on any.
  tbb::task_arena reader{1, 0};
  tbb::task_group prefetch;
  std::optional<Workspace> workspace;
  // Per shard its gradient sum and loss sum; the tree leaves the batch's in shard 0's (so with
  // one shard, the batch's gradient is written straight into it).
  std::vector<float> gradient;
  std::vector<double> shard_losses;
  std::size_t epochs_done = 0;
  double base_learning_rate;  // what the schedule scales
  double rate_factor = 1.0;   // and the plateau schedule's reductions
  // The position inside epoch epochs_done + 1 (see TrainingPosition): the generator as that epoch
  // begins, the batches done and their loss sum. batches_done == 0 at an epoch boundary.
  Rng epoch_start = rng;
  std::size_t batches_done = 0;
  double epoch_loss_sum = 0.0;

  // Starts gathering rows [first, first + rows) of the epoch's order into batch buffer `to`.
  void start_gather(const SampleSource& data, std::size_t first, std::size_t rows,
                    std::size_t to);
  // Waits for the gathering started last; rethrows what it threw.
  void finish_gather() {
    reader.execute([&] { prefetch.wait(); });
  }
  ShardSums sums() {
    return {gradient, shard_losses, network.parameters().size()};
  }
  bool stop_requested() const noexcept {
    if (exchange.participants() > 1) return agreed_stop != no_stop;
    return options.stop != nullptr && options.stop->requested();
  }
  double backpropagate_shards(std::size_t rows, const PassContext& context, std::size_t epoch,
                              std::size_t batch);
  bool gradient_is_finite() const;
};

// The shards this process computes, each its own pass over its rows of the gathered batch (which
// starts at the first of them) with the whole batch's scale 1 / rows and its rows' offset, so
// that dropout does not depend on the cut; then the tree over all shards. Returns the batch's
// loss sum. An empty shard (rows < shards) adds zeros.
double Trainer::State::backpropagate_shards(std::size_t rows, const PassContext& context,
                                            std::size_t epoch, std::size_t batch) {
  const ShardSums all = sums();
  const std::size_t offset = shard_rows(rows, options.shards, mine.begin).begin;
  for (std::size_t shard = mine.begin; shard < mine.end; ++shard) {
    const ShardRange part = shard_rows(rows, options.shards, shard);
    if (part.size() == 0) {
      std::ranges::fill(all.gradient(shard), 0.0F);
      shard_losses[shard] = 0.0;
      continue;
    }
    PassContext shard_context = context;
    shard_context.first_row = part.begin;
    shard_losses[shard] = network.backpropagate(
        batch_inputs[current].view().row_block(part.begin - offset, part.size()),
        batch_targets[current].view().row_block(part.begin - offset, part.size()), loss,
        1.0F / static_cast<float>(rows), all.gradient(shard), *workspace, shard_context);
  }
  for (const ShardRange root : roots[exchange.participant()]) combine_shards(all, root);
  if (exchange.participants() > 1) {
    try {
      std::ranges::fill(stops, no_stop);
      stops[exchange.participant()] = stop_word(options);
      exchange.share_and_combine(roots, all, stops);
      const auto asked = std::ranges::find_if(stops, [](int word) { return word != no_stop; });
      if (agreed_stop == no_stop && asked != stops.end()) agreed_stop = *asked;
    } catch (const Error& error) {  // which batch the participants could not finish
      throw Error("batch " + std::to_string(batch) + " of epoch " + std::to_string(epoch) + ": " +
                  error.what());
    }
  }
  return shard_losses[0];
}

void Trainer::State::start_gather(const SampleSource& data, std::size_t first, std::size_t rows,
                                  std::size_t to) {
  const std::span<std::size_t> samples(batch_rows[to].data(), rows);
  order.copy(first, samples);
  const MatrixView inputs = batch_inputs[to].view().row_block(0, rows);
  const MatrixView targets = batch_targets[to].view().row_block(0, rows);
  reader.execute([&] {
    prefetch.run([&data, samples, inputs, targets] { data.gather(samples, inputs, targets); });
  });
}

// all_finite over the gradient in parallel blocks: the pass is bound by memory bandwidth, which
// both cores' caches share out.
bool Trainer::State::gradient_is_finite() const {
  constexpr std::size_t per_task = 32768;
  std::atomic<bool> finite = true;
  const std::span<const float> batch_gradient(gradient.data(), network.parameters().size());
  parallel_blocks(batch_gradient.size(), per_task, [&](std::size_t begin, std::size_t end) {
    if (!all_finite(batch_gradient.subspan(begin, end - begin))) finite = false;
  });
  return finite;
}

Trainer::Trainer(Network& network, const Loss& loss, Optimizer& optimizer,
                 TrainingOptions options)
    : state_(std::make_unique<State>(network, loss, optimizer, checked(options))) {
  optimizer.setup(network.parameters().size());
}

Trainer::~Trainer() = default;

void Trainer::reserve(std::size_t rows) {
  State& state = *state_;
  const std::size_t capacity = std::min(state.options.batch_size, rows);
  if (capacity <= state.capacity) return;  // kept for data of fewer rows too
  const Network& network = state.network;
  const std::size_t shards = state.options.shards;
  const std::size_t shard_capacity = ceil_divide(capacity, shards);  // the largest shard
  // The parameters and each shard's gradient, per sample of a batch its gathered inputs and
  // targets, and per sample of a shard the workspace; in floating point, so that no product can
  // wrap.
  const double parameters = static_cast<double>(network.parameters().size());
  const double per_sample =  // two batches: the one computing, the next one gathered
      2.0 * (static_cast<double>(network.input_size()) + static_cast<double>(network.output_size()));
  if (const auto shortfall = memory_shortfall(
          (1.0 + static_cast<double>(shards)) * parameters +
          static_cast<double>(capacity) * per_sample +
          static_cast<double>(shard_capacity) * Workspace::floats_per_sample(network))) {
    const bool sharded = shards > 1;
    throw SpecError("training in batches of " + std::to_string(capacity) + " samples" +
                    (sharded ? " in " + std::to_string(shards) + " shards" : std::string()) +
                    " (the parameters, " + (sharded ? "a gradient per shard" : "their gradient") +
                    " and a batch's outputs and gradients) needs " + *shortfall +
                    (sharded ? "; use a smaller batch size, network or shard count"
                             : "; use a smaller batch size or network"));
  }
  for (std::size_t b = 0; b < 2; ++b) {
    state.batch_inputs[b] = Matrix(capacity, network.input_size());
    state.batch_targets[b] = Matrix(capacity, network.output_size());
    state.batch_rows[b].resize(capacity);
  }
  state.workspace.emplace(network, shard_capacity);
  state.gradient.assign(checked_multiply(shards, network.parameters().size(),
                                         "the shards' gradients (shards × parameters)"),
                        0.0F);
  state.shard_losses.assign(shards, 0.0);
  state.capacity = capacity;
}

std::size_t Trainer::epochs_done() const noexcept { return state_->epochs_done; }

void Trainer::set_rate_factor(double factor) noexcept {
  state_->rate_factor = factor;
}

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

bool Trainer::stop_requested() const noexcept { return state_->stop_requested(); }

int Trainer::stop_signal() const noexcept {
  const State& state = *state_;
  if (state.exchange.participants() > 1) return std::max(state.agreed_stop, 0);
  return state.options.stop != nullptr ? state.options.stop->signal() : 0;
}

EpochReport Trainer::train_epoch(ConstMatrixView inputs, ConstMatrixView targets,
                                 const std::function<void(const BatchReport&)>& on_batch) {
  return train_epoch(matrix_source(inputs, targets), on_batch);
}

EpochReport Trainer::train_epoch(const SampleSource& data,
                                 const std::function<void(const BatchReport&)>& on_batch) {
  State& state = *state_;
  const Network& network = state.network;
  const std::size_t sample_count = data.rows();
  if (sample_count == 0) throw TrainingError("there are no training samples");
  if (data.input_count() != network.input_size() || data.target_count() != network.output_size()) {
    throw TrainingError("the network maps " + std::to_string(network.input_size()) + " inputs to " +
                        std::to_string(network.output_size()) + " outputs, the data has " +
                        std::to_string(data.input_count()) + " input and " +
                        std::to_string(data.target_count()) + " target columns");
  }
  reserve(sample_count);
  const auto start = std::chrono::steady_clock::now();
  const std::size_t epoch = state.epochs_done + 1;
  const double learning_rate =
      state.options.schedule.rate(state.base_learning_rate, epoch, state.options.epochs) *
      state.rate_factor;
  state.optimizer.set_learning_rate(learning_rate);

  // The generator starts from where the epoch begins, also when it is resumed inside the epoch or
  // retried after a failed batch: the same shuffle, then the done batches' seeds are drawn and
  // dropped.
  state.rng = state.epoch_start;
  const std::size_t batch_size = state.options.batch_size;
  const std::size_t shards = state.options.shards;
  const std::size_t batches = ceil_divide(sample_count, batch_size);
  if (state.batches_done > batches) {
    throw TrainingError("the run to resume stands after batch " +
                        std::to_string(state.batches_done) + " of epoch " + std::to_string(epoch) +
                        ", but an epoch of this data has " + std::to_string(batches) +
                        " batches; resume with the same data and batch size");
  }

  state.order.reset(sample_count, state.options.shuffle, state.rng);
  for (std::size_t skipped = 0; skipped < state.batches_done; ++skipped) state.rng.next();

  // This process's rows of batch `batch` (only the rows of its shards are gathered).
  const auto mine_of = [&](std::size_t batch) {
    const std::size_t first = (batch - 1) * batch_size;
    const std::size_t rows = std::min(batch_size, sample_count - first);
    return ShardRange{first + shard_rows(rows, shards, state.mine.begin).begin,
                      first + shard_rows(rows, shards, state.mine.end).begin};
  };
  const auto gather_batch = [&](std::size_t batch, std::size_t to) {
    const ShardRange rows = mine_of(batch);
    state.start_gather(data, rows.begin, rows.size(), to);
  };
  // Whatever ends the loop (a stop, a diverged batch, an error), no gathering is left running
  // into the buffers.
  struct Drain {
    State& state;
    ~Drain() {
      try {
        state.finish_gather();
      } catch (...) {  // the error that ends the loop is the one to report
      }
    }
  } drain{state};
  if (state.batches_done < batches) gather_batch(state.batches_done + 1, 0);
  state.current = 0;
  for (std::size_t batch = state.batches_done + 1; batch <= batches; ++batch) {
    const std::size_t first = (batch - 1) * batch_size;
    const std::size_t rows = std::min(batch_size, sample_count - first);
    const PassContext context{.training = true, .seed = state.rng.next(), .first_row = 0};
    state.finish_gather();
    if (batch < batches) gather_batch(batch + 1, 1 - state.current);
    double batch_loss = 0.0;
    bool finite_gradient = true;
    // One trip into the arena per batch. The loss, then the gradient, are checked before the
    // step (a finite loss can come with an overflowing or NaN derivative), so that a bad batch
    // changes nothing.
    state.arena.execute([&] {
      batch_loss = state.backpropagate_shards(rows, context, epoch, batch);
      if (!std::isfinite(batch_loss)) return;
      finite_gradient = state.gradient_is_finite();
      if (finite_gradient) {
        state.optimizer.step(state.network.parameters(),
                             std::span<const float>(state.gradient)
                                 .first(state.network.parameters().size()));
      }
    });
    state.current = 1 - state.current;
    if (!std::isfinite(batch_loss)) {
      throw TrainingError(
          diverged(epoch, batch, "the loss became " + std::to_string(batch_loss)));
    }
    if (!finite_gradient) {
      throw TrainingError(diverged(epoch, batch,
                                   "the gradient became infinite or NaN (the loss was " +
                                       std::to_string(batch_loss) + ")"));
    }
    state.epoch_loss_sum += batch_loss;
    state.batches_done = batch;
    if (on_batch) {
      on_batch({epoch, batch, batches, first + rows, batch_loss / static_cast<double>(rows)});
    }
    if (batch < batches && state.stop_requested()) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      return {epoch, state.epoch_loss_sum / static_cast<double>(first + rows), elapsed.count(),
              learning_rate, true};
    }
  }
  const double loss_sum = state.epoch_loss_sum;
  state.epochs_done = epoch;
  state.epoch_start = state.rng;
  state.batches_done = 0;
  state.epoch_loss_sum = 0.0;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return {epoch, loss_sum / static_cast<double>(sample_count), elapsed.count(), learning_rate,
          false};
}

EpochReport Trainer::fit(ConstMatrixView inputs, ConstMatrixView targets,
                         const std::function<bool(const EpochReport&)>& on_epoch) {
  return fit(matrix_source(inputs, targets), on_epoch);
}

EpochReport Trainer::fit(const SampleSource& data,
                         const std::function<bool(const EpochReport&)>& on_epoch) {
  EpochReport report;
  while (state_->epochs_done < state_->options.epochs) {
    report = train_epoch(data);
    if (report.interrupted || (on_epoch && !on_epoch(report)) || state_->stop_requested()) {
      break;
    }
  }
  return report;
}

}  // namespace fnn
