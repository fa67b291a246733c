#pragma once
#include <cstddef>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

class Network;

/// The per-batch memory of one forward/backward pass through a network: every layer's output and
/// the gradients flowing back, for up to `capacity` samples. One workspace per concurrent task;
/// made once and reused, so the training loop allocates nothing.
class FNN_API Workspace {
 public:
  Workspace(const Network& network, std::size_t capacity);
  std::size_t capacity() const noexcept { return capacity_; }
  /// The floats a workspace holds per sample of capacity, as a double (no count can wrap): for
  /// checking that a workspace fits in memory before making it.
  static double floats_per_sample(const Network& network);

 private:
  friend class Network;
  std::size_t capacity_;
  std::vector<Matrix> outputs_;  ///< outputs_[i]: output of layer i
  Matrix gradient_a_;            ///< ∂L/∂(layer output), ping-pong pair of the widest layer
  Matrix gradient_b_;
};

}  // namespace fnn
