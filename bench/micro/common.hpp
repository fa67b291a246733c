// Shared set-up of the micro-benchmarks: one plugin registry for the whole run, and random data.
#pragma once
#include <fnn/fnn.hpp>

namespace fnn_bench {

/// fnn's own plugins (and FNN_PLUGIN_PATH), loaded once.
inline const fnn::Registry& registry() {
  static const fnn::Registry instance = fnn::Registry::with_plugins();
  return instance;
}

/// rows × cols of U(low, high), from a fixed seed.
inline fnn::Matrix random_matrix(std::size_t rows, std::size_t cols, float low = -1.0F,
                                 float high = 1.0F, std::uint64_t seed = 1) {
  fnn::Matrix matrix(rows, cols);
  fnn::Rng rng(seed);
  for (float& x : matrix.values()) x = rng.uniform(low, high);
  return matrix;
}

}  // namespace fnn_bench
