// The optimizers' first two steps worked by hand (sgd with momentum, Nesterov and weight decay,
// adam, rmsprop), adam's state that resumes exactly, and the messages for bad options.
#include <cmath>

#include "support/test_support.hpp"

namespace {

std::shared_ptr<fnn::Optimizer> optimizer(const char* name, const fnn::Options& options = {}) {
  return fnn::test::plugins().make_optimizer(name, options);
}

// Two steps on the single parameter 1 with gradients g1 then g2: the parameter after each.
std::pair<float, float> two_steps(fnn::Optimizer& o, float g1, float g2) {
  std::vector<float> parameter{1.0F};
  o.setup(1);
  o.step(parameter, std::vector<float>{g1});
  const float first = parameter[0];
  o.step(parameter, std::vector<float>{g2});
  return {first, parameter[0]};
}

}  // namespace

TEST_CASE("sgd momentum accumulates a velocity v = mu v + g", "[sgd]") {
  const auto heavy = optimizer("sgd", {{"learning_rate", "0.1"}, {"momentum", "0.9"}});
  // step 1: v = 2, θ = 1 − 0.1·2 = 0.8; step 2: v = 0.9·2 + 1 = 2.8, θ = 0.8 − 0.28 = 0.52
  const auto [first, second] = two_steps(*heavy, 2.0F, 1.0F);
  CHECK(first == Approx(0.8).epsilon(1e-6));
  CHECK(second == Approx(0.52).epsilon(1e-6));
  REQUIRE(heavy->state().size() == 1);
  CHECK(heavy->state()[0] == Approx(2.8).epsilon(1e-6));
}

TEST_CASE("sgd nesterov steps by g + mu v", "[sgd]") {
  const auto nesterov =
      optimizer("sgd", {{"learning_rate", "0.1"}, {"momentum", "0.9"}, {"nesterov", "true"}});
  // step 1: v = 2, step 2 + 0.9·2 = 3.8, θ = 1 − 0.38 = 0.62
  // step 2: v = 0.9·2 + 1 = 2.8, step 1 + 0.9·2.8 = 3.52, θ = 0.62 − 0.352 = 0.268
  const auto [first, second] = two_steps(*nesterov, 2.0F, 1.0F);
  CHECK(first == Approx(0.62).epsilon(1e-6));
  CHECK(second == Approx(0.268).epsilon(1e-6));
}

TEST_CASE("sgd weight decay adds lambda theta to the gradient", "[sgd]") {
  const auto decayed = optimizer("sgd", {{"learning_rate", "0.5"}, {"weight_decay", "0.1"}});
  // step 1: g = 2 + 0.1·1 = 2.1, θ = 1 − 1.05 = −0.05
  // step 2: g = 0 + 0.1·(−0.05) = −0.005, θ = −0.05 + 0.0025 = −0.0475
  const auto [first, second] = two_steps(*decayed, 2.0F, 0.0F);
  CHECK(first == Approx(-0.05).epsilon(1e-5));
  CHECK(second == Approx(-0.0475).epsilon(1e-5));
}

TEST_CASE("adam and rmsprop default to a learning rate of 0.001", "[adam][rmsprop]") {
  CHECK(optimizer("adam")->learning_rate() == 0.001);
  CHECK(optimizer("rmsprop")->learning_rate() == 0.001);
}

TEST_CASE("adam's first two steps follow the bias-corrected moments", "[adam]") {
  const auto adam = optimizer("adam", {{"learning_rate", "0.1"}});
  const auto [first, second] = two_steps(*adam, 2.0F, -1.0F);
  // step 1: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4:
  // θ = 1 − 0.1·2/(2 + 1e-8) ≈ 0.9 (the first step is η in the gradient's direction)
  CHECK(first == Approx(1.0 - 0.1 * 2.0 / (2.0 + 1e-8)).epsilon(1e-6));
  // step 2: m = 0.9·0.2 + 0.1·(−1) = 0.08, v = 0.999·0.004 + 0.001·1 = 0.004996;
  // m̂ = 0.08/(1 − 0.81), v̂ = 0.004996/(1 − 0.998001)
  const double m_hat = 0.08 / 0.19;
  const double v_hat = 0.004996 / 0.001999;
  CHECK(second == Approx(first - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8)).epsilon(1e-6));
  // state() is m, v and the step count
  const std::span<float> state = adam->state();
  REQUIRE(state.size() == 3);
  CHECK(state[0] == Approx(0.08).epsilon(1e-6));
  CHECK(state[1] == Approx(0.004996).epsilon(1e-6));
  CHECK(state[2] == 2.0F);
}

