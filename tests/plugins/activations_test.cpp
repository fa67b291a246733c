// The activation catalogue: known values, extremes, and backward against finite differences.
#include <cmath>
#include <limits>

#include "support/test_support.hpp"

namespace {

std::shared_ptr<fnn::Activation> activation(const char* name, const fnn::Options& options = {}) {
  return fnn::test::plugins().make_activation(name, options);
}

// φ applied to one row of values.
std::vector<float> apply(const fnn::Activation& phi, std::vector<float> z) {
  fnn::Matrix a(1, z.size());
  phi.forward(fnn::ConstMatrixView(z.data(), 1, z.size()), a);
  return {a.values().begin(), a.values().end()};
}

// φ'(z) element-wise, as backward gives it for da = 1.
std::vector<float> slope(const fnn::Activation& phi, std::vector<float> z) {
  const fnn::ConstMatrixView zv(z.data(), 1, z.size());
  fnn::Matrix a(1, z.size());
  fnn::Matrix ones(1, z.size());
  fnn::Matrix dz(1, z.size());
  for (float& value : ones.values()) value = 1.0F;
  phi.forward(zv, a);
  phi.backward(zv, a, ones, dz);
  return {dz.values().begin(), dz.values().end()};
}

// The gradient-check settings for an activation with a kink at 0: a difference over ±step must
// not straddle it.
fnn::GradientCheckOptions away_from_kink() {
  fnn::GradientCheckOptions options;
  options.kink_margin = 2.0 * options.step;
  return options;
}

}  // namespace

TEST_CASE("identity passes z through with slope 1", "[identity]") {
  const auto phi = activation("identity");
  CHECK(apply(*phi, {-3.5F, 0.0F, 2.0F}) == std::vector<float>{-3.5F, 0.0F, 2.0F});
  CHECK(slope(*phi, {-3.5F, 0.0F, 2.0F}) == std::vector<float>{1, 1, 1});
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9));
}

TEST_CASE("tanh is the hyperbolic tangent and saturates to ±1", "[tanh]") {
  const auto phi = activation("tanh");
  const std::vector<float> a = apply(*phi, {0.0F, 0.5F, -0.5F, 100.0F, -100.0F});
  CHECK(a[0] == 0.0F);
  CHECK(a[1] == Approx(std::tanh(0.5)).epsilon(1e-6));
  CHECK(a[2] == -a[1]);
  CHECK(a[3] == 1.0F);
  CHECK(a[4] == -1.0F);
  CHECK(slope(*phi, {0.0F})[0] == 1.0F);
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9));
}

TEST_CASE("relu is max(0, z) with slope 0 at the kink", "[relu]") {
  const auto phi = activation("relu");
  CHECK(apply(*phi, {-2.0F, 0.0F, 3.0F}) == std::vector<float>{0, 0, 3});
  CHECK(slope(*phi, {-2.0F, 0.0F, 3.0F}) == std::vector<float>{0, 0, 1});
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9, away_from_kink()));
}

TEST_CASE("leaky_relu scales negative inputs by its slope, 0.01 by default", "[leaky_relu]") {
  const auto phi = activation("leaky_relu");
  CHECK(apply(*phi, {-2.0F, 0.0F, 3.0F}) == std::vector<float>{-0.02F, 0, 3});
  CHECK(slope(*phi, {-2.0F, 3.0F}) == std::vector<float>{0.01F, 1});
  const auto steep = activation("leaky_relu", {{"slope", "0.25"}});
  CHECK(apply(*steep, {-2.0F})[0] == -0.5F);
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9, away_from_kink()));
  REQUIRE_GRADIENT_OK(fnn::check_activation(*steep, 7, 9, away_from_kink()));
}

TEST_CASE("leaky_relu refuses a negative slope, naming the option", "[leaky_relu]") {
  CHECK(fnn::test::error_message([] {
          activation("leaky_relu", {{"slope", "-1"}});
        }) == "activation 'leaky_relu': option 'slope' must be non-negative and finite, is -1");
}

