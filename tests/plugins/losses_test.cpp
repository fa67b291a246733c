// The loss catalogue: known values, gradients against finite differences, and the fused
// gradients of cross-entropy after softmax and binary cross-entropy after sigmoid.
#include <cmath>
#include <limits>

#include "support/test_support.hpp"

namespace {

std::shared_ptr<fnn::Loss> loss(const char* name, const fnn::Options& options = {}) {
  return fnn::test::plugins().make_loss(name, options);
}

fnn::Matrix gradient_of(const fnn::Loss& l, const fnn::Matrix& prediction,
                        const fnn::Matrix& target) {
  fnn::Matrix gradient(prediction.rows(), prediction.cols());
  l.gradient(prediction, target, gradient);
  return gradient;
}

fnn::Matrix random_matrix(std::size_t rows, std::size_t cols, float low, float high,
                          fnn::Rng& rng) {
  fnn::Matrix m(rows, cols);
  for (float& value : m.values()) value = rng.uniform(low, high);
  return m;
}

// Rows of one-hot targets, the class of each row drawn at random.
fnn::Matrix one_hot(std::size_t rows, std::size_t classes, fnn::Rng& rng) {
  fnn::Matrix m(rows, classes);
  for (std::size_t r = 0; r < rows; ++r) m(r, rng.below(classes)) = 1.0F;
  return m;
}

// The gradient-check settings for a loss with a kink where prediction = target (mae): a
// difference over ±step must not straddle it.
fnn::GradientCheckOptions away_from_kink() {
  fnn::GradientCheckOptions options;
  options.kink_margin = 2.0 * options.step;
  return options;
}

// The losses with a fused activation, and that activation.
struct FusedPair {
  const char* loss;
  const char* activation;
};
constexpr FusedPair fused_pairs[] = {{"cross_entropy", "softmax"},
                                     {"binary_cross_entropy", "sigmoid"}};

// A dense → `activation` network (4 inputs, hidden tanh layer of 5, 3 outputs) at random
// weights, with random inputs.
fnn::Network small_network(const char* activation, fnn::Matrix& inputs) {
  fnn::NetworkSpec spec{4};
  spec.add("dense", {{"units", "5"}}).add("tanh").add("dense", {{"units", "3"}}).add(activation);
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  inputs = random_matrix(6, 4, -2.0F, 2.0F, rng);
  return network;
}

}  // namespace

TEST_CASE("cross_entropy of a one-hot target is -log p of the true class", "[cross_entropy]") {
  const auto ce = loss("cross_entropy");
  const fnn::Matrix prediction{{0.2F, 0.7F, 0.1F}, {0.5F, 0.25F, 0.25F}};
  const fnn::Matrix target{{0, 1, 0}, {0, 0, 1}};
  const double expected = -std::log(static_cast<double>(0.7F)) - std::log(0.25);
  CHECK(ce->sum(prediction, target) == Approx(expected).epsilon(1e-12));
  CHECK(ce->mean(prediction, target) == Approx(expected / 2).epsilon(1e-12));
  const fnn::Matrix gradient = gradient_of(*ce, prediction, target);
  CHECK(gradient(0, 0) == 0.0F);
  CHECK(gradient(0, 1) == Approx(-1 / 0.7).epsilon(1e-6));
  CHECK(gradient(1, 2) == -4.0F);
}

TEST_CASE("cross_entropy stays finite at a probability of 0", "[cross_entropy]") {
  const auto ce = loss("cross_entropy");
  const fnn::Matrix prediction{{0.0F, 1.0F}};
  const fnn::Matrix target{{1, 0}};
  const double value = ce->sum(prediction, target);
  CHECK(std::isfinite(value));
  CHECK(value == Approx(-std::log(static_cast<double>(std::numeric_limits<float>::min()))));
  const fnn::Matrix gradient = gradient_of(*ce, prediction, target);
  CHECK(std::isfinite(gradient(0, 0)));
  CHECK(gradient(0, 0) < -1e37F);
}

