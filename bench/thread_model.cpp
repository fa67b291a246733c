// Decides the thread model by measurement: epoch time of a 784-256-128-10 sigmoid/MSE network
// for each chunk size, with the given thread count. chunk == batch means one chunk per batch and
// multi-threaded OpenBLAS; smaller chunks mean TBB over chunks with single-threaded OpenBLAS.
//
//   fnn_bench_thread_model [threads=2] [samples=16384] [repeats=5]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fnn/fnn.hpp>
#include <vector>

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t threads = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2;
  const std::size_t samples = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 16384;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;

  const fnn::Registry registry = fnn::Registry::with_plugins();
  fnn::Matrix inputs(samples, 784);
  fnn::Matrix targets(samples, 10);
  fnn::Rng rng(1);
  for (float& x : inputs.values()) x = rng.uniform(0, 1);
  for (std::size_t r = 0; r < samples; ++r) targets(r, rng.below(10)) = 1.0F;

  std::printf("threads=%zu samples=%zu repeats=%d (median epoch seconds)\n", threads, samples,
              repeats);
  for (const std::size_t batch : {64, 128}) {
    for (const std::size_t chunk : {8, 16, 32, 64, 128}) {
      if (chunk > batch) continue;
      fnn::NetworkSpec spec{784};
      spec.add("dense", {{"units", "256"}}).add("sigmoid").add("dense", {{"units", "128"}});
      spec.add("sigmoid").add("dense", {{"units", "10"}}).add("sigmoid");
      fnn::Network network(registry, spec);
      fnn::Rng init_rng(2);
      network.initialize(*registry.make_initializer("glorot_uniform"), init_rng);
      const auto loss = registry.make_loss("mse");
      const auto sgd = registry.make_optimizer("sgd", {{"learning_rate", "0.5"}});
      fnn::Trainer trainer(network, *loss, *sgd,
                           {.batch_size = batch, .chunk_size = chunk, .threads = threads});
      std::vector<double> seconds;
      trainer.train_epoch(inputs, targets);  // warm-up
      for (int i = 0; i < repeats; ++i) seconds.push_back(trainer.train_epoch(inputs, targets).seconds);
      const double epoch = median(seconds);
      std::printf("batch=%3zu chunk=%3zu %s: %.4f s/epoch, %.0f samples/s, 60k-sample epoch %.3f s\n",
                  batch, chunk, chunk == batch ? "blas-threads" : "tbb-chunks  ", epoch,
                  samples / epoch, epoch * 60000.0 / samples);
    }
  }
}
