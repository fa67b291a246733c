// What the trainer's per-batch gradient check (fnn::all_finite) costs, against the epoch it runs
// in: a 784-256-128-10 sigmoid/MSE network (the Fashion-MNIST demo's shape), for a few batch
// sizes. The check's time is measured on its own over a vector of the gradient's size, once per
// batch, and reported as a share of the median epoch (the trainer itself, which runs the check,
// is included in the epoch time; the share is what removing the check could save at most).
//
//   fnn_bench_finite_check [threads=2] [samples=8192] [repeats=3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fnn/fnn.hpp>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t threads = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2;
  const std::size_t samples = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 8192;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;

  const fnn::Registry registry = fnn::Registry::with_plugins();
  fnn::Matrix inputs(samples, 784);
  fnn::Matrix targets(samples, 10);
  fnn::Rng rng(1);
  for (float& x : inputs.values()) x = rng.uniform(0, 1);
  for (std::size_t r = 0; r < samples; ++r) targets(r, rng.below(10)) = 1.0F;

  std::printf("threads=%zu samples=%zu repeats=%d\n", threads, samples, repeats);
  std::printf("batch  parameters  epoch_s  check_per_batch_us  check_share_of_epoch\n");
  for (const std::size_t batch : {32, 64, 128}) {
    fnn::NetworkSpec spec{784};
    spec.add("dense", {{"units", "256"}}).add("sigmoid").add("dense", {{"units", "128"}});
    spec.add("sigmoid").add("dense", {{"units", "10"}}).add("sigmoid");
    fnn::Network network(registry, spec);
    network.initialize(*registry.make_initializer("glorot_uniform"), rng);
    const auto loss = registry.make_loss("mse");
    const auto sgd = registry.make_optimizer("sgd", {{"learning_rate", "0.1"}});
    fnn::Trainer trainer(network, *loss, *sgd,
                         {.batch_size = batch, .epochs = 1000, .threads = threads});
    // Epochs and the check alone, interleaved so that both see the same machine load. The check
    // runs on a gradient-sized vector, once per batch of the epoch.
    const std::vector<float> gradient(network.parameters().begin(), network.parameters().end());
    const std::size_t batches = (samples + batch - 1) / batch;
    std::vector<double> epochs;
    std::vector<double> checks;
    bool finite = true;
    trainer.train_epoch(inputs, targets);  // warm-up
    for (int r = 0; r < repeats; ++r) {
      epochs.push_back(trainer.train_epoch(inputs, targets).seconds);
      const auto start = Clock::now();
      for (std::size_t b = 0; b < batches; ++b) finite = fnn::all_finite(gradient) && finite;
      checks.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    const double epoch = median(epochs);
    const double check = median(checks);
    std::printf("%5zu  %10zu  %7.3f  %18.1f  %19.3f%%%s\n", batch, gradient.size(), epoch,
                check / static_cast<double>(batches) * 1e6, 100.0 * check / epoch,
                finite ? "" : " (not finite?)");
  }
}
