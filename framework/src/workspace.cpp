#include "fnn/workspace.hpp"

#include <algorithm>

#include "fnn/network.hpp"

namespace fnn {

Workspace::Workspace(const Network& network, std::size_t capacity) : capacity_(capacity) {
  std::size_t widest = network.input_size();
  outputs_.reserve(network.layer_count());
  for (std::size_t i = 0; i < network.layer_count(); ++i) {
    const std::size_t width = network.layer(i).output_size();
    outputs_.emplace_back(capacity, width);
    widest = std::max(widest, width);
  }
  gradient_a_ = Matrix(capacity, widest);
  gradient_b_ = Matrix(capacity, widest);
}

}  // namespace fnn