TEST_CASE("elu is alpha (e^z - 1) below 0 and z above, alpha 1 by default", "[elu]") {
  const auto phi = activation("elu");
  const std::vector<float> a = apply(*phi, {-1.0F, 0.0F, 2.0F, -100.0F});
  CHECK(a[0] == Approx(std::exp(-1.0) - 1.0).epsilon(1e-6));
  CHECK(a[1] == 0.0F);
  CHECK(a[2] == 2.0F);
  CHECK(a[3] == -1.0F);
  CHECK(slope(*phi, {-1.0F})[0] == Approx(std::exp(-1.0)).epsilon(1e-6));
  const auto wide = activation("elu", {{"alpha", "2"}});
  CHECK(apply(*wide, {-1.0F})[0] == Approx(2.0 * (std::exp(-1.0) - 1.0)).epsilon(1e-6));
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9));
  // α ≠ 1 puts a kink in the derivative at 0 (slope α from the left, 1 from the right).
  REQUIRE_GRADIENT_OK(fnn::check_activation(*wide, 7, 9, away_from_kink()));
  CHECK(fnn::test::error_message([] {
          activation("elu", {{"alpha", "-0.5"}});
        }) == "activation 'elu': option 'alpha' must be non-negative and finite, is -0.5");
}

TEST_CASE("softplus is log(1 + e^z) and stays finite for large |z|", "[softplus]") {
  const auto phi = activation("softplus");
  const std::vector<float> a = apply(*phi, {0.0F, 1.0F, 100.0F, -100.0F, 1e30F});
  CHECK(a[0] == Approx(std::log(2.0)).epsilon(1e-6));
  CHECK(a[1] == Approx(std::log1p(std::exp(1.0))).epsilon(1e-6));
  CHECK(std::isfinite(a[2]));
  CHECK(a[2] == Approx(100.0).epsilon(1e-6));
  CHECK(a[3] >= 0.0F);
  CHECK(a[3] < 1e-40F);
  CHECK(a[4] == 1e30F);
  const std::vector<float> d = slope(*phi, {0.0F, 100.0F, -100.0F});
  CHECK(d[0] == 0.5F);  // the logistic sigmoid
  CHECK(d[1] == 1.0F);
  CHECK(d[2] >= 0.0F);
  CHECK(d[2] < 1e-40F);
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9));
}

TEST_CASE("softmax makes each row a probability distribution", "[softmax]") {
  const auto phi = activation("softmax");
  // e^0 : e^ln2 : e^ln3 = 1 : 2 : 3
  const float ln2 = std::log(2.0F);
  const float ln3 = std::log(3.0F);
  const fnn::Matrix z{{0.0F, ln2, ln3}, {5.0F, 5.0F, 5.0F}};
  fnn::Matrix a(2, 3);
  phi->forward(z, a);
  CHECK(a(0, 0) == Approx(1.0 / 6).epsilon(1e-6));
  CHECK(a(0, 1) == Approx(2.0 / 6).epsilon(1e-6));
  CHECK(a(0, 2) == Approx(3.0 / 6).epsilon(1e-6));
  for (std::size_t c = 0; c < 3; ++c) CHECK(a(1, c) == Approx(1.0 / 3).epsilon(1e-6));
  REQUIRE_GRADIENT_OK(fnn::check_activation(*phi, 7, 9));
}

TEST_CASE("softmax survives z = 1000, where e^z overflows", "[softmax]") {
  const auto phi = activation("softmax");
  const fnn::Matrix z{{1000.0F, 1000.0F, -1000.0F}, {1000.0F, 0.0F, 0.0F}};
  fnn::Matrix a(2, 3);
  phi->forward(z, a);
  for (std::size_t r = 0; r < 2; ++r) {
    double total = 0.0;
    for (std::size_t c = 0; c < 3; ++c) {
      CHECK(std::isfinite(a(r, c)));
      total += a(r, c);
    }
    CHECK(total == Approx(1.0).epsilon(1e-6));
  }
  CHECK(a(0, 0) == 0.5F);
  CHECK(a(0, 2) == 0.0F);
  CHECK(a(1, 0) == 1.0F);
}

TEST_CASE("softmax's backward is a ⊙ (da − Σ da ⊙ a) per row", "[softmax]") {
  const auto phi = activation("softmax");
  const fnn::Matrix z{{0.0F, 0.0F}};
  const fnn::Matrix da{{1.0F, 0.0F}};
  fnn::Matrix a(1, 2);
  fnn::Matrix dz(1, 2);
  phi->forward(z, a);
  phi->backward(z, a, da, dz);
  // a = (½, ½), Σ da ⊙ a = ½: dz = (½ · ½, ½ · −½)
  CHECK(dz(0, 0) == 0.25F);
  CHECK(dz(0, 1) == -0.25F);
}
