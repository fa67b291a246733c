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

double Workspace::floats_per_sample(const Network& network) {
  std::size_t widest = network.input_size();
  double floats = 0.0;
  for (std::size_t i = 0; i < network.layer_count(); ++i) {
    floats += static_cast<double>(network.layer(i).output_size());
    widest = std::max(widest, network.layer(i).output_size());
  }
  return floats + 2.0 * static_cast<double>(widest);  // the two gradient buffers
}

}  // namespace fnn
