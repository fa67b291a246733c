#include "fnn/sizes.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <limits>

#include "fnn/error.hpp"

namespace fnn {

namespace {

// "37.3 GiB", in the largest binary unit that keeps the number at least 1.
std::string memory_text(double bytes) {
  static constexpr std::array units{"bytes", "KiB", "MiB", "GiB", "TiB",
                                    "PiB",   "EiB", "ZiB", "YiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < units.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[48];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

}  // namespace

void detail::throw_size_overflow(std::string_view what, std::size_t a, std::string_view operation,
                                 std::size_t b) {
  throw SpecError(std::string(what) + " is too large: " + std::to_string(a) +
                  std::string(operation) + std::to_string(b) + " is more than " +
                  std::to_string(std::numeric_limits<std::size_t>::max()));
}

std::uint64_t physical_memory() {
  static const std::uint64_t bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    // Unknown: no limit of fnn's own; the allocator still has the last word.
    if (pages <= 0 || page_size <= 0) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
  }();
  return bytes;
}

std::optional<std::string> memory_shortfall(double floats) {
  const double bytes = floats * static_cast<double>(sizeof(float));
  const auto available = static_cast<double>(physical_memory());
  if (bytes <= available) return std::nullopt;
  return memory_text(bytes) + "; this machine has " + memory_text(available);
}

}  // namespace fnn