// The log losses are checked at probabilities in [0.1, 0.9]: near 0 the central difference's
// own error, about step²/(3p²) relative, approaches the tolerance (1.3% at p = 0.05).
TEST_CASE("cross_entropy's gradient matches finite differences", "[cross_entropy][gradient]") {
  REQUIRE_GRADIENT_OK(fnn::check_loss(*loss("cross_entropy"), 5, 3, 0.1F, 0.9F));
}

TEST_CASE("binary_cross_entropy is -(y log p + (1 - y) log(1 - p)), clamped",
          "[binary_cross_entropy]") {
  const auto bce = loss("binary_cross_entropy");
  const fnn::Matrix prediction{{0.8F, 0.8F, 0.5F}};
  const fnn::Matrix target{{1, 0, 0.5F}};
  CHECK(bce->sum(prediction, target) ==
        Approx(-std::log(static_cast<double>(0.8F)) - std::log(static_cast<double>(1 - 0.8F)) -
               std::log(0.5))
            .epsilon(1e-12));
  const fnn::Matrix gradient = gradient_of(*bce, prediction, target);
  CHECK(gradient(0, 0) == Approx(-1 / 0.8).epsilon(1e-6));
  CHECK(gradient(0, 1) == Approx(1 / 0.2).epsilon(1e-6));
  CHECK(gradient(0, 2) == 0.0F);
  // A sigmoid output that rounded to exactly 0 or 1 costs a large but finite amount.
  const fnn::Matrix saturated{{1.0F, 0.0F}};
  const fnn::Matrix wrong{{0, 1}};
  CHECK(std::isfinite(bce->sum(saturated, wrong)));
  const fnn::Matrix saturated_gradient = gradient_of(*bce, saturated, wrong);
  CHECK(std::isfinite(saturated_gradient(0, 0)));
  CHECK(std::isfinite(saturated_gradient(0, 1)));
  REQUIRE_GRADIENT_OK(fnn::check_loss(*bce, 5, 3, 0.1F, 0.9F));
}

TEST_CASE("mae sums |prediction - target|, subgradient 0 where they are equal", "[mae]") {
  const auto mae = loss("mae");
  const fnn::Matrix prediction{{1, 2}, {0, 5}};
  const fnn::Matrix target{{0, 2}, {3, 5}};
  CHECK(mae->sum(prediction, target) == 4.0);
  CHECK(mae->mean(prediction, target) == 2.0);
  const fnn::Matrix gradient = gradient_of(*mae, prediction, target);
  CHECK(std::vector<float>(gradient.values().begin(), gradient.values().end()) ==
        std::vector<float>{1, 0, -1, 0});
  REQUIRE_GRADIENT_OK(fnn::check_loss(*mae, 5, 3, -1.5F, 1.5F, away_from_kink()));
}

TEST_CASE("huber is quadratic within delta and linear beyond, delta 1 by default", "[huber]") {
  const auto huber = loss("huber");
  const fnn::Matrix prediction{{0.5F, 3.0F, -2.0F}};
  const fnn::Matrix target{{0, 0, 0}};
  // ½·0.25 + (3 − ½) + (2 − ½)
  CHECK(huber->sum(prediction, target) == 0.125 + 2.5 + 1.5);
  const fnn::Matrix gradient = gradient_of(*huber, prediction, target);
  CHECK(std::vector<float>(gradient.values().begin(), gradient.values().end()) ==
        std::vector<float>{0.5F, 1, -1});
  const auto wide = loss("huber", {{"delta", "2"}});
  // ½·9 would be mse; beyond δ = 2: 2·(3 − 1) = 4
  CHECK(wide->sum(fnn::Matrix{{3.0F}}, fnn::Matrix{{0.0F}}) == 4.0);
  CHECK(wide->sum(fnn::Matrix{{1.5F}}, fnn::Matrix{{0.0F}}) == 1.125);
  // Differences up to 3 cross ±δ, where the gradient is continuous but the curvature is not.
  REQUIRE_GRADIENT_OK(fnn::check_loss(*huber, 5, 3, -1.5F, 1.5F, away_from_kink()));
  REQUIRE_GRADIENT_OK(fnn::check_loss(*wide, 5, 3, -1.5F, 1.5F, away_from_kink()));
  CHECK(fnn::test::error_message([] {
          loss("huber", {{"delta", "0"}});
        }) == "loss 'huber': option 'delta' must be positive and finite, is 0");
}

