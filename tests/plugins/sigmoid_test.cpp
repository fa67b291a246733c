#include <cmath>

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