TEST_CASE("adam resumes bit-identically from a copy of its state", "[adam]") {
  const fnn::Options options{{"learning_rate", "0.01"}, {"weight_decay", "0.01"}};
  fnn::Rng rng(21);
  std::vector<std::vector<float>> gradients(6, std::vector<float>(20));
  for (auto& gradient : gradients) {
    for (float& value : gradient) value = rng.uniform(-1, 1);
  }
  std::vector<float> start(20);
  for (float& value : start) value = rng.uniform(-1, 1);

  // An unbroken run of six steps.
  const auto unbroken = optimizer("adam", options);
  std::vector<float> expected = start;
  unbroken->setup(expected.size());
  for (const auto& gradient : gradients) unbroken->step(expected, gradient);

  // Three steps, then the parameters and state() carried into a fresh adam for three more.
  const auto before = optimizer("adam", options);
  std::vector<float> parameters = start;
  before->setup(parameters.size());
  for (std::size_t i = 0; i < 3; ++i) before->step(parameters, gradients[i]);
  const std::vector<float> saved(before->state().begin(), before->state().end());

  const auto after = optimizer("adam", options);
  after->setup(parameters.size());
  REQUIRE(after->state().size() == saved.size());
  std::ranges::copy(saved, after->state().begin());
  std::vector<float> resumed = parameters;
  for (std::size_t i = 3; i < 6; ++i) after->step(resumed, gradients[i]);
  CHECK(resumed == expected);

  // Without the state (step count and moments lost) the run goes elsewhere.
  const auto forgetful = optimizer("adam", options);
  forgetful->setup(parameters.size());
  std::vector<float> restarted = parameters;
  for (std::size_t i = 3; i < 6; ++i) forgetful->step(restarted, gradients[i]);
  CHECK(restarted != expected);
}

TEST_CASE("rmsprop divides by the running root mean square", "[rmsprop]") {
  const auto rmsprop = optimizer("rmsprop", {{"learning_rate", "0.01"}});
  const auto [first, second] = two_steps(*rmsprop, 2.0F, 1.0F);
  // step 1: v = 0.1·4 = 0.4, θ = 1 − 0.01·2/√0.4; step 2: v = 0.9·0.4 + 0.1·1 = 0.46
  CHECK(first == Approx(1.0 - 0.01 * 2.0 / (std::sqrt(0.4) + 1e-8)).epsilon(1e-6));
  CHECK(second == Approx(first - 0.01 / (std::sqrt(0.46) + 1e-8)).epsilon(1e-6));
  REQUIRE(rmsprop->state().size() == 1);
  CHECK(rmsprop->state()[0] == Approx(0.46).epsilon(1e-6));
}

TEST_CASE("adam and rmsprop apply weight decay to the gradient they use", "[adam][rmsprop]") {
  const auto rmsprop =
      optimizer("rmsprop", {{"learning_rate", "0.01"}, {"rho", "0.5"}, {"weight_decay", "0.5"}});
  const auto [first, second] = two_steps(*rmsprop, 0.0F, 0.0F);
  // step 1: g = 0 + 0.5·1 = 0.5, v = 0.5·0.25 = 0.125, θ = 1 − 0.01·0.5/√0.125
  const double theta1 = 1.0 - 0.01 * 0.5 / std::sqrt(0.125);
  CHECK(first == Approx(theta1).epsilon(1e-6));
  // step 2: g = 0.5·θ1, v = 0.5·0.125 + 0.5·g²
  const double g2 = 0.5 * theta1;
  CHECK(second == Approx(theta1 - 0.01 * g2 / std::sqrt(0.0625 + 0.5 * g2 * g2)).epsilon(1e-6));

  const auto adam = optimizer("adam", {{"learning_rate", "0.1"}, {"weight_decay", "3"}});
  // A gradient of −1 plus 3·θ = 3 is +2: the first step goes down by η.
  CHECK(two_steps(*adam, -1.0F, 0.0F).first == Approx(0.9).epsilon(1e-6));
}

TEST_CASE("adam and rmsprop refuse bad options, naming them", "[adam][rmsprop]") {
  struct Case {
    const char* name;
    const char* key;
    const char* value;
    std::string message;
  };
  const Case cases[] = {
      {"adam", "beta1", "1", "option 'beta1' must be in [0, 1), is 1"},
      {"adam", "beta2", "-0.5", "option 'beta2' must be in [0, 1), is -0.5"},
      {"adam", "epsilon", "0", "option 'epsilon' must be positive and finite, is 0"},
      {"adam", "learning_rate", "0", "option 'learning_rate' must be positive, is 0"},
      {"rmsprop", "rho", "1.5", "option 'rho' must be in [0, 1), is 1.5"},
      {"rmsprop", "epsilon", "-1", "option 'epsilon' must be positive and finite, is -1"},
      {"rmsprop", "weight_decay", "-1",
       "option 'weight_decay' must be non-negative and finite, is -1"},
  };
  for (const Case& c : cases) {
    CHECK(fnn::test::error_message([&] {
            optimizer(c.name, {{c.key, c.value}});
          }) == "optimizer '" + std::string(c.name) + "': " + c.message);
  }
  // An option of another optimizer is not silently ignored.
  CHECK(fnn::test::error_message([] {
          optimizer("adam", {{"momentum", "0.9"}});
        }).find("momentum") != std::string::npos);
}
