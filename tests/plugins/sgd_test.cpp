#include "support/test_support.hpp"

TEST_CASE("sgd steps against the gradient by the learning rate", "[sgd]") {
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.5"}});
  std::vector<float> parameters{1, 2, 3};
  const std::vector<float> gradient{2, -2, 0};
  sgd->setup(parameters.size());
  sgd->step(parameters, gradient);
  CHECK(parameters == std::vector<float>{0, 3, 3});
  CHECK(sgd->state().empty());
}

TEST_CASE("sgd refuses a learning rate that is not positive", "[sgd]") {
  CHECK(fnn::test::error_message([] {
          fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "-1"}});
        }) == "optimizer 'sgd': option 'learning_rate' must be positive, is -1");
}
