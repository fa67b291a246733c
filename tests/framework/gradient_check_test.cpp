#include <cmath>
#include <fnn/elementwise_activation.hpp>

#include "support/test_support.hpp"

namespace {

// tanh with a derivative that is wrong by a factor of two: the checker must catch it.
struct WrongTanh {
  static float value(float z) { return std::tanh(z); }
  static float derivative(float /*z*/, float a) { return 2.0F * (1.0F - a * a); }
};
struct RightTanh {
  static float value(float z) { return std::tanh(z); }
  static float derivative(float /*z*/, float a) { return 1.0F - a * a; }
};
// |z|: a kink at 0 that finite differences cannot cross.
struct Absolute {
  static float value(float z) { return std::abs(z); }
  static float derivative(float z, float /*a*/) { return z < 0 ? -1.0F : 1.0F; }
};

}  // namespace

TEST_CASE("the gradient checker accepts a right derivative", "[gradient_check]") {
  REQUIRE_GRADIENT_OK(fnn::check_activation(fnn::ElementwiseActivation<RightTanh>(), 4, 5));
}

TEST_CASE("the gradient checker rejects a wrong derivative", "[gradient_check]") {
  const fnn::GradientCheckResult result =
      fnn::check_activation(fnn::ElementwiseActivation<WrongTanh>(), 4, 5);
  CHECK_FALSE(result.passed);
  CHECK(result.max_relative_error > 0.3);
  CHECK_THAT(result.worst, Catch::Matchers::Contains("analytic"));
}

TEST_CASE("the gradient checker skips coordinates near a kink when asked", "[gradient_check]") {
  fnn::GradientCheckOptions options;
  options.kink_margin = 0.05;
  const fnn::GradientCheckResult result =
      fnn::check_activation(fnn::ElementwiseActivation<Absolute>(), 20, 20, options);
  CHECK(result.passed);
  CHECK(result.skipped > 0);
  CHECK(result.checked + result.skipped == 400);
}

TEST_CASE("the generic check compares against central differences", "[gradient_check]") {
  std::vector<float> x{0.5F, -1.0F, 2.0F};
  // f = x0² + 3·x1 + x0·x2
  const auto f = [&] {
    return static_cast<double>(x[0]) * x[0] + 3.0 * x[1] + static_cast<double>(x[0]) * x[2];
  };
  const std::vector<float> right{2 * 0.5F + 2.0F, 3.0F, 0.5F};
  CHECK(fnn::check_gradient(f, x, right, {}).passed);
  const std::vector<float> wrong{2 * 0.5F, 3.0F, 0.5F};
  const auto result = fnn::check_gradient(f, x, wrong, {});
  CHECK_FALSE(result.passed);
  CHECK_THAT(result.worst, Catch::Matchers::StartsWith("coordinate 0"));
  CHECK(x == std::vector<float>{0.5F, -1.0F, 2.0F});  // restored
}