TEST_CASE("cross_entropy fuses with softmax and binary_cross_entropy with sigmoid",
          "[cross_entropy][binary_cross_entropy]") {
  CHECK(loss("cross_entropy")->fused_activation() == "softmax");
  CHECK(loss("binary_cross_entropy")->fused_activation() == "sigmoid");
  CHECK(loss("mae")->fused_activation().empty());
  CHECK(loss("huber")->fused_activation().empty());
  const fnn::Matrix p{{0.25F, 0.75F}};
  const fnn::Matrix y{{0, 1}};
  fnn::Matrix fused(1, 2);
  loss("cross_entropy")->fused_gradient(p, y, fused);
  CHECK(std::vector<float>(fused.values().begin(), fused.values().end()) ==
        std::vector<float>{0.25F, -0.25F});
}

TEST_CASE("the fused gradients equal the loss gradient through the activation",
          "[cross_entropy][binary_cross_entropy][gradient]") {
  for (const FusedPair pair : fused_pairs) {
    INFO(pair.loss << " after " << pair.activation);
    const auto l = loss(pair.loss);
    const auto phi = fnn::test::plugins().make_activation(pair.activation);
    fnn::Rng rng(11);
    const fnn::Matrix z = random_matrix(6, 4, -3.0F, 3.0F, rng);
    // Cross-entropy's p − y needs targets that sum to 1 per row; binary cross-entropy takes any.
    const fnn::Matrix y = std::string(pair.loss) == "cross_entropy"
                              ? one_hot(6, 4, rng)
                              : random_matrix(6, 4, 0.0F, 1.0F, rng);
    fnn::Matrix p(6, 4);
    phi->forward(z, p);
    fnn::Matrix unfused(6, 4);
    phi->backward(z, p, gradient_of(*l, p, y), unfused);
    fnn::Matrix fused(6, 4);
    l->fused_gradient(p, y, fused);
    for (std::size_t i = 0; i < fused.values().size(); ++i) {
      REQUIRE(std::isfinite(unfused.values()[i]));
      CHECK(fused.values()[i] == Approx(unfused.values()[i]).margin(1e-6).epsilon(1e-5));
    }
  }
}

TEST_CASE("a network ending in softmax with cross_entropy has the exact gradient",
          "[cross_entropy][network][gradient]") {
  fnn::Matrix inputs;
  fnn::Network network = small_network("softmax", inputs);
  fnn::Rng rng(5);
  const fnn::Matrix targets = one_hot(inputs.rows(), 3, rng);
  REQUIRE_GRADIENT_OK(fnn::check_network(network, *loss("cross_entropy"), inputs, targets));
}

TEST_CASE("a network ending in sigmoid with binary_cross_entropy has the exact gradient",
          "[binary_cross_entropy][network][gradient]") {
  fnn::Matrix inputs;
  fnn::Network network = small_network("sigmoid", inputs);
  fnn::Rng rng(5);
  const fnn::Matrix targets = random_matrix(inputs.rows(), 3, 0.0F, 1.0F, rng);
  REQUIRE_GRADIENT_OK(fnn::check_network(network, *loss("binary_cross_entropy"), inputs, targets));
}

namespace {

// A network of one dense layer (weights `weights`, row-major inputs × units, then `bias`) and
// `activation`: its output layer's logits are exactly inputs · weights + bias.
fnn::Network logit_network(const char* activation, std::size_t inputs, std::size_t units,
                           const std::vector<float>& parameters) {
  fnn::NetworkSpec spec{inputs};
  spec.add("dense", {{"units", std::to_string(units)}}).add(activation);
  fnn::Network network(fnn::test::plugins(), spec);
  REQUIRE(network.parameters().size() == parameters.size());
  std::ranges::copy(parameters, network.parameters().begin());
  return network;
}

// softplus(z) = log(1 + e^z), computed apart from fnn: the binary cross-entropy of logit z with
// target 0, and of −z with target 1.
double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

}  // namespace

