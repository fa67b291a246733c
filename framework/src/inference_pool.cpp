#include "inference_pool.hpp"

namespace fnn::detail {

InferencePool::Lease InferencePool::acquire(std::size_t rows) {
  std::unique_ptr<InferenceBuffers> buffers;
  {
    const std::lock_guard lock(mutex_);
    if (!spare_.empty()) {
      buffers = std::move(spare_.back());
      spare_.pop_back();
    } else {
      // Room for this one's return, reserved now: giving back must not allocate (or throw).
      spare_.reserve(spare_.capacity() + 1);
      buffers = std::make_unique<InferenceBuffers>();
    }
  }
  // Grown outside the lock: other threads' predictions need not wait for the allocation.
  if (buffers->capacity < rows) {
    buffers->even = Matrix(rows, widest_);
    buffers->odd = Matrix(rows, widest_);
    buffers->capacity = rows;
  }
  return Lease(*this, std::move(buffers));
}

void InferencePool::give_back(std::unique_ptr<InferenceBuffers> buffers) noexcept {
  const std::lock_guard lock(mutex_);
  spare_.push_back(std::move(buffers));
}

}  // namespace fnn::detail
