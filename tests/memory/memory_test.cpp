// Training memory does not grow with epochs: after the first epoch, an epoch allocates nothing
// (counted by replacing the global operator new of this test program, which the framework and the
// plugins call too), and the heap in use stays where it was.
//
// A separate program because the replaced operator new applies to the whole process.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>

#include "support/test_support.hpp"

namespace {

std::atomic<std::size_t> allocations{0};

void* allocate(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (std::max<std::size_t>(size, 1) + align - 1) / align * align;
  if (void* memory = std::aligned_alloc(align, rounded)) return memory;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate_aligned(size, alignment);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}

namespace {

struct Run {
  std::size_t batch_size;
  std::size_t threads;
  const char* optimizer;
  const char* loss = "mse";  // binary_cross_entropy: the fused path, its loss from the logits
};

}  // namespace

TEST_CASE("after the first epoch, training allocates nothing and its heap stays the same",
          "[memory]") {
  const Run run = GENERATE(Run{32, 2, "sgd"}, Run{64, 2, "adam"}, Run{50, 1, "rmsprop"},
                           Run{32, 2, "sgd", "binary_cross_entropy"});
  INFO("batch " << run.batch_size << ", threads " << run.threads << ", " << run.optimizer << ", "
                << run.loss);
  // 1000 samples, 100 features, 3 targets; 100-256-130-3 with dropout: wide enough that the
  // matrix products run as parallel tiles.
  fnn::Matrix inputs(1000, 100);
  fnn::Matrix targets(1000, 3);
  fnn::Rng rng(1);
  for (float& x : inputs.values()) x = rng.uniform(-1.0F, 1.0F);
  for (float& y : targets.values()) y = rng.uniform(0.1F, 0.9F);
  fnn::NetworkSpec spec{100};
  spec.add("dense", {{"units", "256"}}).add("relu").add("dropout", {{"rate", "0.2"}});
  spec.add("dense", {{"units", "130"}}).add("tanh").add("dense", {{"units", "3"}}).add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  const auto loss = fnn::test::plugins().make_loss(run.loss);
  const auto optimizer = fnn::test::plugins().make_optimizer(run.optimizer);
  fnn::Trainer trainer(network, *loss, *optimizer,
                       {.batch_size = run.batch_size,
                        .epochs = 20,
                        .seed = 3,
                        .threads = run.threads,
                        .schedule = fnn::LearningRateSchedule::parse("cosine")});
  // A callback as the command line's: it sees every batch (and could write a checkpoint).
  std::size_t batches = 0;
  const std::function<void(const fnn::BatchReport&)> on_batch = [&](const fnn::BatchReport&) {
    ++batches;
  };

  std::vector<std::size_t> allocations_per_epoch;
  std::vector<std::size_t> heap_in_use;  // bytes malloc has handed out, all arenas
  std::vector<long> peak_rss_kib;
  for (int epoch = 1; epoch <= 20; ++epoch) {
    const std::size_t before = allocations.load();
    trainer.train_epoch(inputs, targets, on_batch);
    allocations_per_epoch.push_back(allocations.load() - before);
    heap_in_use.push_back(mallinfo2().uordblks);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    peak_rss_kib.push_back(usage.ru_maxrss);
  }
  INFO("allocations in epoch 1: " << allocations_per_epoch[0]);
  CHECK(batches > 0);
  for (std::size_t epoch = 2; epoch <= 20; ++epoch) {
    INFO("epoch " << epoch);
    CHECK(allocations_per_epoch[epoch - 1] == 0);
  }
  // Same heap after epoch 2 and after epoch 20 (a few KiB of slack for TBB's own bookkeeping,
  // which bypasses operator new).
  INFO("heap in use after epoch 2: " << heap_in_use[1] << ", after epoch 20: " << heap_in_use[19]);
  CHECK(heap_in_use[19] <= heap_in_use[1] + 16 * 1024);

  // And the process's peak resident set does not move from epoch 2 to epoch 20.
  INFO("peak RSS after epoch 2: " << peak_rss_kib[1] << " KiB, after 20: " << peak_rss_kib[19]);
  CHECK(peak_rss_kib[19] <= peak_rss_kib[1] + 256);
}

TEST_CASE("after the first call, predicting into the caller's memory allocates nothing",
          "[memory]") {
  const fnn::Registry& registry = fnn::test::plugins();
  fnn::NetworkSpec spec{100};
  spec.add("dense", {{"units", "256"}}).add("relu").add("dropout", {{"rate", "0.2"}});
  spec.add("dense", {{"units", "10"}}).add("softmax");
  fnn::Network network(registry, spec);
  fnn::Rng rng(1);
  network.initialize(*registry.make_initializer("glorot_uniform"), rng);
  fnn::Matrix inputs(256, 100);
  for (float& x : inputs.values()) x = rng.uniform(-1.0F, 1.0F);
  fnn::Matrix outputs(256, 10);
  const auto loss = registry.make_loss("cross_entropy");
  fnn::Matrix targets(256, 10);

  network.predict(inputs, outputs);  // the first call makes the network's pooled buffers
  const std::size_t before = allocations.load();
  for (int i = 0; i < 20; ++i) {
    network.predict(inputs, outputs);                                      // parallel tiles
    network.predict(inputs.view().row_block(0, 1), outputs.view().row_block(0, 1));  // one row
    (void)network.mean_loss(inputs, targets, *loss, outputs);
  }
  CHECK(allocations.load() - before == 0);
}
