#pragma once
// Sizes computed from input (option values, file headers, model metadata, labels) go through these
// checks, so that no count wraps around and nothing is allocated that cannot fit in memory.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fnn/export.hpp"

namespace fnn {

namespace detail {
/// Throws SpecError "<what> is too large: a × b is more than 18446744073709551615".
[[noreturn]] FNN_API void throw_size_overflow(std::string_view what, std::size_t a,
                                              std::string_view operation, std::size_t b);
}  // namespace detail

/// a × b. Throws SpecError naming `what` ("its weight count (inputs × units)") and both operands
/// when the product does not fit in std::size_t.
inline std::size_t checked_multiply(std::size_t a, std::size_t b, std::string_view what) {
  std::size_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) detail::throw_size_overflow(what, a, " × ", b);
  return product;
}

/// a + b, checked like `checked_multiply`.
inline std::size_t checked_add(std::size_t a, std::size_t b, std::string_view what) {
  std::size_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) detail::throw_size_overflow(what, a, " + ", b);
  return sum;
}

/// The machine's physical memory in bytes (sysconf), which no allocation can exceed.
FNN_API std::uint64_t physical_memory();

/// What fnn lets one process allocate, and why: the physical memory, or less where the
/// process's cgroup (v2 `memory.max`) or the environment variable FNN_MEMORY_LIMIT (bytes, or
/// with a K, M, G or T suffix: "512M") sets a lower limit. Read once; SpecError for an
/// FNN_MEMORY_LIMIT that is not such a size.
struct MemoryLimit {
  std::uint64_t bytes = 0;
  std::string source;  ///< "this machine has", "FNN_MEMORY_LIMIT allows", "the cgroup allows"
};
FNN_API const MemoryLimit& memory_limit();

/// Nothing when `floats` floats fit in the memory limit; otherwise the need and the limit as
/// text, "37.3 GiB; this machine has 23.5 GiB", for the caller to throw with what needs it:
/// `throw SpecError("the network needs " + *shortfall)`. The count is a double, so that one whose
/// integer product would wrap (4 × 2^62 floats) is measured like any other.
FNN_API std::optional<std::string> memory_shortfall(double floats);

}  // namespace fnn
