#include "support/test_support.hpp"

TEST_CASE("mse is 1/(2m) Σ ‖ŷ − y‖²", "[mse]") {
  const auto mse = fnn::test::plugins().make_loss("mse");
  const fnn::Matrix prediction{{1, 2}, {0, 0}};
  const fnn::Matrix target{{0, 0}, {0, 3}};
  // ‖(1,2)‖² + ‖(0,-3)‖² = 5 + 9 = 14; halved: 7; over m = 2 samples: 3.5
  CHECK(mse->sum(prediction, target) == 7.0);
  CHECK(mse->mean(prediction, target) == 3.5);
  fnn::Matrix gradient(2, 2);
  mse->gradient(prediction, target, gradient);
  CHECK(std::vector<float>(gradient.values().begin(), gradient.values().end()) ==
        std::vector<float>{1, 2, 0, -3});
}

TEST_CASE("mse's gradient matches finite differences", "[mse][gradient]") {
  const auto mse = fnn::test::plugins().make_loss("mse");
  REQUIRE_GRADIENT_OK(fnn::check_loss(*mse, 5, 3, -1.0F, 1.0F));
}
