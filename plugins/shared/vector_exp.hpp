#pragma once
// e^x in a form the compiler vectorises: std::exp is a library call per value, which keeps a
// loop of sigmoids scalar; this is a handful of multiply-adds and integer operations, so a loop
// over a row computes 4-16 of them at once. Cody–Waite range reduction x = n·ln 2 + r,
// |r| ≤ ln 2 / 2, then Cephes' degree-6 polynomial for e^r (relative error below 2e-7, about
// 2 ulp), then 2^n built in the exponent bits.
#include <algorithm>
#include <bit>
#include <cstdint>

namespace fnn_plugins {

inline float vector_exp(float x) {
  // Inputs are clamped to where 2^n is a normal float: below −87 the result is ≈ 1.6e−38
  // instead of smaller (or 0), above 88 it is e^88 ≈ 1.7e38 instead of larger (or inf).
  // std::max(x, c) is x when x is NaN (the comparison is false), so NaN passes through.
  x = std::min(std::max(x, -87.0F), 88.0F);
  // Round x·log2(e) to the nearest integer by adding 1.5·2^23: the sum's low mantissa bits are n.
  constexpr float shifter = 12582912.0F;
  const float shifted = x * 1.44269504088896341F + shifter;
  const float n = shifted - shifter;
  const std::int32_t exponent = std::bit_cast<std::int32_t>(shifted) -
                                std::bit_cast<std::int32_t>(shifter);
  // ln 2 in two parts, the first exact in few bits, so that n·ln2_high has no rounding error.
  const float r = (x - n * 0.693359375F) - n * -2.12194440e-4F;
  float p = 1.9875691500e-4F;
  p = p * r + 1.3981999507e-3F;
  p = p * r + 8.3334519073e-3F;
  p = p * r + 4.1665795894e-2F;
  p = p * r + 1.6666665459e-1F;
  p = p * r + 5.0000001201e-1F;
  const float e_r = p * r * r + r + 1.0F;
  return e_r * std::bit_cast<float>((exponent + 127) << 23);
}

}  // namespace fnn_plugins
