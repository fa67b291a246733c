// Decides the thread model by measurement: the matrix products of one training epoch of a
// 784-256-128-10 network (60,000 samples), run three ways with the same thread budget:
//   openblas-threads  one multi-threaded OpenBLAS sgemm per product, whole batch
//   tbb-chunks        the batch cut into one chunk per thread, each chunk's products
//                     single-threaded under TBB, then the chunks' weight gradients summed
//   tbb-tiles         what fnn does (fnn::blas::gemm): each whole-batch product cut into fixed
//                     64-wide tiles along C's longer side, single-threaded tiles under TBB
//
//   fnn_bench_thread_model [threads=2] [batch=64] [repeats=5]
// prints the median seconds per epoch of each.
#include <cblas.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fnn/blas.hpp>
#include <fnn/matrix.hpp>
#include <functional>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <vector>

namespace {

using fnn::ConstMatrixView;
using fnn::MatrixView;
using fnn::blas::Op;
using Gemm = std::function<void(Op, Op, ConstMatrixView, ConstMatrixView, MatrixView)>;

struct Shape {
  std::size_t inputs, outputs;
};
constexpr std::array<Shape, 3> layers{{{784, 256}, {256, 128}, {128, 10}}};
constexpr std::size_t epoch_samples = 60000;

void openblas(Op op_a, Op op_b, ConstMatrixView a, ConstMatrixView b, MatrixView c) {
  const auto t = [](Op op) { return op == Op::none ? CblasNoTrans : CblasTrans; };
  const std::size_t k = op_a == Op::none ? a.cols() : a.rows();
  cblas_sgemm(CblasRowMajor, t(op_a), t(op_b), static_cast<int>(c.rows()),
              static_cast<int>(c.cols()), static_cast<int>(k), 1.0F, a.data(),
              static_cast<int>(a.stride()), b.data(), static_cast<int>(b.stride()), 0.0F,
              c.data(), static_cast<int>(c.stride()));
}

void tiled(Op op_a, Op op_b, ConstMatrixView a, ConstMatrixView b, MatrixView c) {
  fnn::blas::gemm(op_a, op_b, 1.0F, a, b, 0.0F, c);
}

// The buffers of a forward and backward pass over `rows` samples; values do not matter.
struct Pass {
  fnn::Matrix inputs;
  std::array<fnn::Matrix, 3> weights, gradients, outputs, deltas;
  explicit Pass(std::size_t rows) : inputs(rows, 784) {
    for (std::size_t i = 0; i < layers.size(); ++i) {
      weights[i] = fnn::Matrix(layers[i].inputs, layers[i].outputs);
      gradients[i] = fnn::Matrix(layers[i].inputs, layers[i].outputs);
      outputs[i] = fnn::Matrix(rows, layers[i].outputs);
      deltas[i] = fnn::Matrix(rows, layers[i].outputs);
    }
  }
  // The 8 products of one batch for rows first..first+count: forward, weight gradients, and
  // input gradients of layers 2 and 3.
  void products(const Gemm& gemm, std::size_t first, std::size_t count,
                std::array<fnn::Matrix, 3>& weight_gradients) {
    const auto rows = [&](fnn::Matrix& m) { return m.view().row_block(first, count); };
    ConstMatrixView in = rows(inputs);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      gemm(Op::none, Op::none, in, weights[i].view(), rows(outputs[i]));
      in = rows(outputs[i]);
    }
    for (std::size_t i = layers.size(); i-- > 0;) {
      const ConstMatrixView layer_input = i == 0 ? rows(inputs) : rows(outputs[i - 1]);
      gemm(Op::transpose, Op::none, layer_input, rows(deltas[i]), weight_gradients[i].view());
      if (i > 0) gemm(Op::none, Op::transpose, rows(deltas[i]), weights[i].view(),
                      rows(deltas[i - 1]));
    }
  }
};

template <class Batch>
double median_epoch(std::size_t batch, int repeats, Batch&& run_batch) {
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t b = 0; b < epoch_samples / batch; ++b) run_batch();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const std::size_t batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  Pass pass(batch);
  std::array<fnn::Matrix, 3> chunk_gradients = pass.gradients;

  openblas_set_num_threads(threads);
  const double threaded = median_epoch(batch, repeats, [&] {
    pass.products(openblas, 0, batch, pass.gradients);
  });
  openblas_set_num_threads(1);
  const std::size_t chunk = (batch + threads - 1) / threads;
  const double chunks = median_epoch(batch, repeats, [&] {
    arena.execute([&] {
      tbb::parallel_for(0, threads, [&](int c) {
        const std::size_t first = static_cast<std::size_t>(c) * chunk;
        if (first >= batch) return;
        pass.products(openblas, first, std::min(chunk, batch - first),
                      c == 0 ? pass.gradients : chunk_gradients);
      });
      if (threads == 1) return;
      tbb::parallel_for(std::size_t{0}, layers.size(), [&](std::size_t i) {
        std::span<float> total = pass.gradients[i].values();
        const std::span<const float> part = chunk_gradients[i].values();
        for (std::size_t j = 0; j < total.size(); ++j) total[j] += part[j];
      });
    });
  });
  const double tiles = median_epoch(batch, repeats, [&] {
    arena.execute([&] { pass.products(tiled, 0, batch, pass.gradients); });
  });
  std::printf("threads=%d batch=%zu, median s per 60k-sample epoch of products: "
              "openblas-threads %.3f  tbb-chunks %.3f  tbb-tiles %.3f\n",
              threads, batch, threaded, chunks, tiles);
}
