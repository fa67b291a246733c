#pragma once
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// The one random source of fnn: a 64-bit Mersenne Twister plus distributions written out here,
/// so that a seed gives the same numbers with every compiler and standard library (the std
/// distributions are allowed to differ between implementations).
class FNN_API Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  /// Uniform in [low, high), 24 random bits: every float step of the unit interval is reachable.
  float uniform(float low, float high);
  /// Standard normal (Box–Muller; both values of a pair are used).
  float normal();
  /// Uniform integer in [0, n), without modulo bias. Requires n > 0.
  std::size_t below(std::size_t n);

  /// The whole state as portable text, and back: a restored generator continues the sequence
  /// exactly (for checkpoints). `restore` throws DataError on text `state` did not write.
  std::string state() const;
  void restore(const std::string& state);

 private:
  std::mt19937_64 engine_;
  float spare_normal_ = 0.0F;
  bool has_spare_normal_ = false;
};

}  // namespace fnn
