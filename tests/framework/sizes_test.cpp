// The overflow-checked size arithmetic and the physical-memory check (fnn/sizes.hpp).
#include <cmath>
#include <fnn/sizes.hpp>
#include <limits>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using fnn::test::error_message;

namespace {
constexpr std::size_t largest = std::numeric_limits<std::size_t>::max();
}  // namespace

TEST_CASE("checked_multiply and checked_add give the exact result or name what overflowed",
          "[sizes]") {
  CHECK(fnn::checked_multiply(0, largest, "x") == 0);
  CHECK(fnn::checked_multiply(largest, 1, "x") == largest);
  CHECK(fnn::checked_multiply(std::size_t{1} << 31, std::size_t{1} << 32, "x") == std::size_t{1}
                                                                                      << 63);
  CHECK(fnn::checked_add(largest - 1, 1, "x") == largest);

  CHECK(error_message([] {
          (void)fnn::checked_multiply(4, (std::size_t{1} << 62) + 1, "the matrix size");
        }) ==
        "the matrix size is too large: 4 × 4611686018427387905 is more than 18446744073709551615");
  CHECK(error_message([] { (void)fnn::checked_add(largest, 1, "the parameter count"); }) ==
        "the parameter count is too large: 18446744073709551615 + 1 is more than "
        "18446744073709551615");
  CHECK_THROWS_AS(fnn::checked_multiply(std::size_t{1} << 32, std::size_t{1} << 32, "x"),
                  fnn::SpecError);
}

TEST_CASE("memory_shortfall measures against the machine's physical memory", "[sizes]") {
  const std::uint64_t memory = fnn::physical_memory();
  REQUIRE(memory > 0);
  const double memory_floats = static_cast<double>(memory) / sizeof(float);
  CHECK_FALSE(fnn::memory_shortfall(0.0));
  CHECK_FALSE(fnn::memory_shortfall(memory_floats));
  // 2^62 floats, 16 EiB: more than any machine, and a count whose bytes no integer holds.
  const auto shortfall = fnn::memory_shortfall(std::ldexp(1.0, 62));
  REQUIRE(shortfall);
  CHECK_THAT(*shortfall, StartsWith("16.0 EiB; this machine has ") && Contains(" GiB"));
  const auto double_the_memory = fnn::memory_shortfall(2 * memory_floats);
  REQUIRE(double_the_memory);
  CHECK_THAT(*double_the_memory, Contains("; this machine has "));
}
