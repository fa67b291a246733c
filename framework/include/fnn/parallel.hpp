#pragma once
#include <cstddef>
#include <type_traits>

#include "fnn/export.hpp"

namespace fnn {

namespace detail {
using BlockCall = void (*)(void* body, std::size_t begin, std::size_t end);
FNN_API void run_blocks(std::size_t count, std::size_t block, void* body, BlockCall call);
using TaskCall = void (*)(void* task);
FNN_API void run_both(void* first, TaskCall call_first, void* second, TaskCall call_second);

template <class Callable>
void* erase(Callable& callable) {
  return const_cast<void*>(static_cast<const void*>(&callable));
}
}  // namespace detail

/// Calls `body(begin, end)` for the blocks [0, block), [block, 2·block), ... covering [0, count),
/// in parallel on the caller's TBB arena (inside training: the trainer's, with its thread count).
/// The blocks depend on `count` and `block` only, never on the threads, so work that is
/// deterministic per block stays deterministic. Small counts run inline; nothing is allocated.
///
///     fnn::parallel_blocks(values.size(), 16384, [&](std::size_t begin, std::size_t end) {
///       for (std::size_t i = begin; i < end; ++i) values[i] *= 2.0F;
///     });
template <class Body>
void parallel_blocks(std::size_t count, std::size_t block, Body&& body) {
  if (count <= block) {
    if (count > 0) body(std::size_t{0}, count);
    return;
  }
  using Callable = std::remove_reference_t<Body>;
  detail::run_blocks(count, block, detail::erase(body),
                     [](void* callable, std::size_t begin, std::size_t end) {
                       (*static_cast<Callable*>(callable))(begin, end);
                     });
}

/// Calls `first()` and `second()`, possibly at the same time on the caller's TBB arena, and
/// returns when both have; for two pieces of work that touch no common output.
template <class First, class Second>
void run_side_by_side(First&& first, Second&& second) {
  using FirstCallable = std::remove_reference_t<First>;
  using SecondCallable = std::remove_reference_t<Second>;
  detail::run_both(
      detail::erase(first), [](void* task) { (*static_cast<FirstCallable*>(task))(); },
      detail::erase(second), [](void* task) { (*static_cast<SecondCallable*>(task))(); });
}

}  // namespace fnn
