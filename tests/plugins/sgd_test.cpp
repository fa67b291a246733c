// sgd's plain step and its options; its momentum steps are in optimizers_test.cpp with the
// other optimizers' steps.
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

namespace {
std::shared_ptr<fnn::Optimizer> make_sgd(const fnn::Options& options) {
  return fnn::test::plugins().make_optimizer("sgd", options);
}
}  // namespace

TEST_CASE("sgd's learning rate is 0.1 unless given", "[sgd]") {
  CHECK(make_sgd({})->learning_rate() == 0.1);
}

TEST_CASE("sgd with momentum 0 is bit-identical to plain sgd", "[sgd]") {
  const auto plain = make_sgd({{"learning_rate", "0.3"}});
  const auto zero = make_sgd({{"learning_rate", "0.3"}, {"momentum", "0"}, {"weight_decay", "0"}});
  fnn::Rng rng(9);
  std::vector<float> reference(50);
  for (float& value : reference) value = rng.uniform(-1, 1);
  std::vector<float> a = reference;
  std::vector<float> b = reference;
  plain->setup(a.size());
  zero->setup(b.size());
  for (int step = 0; step < 5; ++step) {
    std::vector<float> gradient(a.size());
    for (float& value : gradient) value = rng.uniform(-1, 1);
    plain->step(a, gradient);
    zero->step(b, gradient);
    // θ ← θ − η·g in float, exactly as sgd computed it before momentum existed.
    for (std::size_t i = 0; i < reference.size(); ++i) {
      reference[i] -= static_cast<float>(0.3) * gradient[i];
    }
  }
  CHECK(a == reference);
  CHECK(b == reference);
  CHECK(zero->state().empty());
}

TEST_CASE("sgd refuses bad momentum, nesterov without momentum and negative weight decay",
          "[sgd]") {
  CHECK(fnn::test::error_message([] {
          make_sgd({{"momentum", "1"}});
        }) == "optimizer 'sgd': option 'momentum' must be in [0, 1), is 1");
  CHECK(fnn::test::error_message([] {
          make_sgd({{"nesterov", "true"}});
        }) ==
        "optimizer 'sgd': option 'nesterov' needs a momentum above 0; set option 'momentum' "
        "(e.g. momentum=0.9) or drop nesterov");
  CHECK(fnn::test::error_message([] {
          make_sgd({{"weight_decay", "-0.1"}});
        }) == "optimizer 'sgd': option 'weight_decay' must be non-negative and finite, is -0.1");
}
