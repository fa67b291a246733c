// The dense layer's three GEMM-backed calls, through the plugin loaded by the registry, at the
// shapes of the 784-256-128-10 network with 64 and 128 rows (the batch sizes of configs A and B),
// on a TBB arena of 1 and 2 threads (fnn::blas::gemm cuts the larger products into tiles).
//
// Arguments: rows, inputs, outputs, threads. Counters: samples/s (items_per_second)
// and FLOP/s of the one product (2 · rows · inputs · outputs per call).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <tbb/task_arena.h>
#include <vector>

#include "common.hpp"

namespace {

struct DenseFixture {
  std::size_t rows, inputs, outputs;
  std::shared_ptr<fnn::Layer> layer;
  std::vector<float> parameters, parameter_gradient;
  fnn::Matrix input, output, output_gradient, input_gradient;
  tbb::task_arena arena;

  explicit DenseFixture(const benchmark::State& state)
      : rows(static_cast<std::size_t>(state.range(0))),
        inputs(static_cast<std::size_t>(state.range(1))),
        outputs(static_cast<std::size_t>(state.range(2))),
        layer(fnn_bench::registry().make_layer("dense", {{"units", std::to_string(outputs)}})),
        input(fnn_bench::random_matrix(rows, inputs, 0.0F, 1.0F, 2)),
        output(rows, outputs),
        output_gradient(fnn_bench::random_matrix(rows, outputs, -0.1F, 0.1F, 3)),
        input_gradient(rows, inputs),
        arena(static_cast<int>(state.range(3))) {
    layer->setup(inputs);
    parameters.resize(layer->parameter_count());
    parameter_gradient.resize(layer->parameter_count());
    layer->bind(parameters);
    fnn::Rng rng(4);
    layer->reset_parameters(*fnn_bench::registry().make_initializer("glorot_uniform"), rng);
  }

  void count(benchmark::State& state) const {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
    state.counters["FLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(rows * inputs * outputs),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  }
};

const fnn::PassContext training{.training = true, .seed = 1, .first_row = 0};

void BM_dense_forward(benchmark::State& state) {
  DenseFixture f(state);
  for (auto _ : state) {
    f.arena.execute([&] { f.layer->forward(f.input, f.output, training); });
    benchmark::DoNotOptimize(f.output.data());
    benchmark::ClobberMemory();
  }
  f.count(state);
}

void BM_dense_backward(benchmark::State& state) {
  DenseFixture f(state);
  f.layer->forward(f.input, f.output, training);
  for (auto _ : state) {
    f.arena.execute([&] {
      f.layer->backward(f.input, f.output, f.output_gradient, f.input_gradient, training);
    });
    benchmark::DoNotOptimize(f.input_gradient.data());
    benchmark::ClobberMemory();
  }
  f.count(state);
}

void BM_dense_gradient(benchmark::State& state) {
  DenseFixture f(state);
  for (auto _ : state) {
    f.arena.execute([&] { f.layer->gradient(f.input, f.output_gradient, f.parameter_gradient); });
    benchmark::DoNotOptimize(f.parameter_gradient.data());
    benchmark::ClobberMemory();
  }
  f.count(state);
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"rows", "in", "out", "threads"});
  for (const std::int64_t threads : {1, 2}) {
    for (const std::int64_t rows : {64, 128}) {
      for (const auto& [in, out] : {std::pair<std::int64_t, std::int64_t>{784, 256}, {256, 128}, {128, 10}}) {
        b->Args({rows, in, out, threads});
      }
    }
  }
  b->UseRealTime();  // with 2 threads, CPU time of the calling thread says little
}

}  // namespace

BENCHMARK(BM_dense_forward)->Apply(shapes);
BENCHMARK(BM_dense_backward)->Apply(shapes);
BENCHMARK(BM_dense_gradient)->Apply(shapes);
