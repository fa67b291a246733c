#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "fnn/matrix.hpp"

namespace fnn::detail {

/// The memory of one inference pass: two buffers that the hidden layers' outputs take turns in
/// (layer i writes one and reads the other), each `capacity` rows of the widest hidden layer.
struct InferenceBuffers {
  std::size_t capacity = 0;
  Matrix even;
  Matrix odd;
};

/// A network's spare InferenceBuffers, one per prediction running at that moment: a call takes
/// one (or makes one when none is spare) and gives it back when it ends. After the busiest moment
/// has been seen once, predictions allocate nothing; the memory goes with the network.
class InferencePool {
 public:
  explicit InferencePool(std::size_t widest) : widest_(widest) {}

  /// Buffers held for the lifetime of the lease, then given back to the pool.
  class Lease {
   public:
    Lease(InferencePool& pool, std::unique_ptr<InferenceBuffers> buffers)
        : pool_(pool), buffers_(std::move(buffers)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.give_back(std::move(buffers_)); }
    InferenceBuffers& buffers() const noexcept { return *buffers_; }

   private:
    InferencePool& pool_;
    std::unique_ptr<InferenceBuffers> buffers_;
  };

  /// Buffers for passes of up to `rows` rows.
  Lease acquire(std::size_t rows);

 private:
  void give_back(std::unique_ptr<InferenceBuffers> buffers) noexcept;

  std::size_t widest_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<InferenceBuffers>> spare_;  // capacity: every one ever made
};

}  // namespace fnn::detail
