// Activation forward and backward through the plugins, on a 64 × 256 batch (the first hidden
// layer at batch 64). Counter: elements/s (items_per_second).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "common.hpp"

namespace {

struct ActivationFixture {
  std::shared_ptr<fnn::Activation> activation;
  fnn::Matrix z, a, da, dz;

  explicit ActivationFixture(const char* name)
      : activation(fnn_bench::registry().make_activation(name)),
        z(fnn_bench::random_matrix(64, 256, -4.0F, 4.0F, 5)),
        a(64, 256),
        da(fnn_bench::random_matrix(64, 256, -0.1F, 0.1F, 6)),
        dz(64, 256) {
    activation->forward(z, a);
  }

  void count(benchmark::State& state) const {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * z.rows() * z.cols()));
  }
};

void BM_activation_forward(benchmark::State& state, const char* name) {
  ActivationFixture f(name);
  for (auto _ : state) {
    f.activation->forward(f.z, f.a);
    benchmark::DoNotOptimize(f.a.data());
    benchmark::ClobberMemory();
  }
  f.count(state);
}

void BM_activation_backward(benchmark::State& state, const char* name) {
  ActivationFixture f(name);
  for (auto _ : state) {
    f.activation->backward(f.z, f.a, f.da, f.dz);
    benchmark::DoNotOptimize(f.dz.data());
    benchmark::ClobberMemory();
  }
  f.count(state);
}

}  // namespace

BENCHMARK_CAPTURE(BM_activation_forward, sigmoid_64x256, "sigmoid");
BENCHMARK_CAPTURE(BM_activation_backward, sigmoid_64x256, "sigmoid");
BENCHMARK_CAPTURE(BM_activation_forward, relu_64x256, "relu");
BENCHMARK_CAPTURE(BM_activation_backward, relu_64x256, "relu");
BENCHMARK_CAPTURE(BM_activation_forward, softmax_64x256, "softmax");
BENCHMARK_CAPTURE(BM_activation_backward, softmax_64x256, "softmax");
