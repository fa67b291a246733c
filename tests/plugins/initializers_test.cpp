#include <algorithm>
#include <cmath>

#include "support/test_support.hpp"

namespace {
std::vector<float> draw(const char* name, std::size_t fan_in, std::size_t fan_out,
                        std::uint64_t seed) {
  std::vector<float> weights(fan_in * fan_out);
  fnn::Rng rng(seed);
  fnn::test::plugins().make_initializer(name)->fill(weights, fan_in, fan_out, rng);
  return weights;
}
}  // namespace

TEST_CASE("glorot_uniform draws from ±sqrt(6 / (fan_in + fan_out))", "[glorot_uniform]") {
  const std::vector<float> weights = draw("glorot_uniform", 100, 50, 1);
  const float limit = std::sqrt(6.0F / 150.0F);
  const auto [low, high] = std::minmax_element(weights.begin(), weights.end());
  CHECK(*low >= -limit);
  CHECK(*high <= limit);
  CHECK(*low < -0.9F * limit);  // the whole range is used
  CHECK(*high > 0.9F * limit);
  CHECK(weights == draw("glorot_uniform", 100, 50, 1));
  CHECK(weights != draw("glorot_uniform", 100, 50, 2));
}

TEST_CASE("uniform01 draws from 0 (inclusive) to 1 (exclusive), as the article does", "[uniform01]") {
  const std::vector<float> weights = draw("uniform01", 30, 30, 4);
  const auto [low, high] = std::minmax_element(weights.begin(), weights.end());
  CHECK(*low >= 0.0F);
  CHECK(*high < 1.0F);
  CHECK(*low < 0.05F);
  CHECK(*high > 0.95F);
}
