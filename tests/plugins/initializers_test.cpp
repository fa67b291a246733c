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

// Mean and variance of the draws, in double.
std::pair<double, double> moments(const std::vector<float>& values) {
  double sum = 0.0;
  for (const float value : values) sum += value;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (const float value : values) squares += (value - mean) * (value - mean);
  return {mean, squares / static_cast<double>(values.size())};
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

TEST_CASE("he_uniform draws from ±sqrt(6 / fan_in)", "[he_uniform]") {
  const std::vector<float> weights = draw("he_uniform", 60, 200, 1);
  const float limit = std::sqrt(6.0F / 60.0F);
  const auto [low, high] = std::minmax_element(weights.begin(), weights.end());
  CHECK(*low >= -limit);
  CHECK(*high <= limit);
  CHECK(*low < -0.9F * limit);
  CHECK(*high > 0.9F * limit);
  // U(−l, l) has variance l²/3 = 2 / fan_in
  CHECK(moments(weights).second == Approx(2.0 / 60).epsilon(0.05));
  CHECK(weights == draw("he_uniform", 60, 200, 1));
}

TEST_CASE("he_normal and glorot_normal draw from N(0, 2 / fan_in) and N(0, 2 / (fan_in + fan_out))",
          "[he_normal][glorot_normal]") {
  struct Case {
    const char* name;
    std::size_t fan_in;
    std::size_t fan_out;
    double variance;
  };
  for (const Case& c :
       {Case{"he_normal", 50, 400, 2.0 / 50}, Case{"glorot_normal", 100, 200, 2.0 / 300}}) {
    INFO(c.name);
    const std::vector<float> weights = draw(c.name, c.fan_in, c.fan_out, 2);
    const auto [mean, variance] = moments(weights);
    // 20,000 draws: the mean within 4 standard errors of 0, the variance within 5%.
    CHECK(std::abs(mean) < 4.0 * std::sqrt(c.variance / 20000.0));
    CHECK(variance == Approx(c.variance).epsilon(0.05));
    CHECK(weights == draw(c.name, c.fan_in, c.fan_out, 2));
    CHECK(weights != draw(c.name, c.fan_in, c.fan_out, 3));
  }
}
