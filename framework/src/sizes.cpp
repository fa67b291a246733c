#include "fnn/sizes.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
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

namespace {

// "512M" → 536870912; nothing for text that is not a size.
std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end == text.data()) return std::nullopt;
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  static constexpr std::string_view units = "KMGT";
  int shift = 0;
  if (suffix.size() == 1 && units.find(suffix[0]) != std::string_view::npos) {
    shift = 10 * (static_cast<int>(units.find(suffix[0])) + 1);
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (shift > 0 && value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

// The v2 memory.max of this process's cgroup ("0::/path" in /proc/self/cgroup); nothing when
// there is none or it says "max".
std::optional<std::uint64_t> cgroup_memory_max() {
  std::ifstream groups("/proc/self/cgroup");
  for (std::string line; std::getline(groups, line);) {
    if (!line.starts_with("0::")) continue;
    std::ifstream max_file("/sys/fs/cgroup" + line.substr(3) + "/memory.max");
    std::string text;
    if (max_file >> text) return parse_size(text);
  }
  return std::nullopt;
}

MemoryLimit find_memory_limit() {
  MemoryLimit limit{physical_memory(), "this machine has"};
  if (const auto group = cgroup_memory_max(); group && *group < limit.bytes) {
    limit = {*group, "its cgroup allows"};
  }
  if (const char* text = std::getenv("FNN_MEMORY_LIMIT"); text != nullptr && *text != '\0') {
    const auto bytes = parse_size(text);
    if (!bytes || *bytes == 0) {
      throw SpecError(std::string("FNN_MEMORY_LIMIT is '") + text +
                      "', expected a size in bytes such as 536870912, 512M or 4G");
    }
    if (*bytes < limit.bytes) limit = {*bytes, "FNN_MEMORY_LIMIT allows"};
  }
  return limit;
}

}  // namespace

const MemoryLimit& memory_limit() {
  static const MemoryLimit limit = find_memory_limit();
  return limit;
}

std::optional<std::string> memory_shortfall(double floats) {
  const double bytes = floats * static_cast<double>(sizeof(float));
  const MemoryLimit& limit = memory_limit();
  const auto available = static_cast<double>(limit.bytes);
  if (bytes <= available) return std::nullopt;
  return memory_text(bytes) + "; " + limit.source + " " + memory_text(available);
}

}  // namespace fnn
