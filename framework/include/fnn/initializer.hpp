#pragma once
#include <cstddef>
#include <span>

#include "fnn/export.hpp"
#include "fnn/random.hpp"

namespace fnn {

/// Fills a weight matrix with starting values. Layers call it for their weights (biases start at
/// zero); `fan_in` and `fan_out` are the matrix's input and output widths.
class FNN_API Initializer {
 public:
  virtual ~Initializer();
  virtual void fill(std::span<float> weights, std::size_t fan_in, std::size_t fan_out,
                    Rng& rng) const = 0;
};

}  // namespace fnn
