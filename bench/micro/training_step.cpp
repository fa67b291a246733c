// One whole training step, through the Trainer: an "epoch" of exactly one batch (gather, forward,
// loss, backward, optimizer step) of the 784-256-128-10 network, for the two configurations of
// bench/compare.sh, with 1 and 2 threads, as `fnn train` runs it.
//   A: sigmoid hidden and output, mse, sgd lr 0.5, batch 64
//   B: relu hidden, softmax output, cross_entropy, sgd momentum 0.9 lr 0.05, batch 128
// Counter: samples/s (items_per_second); × 60000 gives a lower bound of the epoch time.
#include <benchmark/benchmark.h>

#include <memory>

#include "common.hpp"

namespace {

struct Config {
  const char* hidden_activation;
  const char* output_activation;
  const char* loss;
  fnn::Options optimizer;
  std::size_t batch;
};

void BM_training_step(benchmark::State& state, const Config& config) {
  const fnn::Registry& registry = fnn_bench::registry();
  fnn::NetworkSpec spec{784};
  spec.add("dense", {{"units", "256"}}).add(config.hidden_activation);
  spec.add("dense", {{"units", "128"}}).add(config.hidden_activation);
  spec.add("dense", {{"units", "10"}}).add(config.output_activation);
  fnn::Network network(registry, spec);
  fnn::Rng rng(7);
  network.initialize(*registry.make_initializer("glorot_uniform"), rng);
  const auto loss = registry.make_loss(config.loss);
  const auto optimizer = registry.make_optimizer("sgd", config.optimizer);

  const fnn::Matrix inputs = fnn_bench::random_matrix(config.batch, 784, 0.0F, 1.0F, 8);
  fnn::Matrix targets(config.batch, 10);
  for (std::size_t r = 0; r < config.batch; ++r) targets(r, rng.below(10)) = 1.0F;

  fnn::Trainer trainer(network, *loss, *optimizer,
                       {.batch_size = config.batch,
                        .threads = static_cast<std::size_t>(state.range(0))});
  trainer.train_epoch(inputs, targets);  // first touch of every buffer
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer.train_epoch(inputs, targets).train_loss);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * config.batch));
}

const Config config_a{"sigmoid", "sigmoid", "mse", {{"learning_rate", "0.5"}}, 64};
const Config config_b{"relu", "softmax", "cross_entropy",
                      {{"learning_rate", "0.05"}, {"momentum", "0.9"}}, 128};

}  // namespace

BENCHMARK_CAPTURE(BM_training_step, A_sigmoid_mse_batch64, config_a)
    ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_training_step, B_relu_softmax_ce_batch128, config_b)
    ->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
