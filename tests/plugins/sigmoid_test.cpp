#include <cmath>
#include <limits>

#include "support/test_support.hpp"

TEST_CASE("sigmoid is 1 / (1 + e^-z) and stays finite at the extremes", "[sigmoid]") {
  const auto sigmoid = fnn::test::plugins().make_activation("sigmoid");
  const fnn::Matrix z{{0.0F, 2.0F, -2.0F, 100.0F, -100.0F}};
  fnn::Matrix a(1, 5);
  sigmoid->forward(z, a);
  CHECK(a(0, 0) == 0.5F);
  CHECK(a(0, 1) == Approx(1.0 / (1.0 + std::exp(-2.0))).epsilon(1e-6));
  CHECK(a(0, 1) + a(0, 2) == Approx(1.0F));
  CHECK(a(0, 3) == 1.0F);
  CHECK(a(0, 4) >= 0.0F);
  CHECK(std::isfinite(a(0, 4)));
}

TEST_CASE("sigmoid's derivative matches finite differences", "[sigmoid][gradient]") {
  const auto sigmoid = fnn::test::plugins().make_activation("sigmoid");
  REQUIRE_GRADIENT_OK(fnn::check_activation(*sigmoid, 7, 9));
}

TEST_CASE("sigmoid is accurate to a few float roundings over its whole range", "[sigmoid]") {
  const auto sigmoid = fnn::test::plugins().make_activation("sigmoid");
  constexpr std::size_t count = 200001;  // z from −100 to 100 in steps of 0.001
  fnn::Matrix z(1, count);
  for (std::size_t i = 0; i < count; ++i) z(0, i) = -100.0F + 0.001F * static_cast<float>(i);
  fnn::Matrix a(1, count);
  sigmoid->forward(z, a);
  double worst = 0.0;
  double worst_tiny = 0.0;  // below the smallest normal float, where relative error is moot
  for (std::size_t i = 0; i < count; ++i) {
    const double exact = 1.0 / (1.0 + std::exp(-static_cast<double>(z(0, i))));
    const double error = std::abs(a(0, i) - exact);
    if (exact < std::numeric_limits<float>::min()) {
      worst_tiny = std::max(worst_tiny, error);
    } else {
      worst = std::max(worst, error / exact);
    }
  }
  CHECK(worst < 3e-7);  // float's own rounding is 6e-8
  CHECK(worst_tiny < 1e-37);

  const fnn::Matrix nan{{std::nanf("")}};
  fnn::Matrix out(1, 1);
  sigmoid->forward(nan, out);
  CHECK(std::isnan(out(0, 0)));  // a diverged network is not hidden behind finite outputs
}
