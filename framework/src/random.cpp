#include "fnn/random.hpp"

#include <cmath>
#include <cstring>
#include <numbers>
#include <sstream>

#include "fnn/error.hpp"

namespace fnn {

float Rng::uniform(float low, float high) {
  // The top 24 bits give a float in [0, 1) exactly; scaling happens in double to keep it < 1.
  const double unit = static_cast<double>(next() >> 40) * 0x1.0p-24;
  return static_cast<float>(low + (static_cast<double>(high) - low) * unit);
}

float Rng::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // 53-bit uniforms; u1 in (0, 1] so that log(u1) is finite.
  const double u1 = static_cast<double>((next() >> 11) + 1) * 0x1.0p-53;
  const double u2 = static_cast<double>(next() >> 11) * 0x1.0p-53;
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_normal_ = static_cast<float>(radius * std::sin(angle));
  has_spare_normal_ = true;
  return static_cast<float>(radius * std::cos(angle));
}

std::size_t Rng::below(std::size_t n) {
  // Rejection sampling: draws in the incomplete top block would favour small values.
  const std::uint64_t bound = static_cast<std::uint64_t>(n);
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t draw = next();
  while (draw >= limit) draw = next();
  return static_cast<std::size_t>(draw % bound);
}

std::string Rng::state() const {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  std::uint32_t spare_bits = 0;
  std::memcpy(&spare_bits, &spare_normal_, sizeof spare_bits);  // exact, unlike a decimal
  out << engine_ << ' ' << (has_spare_normal_ ? 1 : 0) << ' ' << spare_bits;
  return out.str();
}

void Rng::restore(const std::string& state) {
  std::istringstream in(state);
  in.imbue(std::locale::classic());
  std::mt19937_64 engine;
  int has_spare = 0;
  std::uint32_t spare_bits = 0;
  in >> engine >> has_spare >> spare_bits;
  if (!in || (has_spare != 0 && has_spare != 1) || !(in >> std::ws).eof()) {
    throw DataError("the random generator state is malformed");
  }
  engine_ = engine;
  has_spare_normal_ = has_spare == 1;
  std::memcpy(&spare_normal_, &spare_bits, sizeof spare_bits);
}

}  // namespace fnn