// A confidently wrong sample costs its logit, not the −log of the smallest float (87.3) that a
// probability rounded to 0 or 1 would give: the loss a run reports comes from the logits.
TEST_CASE("binary_cross_entropy after sigmoid is computed from the logits",
          "[binary_cross_entropy][network]") {
  const fnn::Network network = logit_network("sigmoid", 1, 1, {1.0F, 0.0F});  // z = x
  const fnn::Matrix inputs{{20.0F}, {-20.0F}, {0.5F}, {100.0F}};
  const fnn::Matrix targets{{0.0F}, {1.0F}, {0.3F}, {1.0F}};
  const double expected = (softplus(20.0) + softplus(20.0) +
                           (softplus(0.5) - static_cast<double>(0.3F) * 0.5) + softplus(-100.0)) /
                          4.0;
  CHECK(softplus(20.0) == Approx(20.000000002061153).epsilon(1e-15));
  std::vector<float> gradient(network.parameters().size());
  const auto bce = loss("binary_cross_entropy");
  CHECK(network.loss_and_gradient(inputs, targets, *bce, gradient) ==
        Approx(expected).epsilon(1e-12));
  CHECK(network.mean_loss(inputs, targets, *bce) == Approx(expected).epsilon(1e-12));
  // Evaluation goes in blocks of 1024 rows: 2052 rows of the same four add up to the same mean.
  fnn::Matrix many_inputs(2052, 1);
  fnn::Matrix many_targets(2052, 1);
  for (std::size_t r = 0; r < 2052; ++r) {
    many_inputs(r, 0) = inputs(r % 4, 0);
    many_targets(r, 0) = targets(r % 4, 0);
  }
  CHECK(network.mean_loss(many_inputs, many_targets, *bce) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("cross_entropy after softmax is computed from the logits (log-sum-exp)",
          "[cross_entropy][network]") {
  const fnn::Network network = logit_network("softmax", 2, 2, {1, 0, 0, 1, 0, 0});  // z = x
  const fnn::Matrix inputs{{0.0F, 100.0F}, {1.0F, 2.0F}, {-50.0F, 50.0F}};
  const fnn::Matrix targets{{1.0F, 0.0F}, {0.25F, 0.75F}, {0.0F, 1.0F}};
  // −Σ y·log softmax(z) = Σ y·(log Σ e^z − z), log-sum-exp taken about the largest logit.
  const auto cost = [](double z0, double z1, double y0, double y1) {
    const double top = std::max(z0, z1);
    const double lse = top + std::log(std::exp(z0 - top) + std::exp(z1 - top));
    return y0 * (lse - z0) + y1 * (lse - z1);
  };
  CHECK(cost(0, 100, 1, 0) == Approx(100.0).epsilon(1e-15));
  const double expected = (cost(0, 100, 1, 0) + cost(1, 2, 0.25, 0.75) + cost(-50, 50, 0, 1)) / 3;
  std::vector<float> gradient(network.parameters().size());
  const auto ce = loss("cross_entropy");
  CHECK(network.loss_and_gradient(inputs, targets, *ce, gradient) ==
        Approx(expected).epsilon(1e-12));
  CHECK(network.mean_loss(inputs, targets, *ce) == Approx(expected).epsilon(1e-12));
}

// Where the probabilities are far from 0 and 1, the loss from the logits is the loss of the
// probabilities; a loss without a fused activation keeps its own sum.
TEST_CASE("fused_sum agrees with sum away from saturation",
          "[cross_entropy][binary_cross_entropy]") {
  for (const FusedPair pair : fused_pairs) {
    INFO(pair.loss << " after " << pair.activation);
    fnn::Rng rng(13);
    const fnn::Matrix z = random_matrix(5, 3, -3.0F, 3.0F, rng);
    const fnn::Matrix y = one_hot(5, 3, rng);
    fnn::Matrix p(5, 3);
    fnn::test::plugins().make_activation(pair.activation)->forward(z, p);
    const auto l = loss(pair.loss);
    CHECK(l->fused_sum(z, p, y) == Approx(l->sum(p, y)).epsilon(1e-6));
  }
  const fnn::Matrix prediction{{1, 2}};
  const fnn::Matrix target{{0, 2}};
  CHECK(loss("mae")->fused_sum(fnn::Matrix{{50, 50}}, prediction, target) == 1.0);
}
