// Inference on one network from many threads at once: every thread must get exactly the bits a
// lone thread gets. The tsan preset runs these under ThreadSanitizer (their names say "threads"),
// which reports any data race between the callers, the network's buffer pool and TBB's tasks.
#include <cstring>
#include <latch>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace {

constexpr std::size_t thread_count = 8;

// 784-256-128-10 with relu, dropout and softmax: 256-row products run as parallel tiles, single
// rows as matrix-vector products on the calling thread.
fnn::NetworkSpec classifier_spec() {
  fnn::NetworkSpec spec{784};
  spec.add("dense", {{"units", "256"}}).add("relu").add("dropout", {{"rate", "0.3"}});
  spec.add("dense", {{"units", "128"}}).add("relu").add("dropout", {{"rate", "0.3"}});
  spec.add("dense", {{"units", "10"}}).add("softmax");
  return spec;
}

fnn::Matrix random_matrix(std::size_t rows, std::size_t cols, fnn::Rng& rng) {
  fnn::Matrix matrix(rows, cols);
  for (float& value : matrix.values()) value = rng.uniform(-1.0F, 1.0F);
  return matrix;
}

template <class Values>
bool same_bits(const Values& a, const Values& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool same_bits(const fnn::Matrix& a, const fnn::Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && same_bits(a.values(), b.values());
}

// Runs `work(thread)` on thread_count threads released together, and waits for them all.
template <class Work>
void on_many_threads(Work&& work) {
  std::latch start(thread_count);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      work(t);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace

TEST_CASE("predictions from many threads at once on one network give a lone thread's bits",
          "[network][threads]") {
  const fnn::Registry& registry = fnn::test::plugins();
  fnn::Network network(registry, classifier_spec());
  fnn::Rng rng(7);
  network.initialize(*registry.make_initializer("he_uniform"), rng);
  const fnn::Matrix batch = random_matrix(256, 784, rng);
  fnn::Matrix targets(256, 10);
  for (std::size_t r = 0; r < targets.rows(); ++r) targets(r, r % 10) = 1.0F;
  const auto loss = registry.make_loss("cross_entropy");  // fused with softmax: the logits path

  // What one thread gets, alone.
  const fnn::Matrix batch_reference = network.predict(batch);
  std::vector<fnn::Matrix> row_reference;
  for (std::size_t r = 0; r < thread_count; ++r) {
    row_reference.push_back(network.predict(batch.view().row_block(r, 1)));
  }
  const double loss_reference = network.mean_loss(batch, targets, *loss);
  std::vector<float> gradient_reference(network.parameters().size());
  const double gradient_loss_reference =
      network.loss_and_gradient(batch, targets, *loss, gradient_reference);

  // Half the threads predict single rows, half 256-row batches (through all three predict calls),
  // and every thread also evaluates the loss and its gradient, all on the same network.
  const fnn::Network& shared = network;
  std::vector<int> mismatches(thread_count, 0);
  on_many_threads([&](std::size_t t) {
    fnn::Matrix outputs(256, 10);
    fnn::Workspace workspace(shared, 256);  // the caller's own, one per thread
    std::vector<float> gradient(shared.parameters().size());
    for (int round = 0; round < 6; ++round) {
      if (t % 2 == 0) {
        for (std::size_t r = 0; r < thread_count; ++r) {
          const std::size_t row = (t + r) % thread_count;
          mismatches[t] += !same_bits(shared.predict(batch.view().row_block(row, 1)),
                                      row_reference[row]);
        }
      } else {
        mismatches[t] += !same_bits(shared.predict(batch), batch_reference);
        shared.predict(batch, outputs);
        mismatches[t] += !same_bits(outputs, batch_reference);
        shared.predict(batch, outputs, workspace);
        mismatches[t] += !same_bits(outputs, batch_reference);
      }
      mismatches[t] += shared.mean_loss(batch, targets, *loss) != loss_reference;
      if (round == 0) {
        mismatches[t] += shared.loss_and_gradient(batch, targets, *loss, gradient) !=
                         gradient_loss_reference;
        mismatches[t] += !same_bits(gradient, gradient_reference);
      }
    }
  });
  for (std::size_t t = 0; t < thread_count; ++t) {
    INFO("thread " << t);
    CHECK(mismatches[t] == 0);
  }
}

TEST_CASE("networks are made from one registry and one spec by many threads at once",
          "[network][threads]") {
  const fnn::Registry& registry = fnn::test::plugins();
  const fnn::NetworkSpec spec = classifier_spec();
  fnn::Network reference(registry, spec);
  fnn::Rng rng(3);
  reference.initialize(*registry.make_initializer("glorot_uniform"), rng);
  const fnn::Matrix inputs = random_matrix(4, 784, rng);
  const fnn::Matrix expected = reference.predict(inputs);

  std::vector<int> mismatches(thread_count, 0);
  on_many_threads([&](std::size_t t) {
    fnn::Network network(registry, spec);
    std::ranges::copy(reference.parameters(), network.parameters().begin());
    mismatches[t] += !same_bits(network.predict(inputs), expected);
  });
  for (std::size_t t = 0; t < thread_count; ++t) {
    INFO("thread " << t);
    CHECK(mismatches[t] == 0);
  }
}
