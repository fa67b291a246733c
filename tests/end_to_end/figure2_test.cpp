// The article's Figure 2 network (2-4-3, no biases, sigmoid after each layer, MSE) with fixed
// weights: fnn's output and gradients against the matrix formulas of shared/seed/NOTES.md,
// computed here independently in double, and against finite differences.
#include <cmath>

#include "support/test_support.hpp"

namespace {

using Table = std::vector<std::vector<double>>;

Table multiply(const Table& a, const Table& b) {
  Table c(a.size(), std::vector<double>(b[0].size(), 0.0));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < b.size(); ++k)
      for (std::size_t j = 0; j < b[0].size(); ++j) c[i][j] += a[i][k] * b[k][j];
  return c;
}

Table transpose(const Table& a) {
  Table t(a[0].size(), std::vector<double>(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[0].size(); ++j) t[j][i] = a[i][j];
  return t;
}

Table sigmoid(Table z) {
  for (auto& row : z)
    for (double& v : row) v = 1.0 / (1.0 + std::exp(-v));
  return z;
}

// (a ⊙ (1 − a)) ⊙ upstream, element-wise: the sigmoid derivative applied to a gradient.
Table through_sigmoid(const Table& a, const Table& upstream) {
  Table out = upstream;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[0].size(); ++j) out[i][j] *= a[i][j] * (1.0 - a[i][j]);
  return out;
}

Table to_table(std::span<const float> values, std::size_t rows, std::size_t cols) {
  Table t(rows, std::vector<double>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) t[i][j] = values[i * cols + j];
  return t;
}

const fnn::Matrix x{{0.5F, -1.0F}, {1.5F, 0.25F}, {-0.75F, 2.0F}};              // m = 3, n = 2
const fnn::Matrix y{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
const std::vector<float> theta1{0.1F, -0.3F, 0.5F, 0.7F, -0.2F, 0.4F, -0.6F, 0.8F};  // 2 × 4
const std::vector<float> theta2{0.3F, -0.5F, 0.2F, 0.6F, 0.1F, -0.4F,
                                -0.7F, 0.9F, 0.25F, 0.35F, -0.15F, 0.45F};           // 4 × 3

fnn::Network figure2_network() {
  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "4"}, {"bias", "false"}})
      .add("sigmoid")
      .add("dense", {{"units", "3"}, {"bias", "false"}})
      .add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  REQUIRE(network.parameters().size() == theta1.size() + theta2.size());
  std::copy(theta1.begin(), theta1.end(), network.layer_parameters(0).begin());
  std::copy(theta2.begin(), theta2.end(), network.layer_parameters(2).begin());
  return network;
}

}  // namespace

TEST_CASE("Figure 2: output and every weight gradient equal the matrix formulas",
          "[figure2][gradient]") {
  fnn::Network network = figure2_network();
  const auto mse = fnn::test::plugins().make_loss("mse");

  // The formulas: A0 = X; Al = φ(A(l-1)·Θl); dZ2 = (A2 − Y) ⊙ φ'(Z2) / m; dΘl = A(l-1)ᵀ·dZl;
  // dZ1 = (dZ2·Θ2ᵀ) ⊙ φ'(Z1) — with no stray ½ (erratum 3) and the 1/m mean (erratum 4).
  const double m = 3.0;
  const Table a0 = to_table(x.values(), 3, 2);
  const Table t1 = to_table(theta1, 2, 4);
  const Table t2 = to_table(theta2, 4, 3);
  const Table a1 = sigmoid(multiply(a0, t1));
  const Table a2 = sigmoid(multiply(a1, t2));
  Table error = a2;
  double cost = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      error[i][j] = (a2[i][j] - y(i, j)) / m;
      cost += (a2[i][j] - y(i, j)) * (a2[i][j] - y(i, j)) / (2.0 * m);
    }
  }
  const Table dz2 = through_sigmoid(a2, error);
  const Table dtheta2 = multiply(transpose(a1), dz2);
  const Table dz1 = through_sigmoid(a1, multiply(dz2, transpose(t2)));
  const Table dtheta1 = multiply(transpose(a0), dz1);

  const fnn::Matrix output = network.predict(x);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(output(i, j) == Approx(a2[i][j]).margin(1e-6));

  std::vector<float> gradient(network.parameters().size());
  CHECK(network.loss_and_gradient(x, y, *mse, gradient) == Approx(cost).margin(1e-6));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 4; ++j) CHECK(gradient[i * 4 + j] == Approx(dtheta1[i][j]).margin(1e-6));
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(gradient[8 + i * 3 + j] == Approx(dtheta2[i][j]).margin(1e-6));

  REQUIRE_GRADIENT_OK(fnn::check_network(network, *mse, x, y));
}

TEST_CASE("Figure 2: the article's stray ½ in the hidden gradient fails the check",
          "[figure2][gradient]") {
  fnn::Network network = figure2_network();
  const auto mse = fnn::test::plugins().make_loss("mse");
  std::vector<float> gradient(network.parameters().size());
  network.loss_and_gradient(x, y, *mse, gradient);
  for (std::size_t i = 0; i < theta1.size(); ++i) gradient[i] *= 0.5F;  // ∂C/∂Θ^(L-1) with ½
  const fnn::GradientCheckResult result = fnn::check_gradient(
      [&] { return mse->mean(network.predict(x), y); }, network.parameters(), gradient, {});
  CHECK_FALSE(result.passed);
}
