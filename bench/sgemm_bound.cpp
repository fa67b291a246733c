// The sgemm-only bound of one training epoch: the time OpenBLAS alone needs for exactly the
// matrix products that one epoch of a dense network computes, with nothing else (no activations,
// loss, bias, shuffle, optimizer step). A framework's epoch cannot beat it with this BLAS and
// this layout; fnn's epoch time divided by it is the overhead factor.
//
// Per batch of m rows, for layer widths n0-n1-...-nL (fnn's layout: row-major, W stored
// inputs × outputs):
//   forward          A_l = A_{l-1} · W_l                (m × n_{l-1}) · (n_{l-1} × n_l), every layer
//   backward         δ_{l-1} = δ_l · W_lᵀ              every layer but the first
//   weight gradient  G_l = A_{l-1}ᵀ · δ_l               every layer
// The last batch of the epoch is the remainder (60000 = 937·64 + 32, = 468·128 + 96).
//
//   fnn_bench_sgemm_bound [--batch 64] [--threads 2] [--samples 60000] [--repeats 5]
//                         [--layers 784,256,128,10]
// Prints a short report and one machine-readable line:
//   BOUND batch=64 threads=2 samples=60000 seconds=0.331 forward_s=... backward_s=...
//         gradient_s=... gflops=...
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int batch = 64;
  int threads = 2;
  int samples = 60000;
  int repeats = 5;
  std::vector<int> layers{784, 256, 128, 10};
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "fnn_bench_sgemm_bound: %s\nusage: fnn_bench_sgemm_bound [--batch N] [--threads N] "
               "[--samples N] [--repeats N] [--layers W0,W1,...]\n",
               message);
  std::exit(2);
}

int positive(const char* text) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 1 || value > 100000000) usage("expected a positive integer");
  return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("the sgemm-only time of one training epoch");
    if (i + 1 >= argc) usage(("missing value after " + flag).c_str());
    const char* value = argv[++i];
    if (flag == "--batch") {
      options.batch = positive(value);
    } else if (flag == "--threads") {
      options.threads = positive(value);
    } else if (flag == "--samples") {
      options.samples = positive(value);
    } else if (flag == "--repeats") {
      options.repeats = positive(value);
    } else if (flag == "--layers") {
      options.layers.clear();
      std::string text = value;
      for (std::size_t start = 0; start <= text.size();) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        options.layers.push_back(positive(text.substr(start, comma - start).c_str()));
        start = comma + 1;
      }
      if (options.layers.size() < 2) usage("--layers needs at least two widths");
    } else {
      usage(("unknown option " + flag).c_str());
    }
  }
  return options;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// C (m × n) = op(A) · op(B), row-major, leading dimensions of the stored matrices.
void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, const float* a, const float* b,
          float* c) {
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0F, a, transpose_a ? m : k, b,
              transpose_b ? k : n, 0.0F, c, n);
}

struct Times {
  double forward = 0, backward = 0, gradient = 0;
  double total() const { return forward + backward + gradient; }
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  openblas_set_num_threads(options.threads);
  const std::vector<int>& widths = options.layers;
  const std::size_t layers = widths.size() - 1;
  const int m_max = options.batch;

  // Random operands: the values do not matter to sgemm's speed, only that they are finite.
  std::mt19937 engine(1);
  std::uniform_real_distribution<float> uniform(-0.1F, 0.1F);
  const auto filled = [&](std::size_t count) {
    std::vector<float> values(count);
    for (float& v : values) v = uniform(engine);
    return values;
  };
  std::vector<std::vector<float>> weights, weight_gradients, activations, deltas;
  activations.push_back(filled(static_cast<std::size_t>(m_max) * widths[0]));
  for (std::size_t l = 1; l <= layers; ++l) {
    weights.push_back(filled(static_cast<std::size_t>(widths[l - 1]) * widths[l]));
    weight_gradients.emplace_back(static_cast<std::size_t>(widths[l - 1]) * widths[l]);
    activations.push_back(filled(static_cast<std::size_t>(m_max) * widths[l]));
  }
  for (std::size_t l = 0; l <= layers; ++l) {
    deltas.push_back(filled(static_cast<std::size_t>(m_max) * widths[l]));
  }

  double flops_per_epoch = 0;
  const auto epoch = [&](Times& times) {
    for (int first = 0; first < options.samples; first += m_max) {
      const int m = std::min(m_max, options.samples - first);
      auto t0 = Clock::now();
      for (std::size_t l = 1; l <= layers; ++l) {
        gemm(false, false, m, widths[l], widths[l - 1], activations[l - 1].data(),
             weights[l - 1].data(), activations[l].data());
      }
      auto t1 = Clock::now();
      for (std::size_t l = layers; l >= 2; --l) {
        gemm(false, true, m, widths[l - 1], widths[l], deltas[l].data(), weights[l - 1].data(),
             deltas[l - 1].data());
      }
      auto t2 = Clock::now();
      for (std::size_t l = 1; l <= layers; ++l) {
        gemm(true, false, widths[l - 1], widths[l], m, activations[l - 1].data(),
             deltas[l].data(), weight_gradients[l - 1].data());
      }
      auto t3 = Clock::now();
      times.forward += std::chrono::duration<double>(t1 - t0).count();
      times.backward += std::chrono::duration<double>(t2 - t1).count();
      times.gradient += std::chrono::duration<double>(t3 - t2).count();
    }
  };
  for (std::size_t l = 1; l <= layers; ++l) {
    const double product = 2.0 * widths[l - 1] * widths[l] * options.samples;
    flops_per_epoch += product * (l >= 2 ? 3 : 2);
  }

  Times warm_up;
  epoch(warm_up);
  std::vector<double> totals, forwards, backwards, gradients;
  for (int r = 0; r < options.repeats; ++r) {
    Times times;
    const auto start = Clock::now();
    epoch(times);
    totals.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    forwards.push_back(times.forward);
    backwards.push_back(times.backward);
    gradients.push_back(times.gradient);
  }
  const double seconds = median(totals);
  std::string shape;
  for (const int w : widths) {
    if (!shape.empty()) shape += '-';
    shape += std::to_string(w);
  }
  std::printf("sgemm-only epoch, %s, batch %d, %d samples, %d OpenBLAS threads, median of %d:\n",
              shape.c_str(), options.batch, options.samples, options.threads, options.repeats);
  std::printf("  %.4f s (forward %.4f, backward %.4f, weight gradient %.4f), %.1f GFLOP/s\n",
              seconds, median(forwards), median(backwards), median(gradients),
              flops_per_epoch / seconds * 1e-9);
  std::printf("  %s, core %s\n", openblas_get_config(), openblas_get_corename());
  std::printf("BOUND batch=%d threads=%d samples=%d seconds=%.4f forward_s=%.4f backward_s=%.4f "
              "gradient_s=%.4f gflops=%.2f\n",
              options.batch, options.threads, options.samples, seconds, median(forwards),
              median(backwards), median(gradients), flops_per_epoch / seconds * 1e-9);
  return 0;
}
