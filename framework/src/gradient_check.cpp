#include "fnn/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "fnn/network.hpp"
#include "fnn/random.hpp"

namespace fnn {

namespace {

Matrix random_matrix(std::size_t rows, std::size_t cols, float low, float high, Rng& rng) {
  Matrix m(rows, cols);
  for (float& value : m.values()) value = rng.uniform(low, high);
  return m;
}

// Σ weights ⊙ values, in double: a scalar whose gradient with respect to `values` is `weights`.
double projection(ConstMatrixView weights, ConstMatrixView values) {
  double total = 0.0;
  for (std::size_t r = 0; r < values.rows(); ++r) {
    for (std::size_t c = 0; c < values.cols(); ++c) {
      total += static_cast<double>(weights(r, c)) * static_cast<double>(values(r, c));
    }
  }
  return total;
}

GradientCheckResult merge(GradientCheckResult a, const GradientCheckResult& b,
                          const std::string& b_label) {
  if (b.max_relative_error > a.max_relative_error) {
    a.max_relative_error = b.max_relative_error;
    a.worst = b_label + b.worst;
  }
  a.passed = a.passed && b.passed;
  a.checked += b.checked;
  a.skipped += b.skipped;
  return a;
}

}  // namespace

GradientCheckResult check_gradient(const std::function<double()>& f, std::span<float> x,
                                   std::span<const float> analytic,
                                   const GradientCheckOptions& options,
                                   const std::function<bool(std::size_t)>& kink) {
  GradientCheckResult result;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (kink && kink(i)) {
      ++result.skipped;
      continue;
    }
    const float original = x[i];
    const float above = static_cast<float>(original + options.step);
    const float below = static_cast<float>(original - options.step);
    x[i] = above;
    const double f_above = f();
    x[i] = below;
    const double f_below = f();
    x[i] = original;
    // Divide by the step the float arithmetic really took, not the one asked for.
    const double numeric = (f_above - f_below) / (static_cast<double>(above) - below);
    const double exact = analytic[i];
    const double scale = std::max({std::abs(exact), std::abs(numeric), options.floor});
    const double error = std::abs(exact - numeric) / scale;
    ++result.checked;
    if (result.worst.empty() || error > result.max_relative_error || std::isnan(error)) {
      result.max_relative_error = error;
      std::ostringstream worst;
      worst << "coordinate " << i << ": analytic " << exact << ", numeric " << numeric
            << ", relative error " << error;
      result.worst = worst.str();
    }
    if (!(error <= options.tolerance)) result.passed = false;  // NaN fails too
  }
  return result;
}

GradientCheckResult check_activation(const Activation& activation, std::size_t rows,
                                     std::size_t cols, const GradientCheckOptions& options) {
  Rng rng(options.seed);
  Matrix z = random_matrix(rows, cols, -2.0F, 2.0F, rng);
  const Matrix weights = random_matrix(rows, cols, -1.0F, 1.0F, rng);
  Matrix a(rows, cols);
  Matrix dz(rows, cols);
  activation.forward(z, a);
  activation.backward(z, a, weights, dz);
  const Matrix z_at_start = z;  // the kink test looks at the unperturbed point
  return check_gradient(
      [&] {
        activation.forward(z, a);
        return projection(weights, a);
      },
      z.values(), dz.values(), options,
      [&](std::size_t i) { return std::abs(z_at_start.values()[i]) < options.kink_margin; });
}

GradientCheckResult check_loss(const Loss& loss, std::size_t rows, std::size_t cols, float low,
                               float high, const GradientCheckOptions& options) {
  Rng rng(options.seed);
  Matrix prediction = random_matrix(rows, cols, low, high, rng);
  const Matrix target = random_matrix(rows, cols, low, high, rng);
  Matrix gradient(rows, cols);
  loss.gradient(prediction, target, gradient);
  const Matrix prediction_at_start = prediction;  // the kink test looks at the unperturbed point
  return check_gradient([&] { return loss.sum(prediction, target); }, prediction.values(),
                        gradient.values(), options, [&](std::size_t i) {
                          return std::abs(prediction_at_start.values()[i] - target.values()[i]) <
                                 options.kink_margin;
                        });
}

GradientCheckResult check_layer(const Layer& layer, std::span<float> parameters, std::size_t rows,
                                const GradientCheckOptions& options) {
  Rng rng(options.seed);
  Matrix input = random_matrix(rows, layer.input_size(), -1.0F, 1.0F, rng);
  const Matrix weights = random_matrix(rows, layer.output_size(), -1.0F, 1.0F, rng);
  Matrix output(rows, layer.output_size());
  Matrix input_gradient(rows, layer.input_size());
  std::vector<float> parameter_gradient(parameters.size());
  // Training mode with a fixed seed: a layer with randomness (dropout) is checked on the path
  // where its derivatives matter, and draws the same numbers in every evaluation.
  const PassContext context{.training = true, .seed = options.seed, .first_row = 0};
  layer.forward(input, output, context);
  layer.backward(input, output, weights, input_gradient, context);
  layer.gradient(input, weights, parameter_gradient);
  const auto f = [&] {
    layer.forward(input, output, context);
    return projection(weights, output);
  };
  GradientCheckResult result =
      check_gradient(f, input.values(), input_gradient.values(), options);
  result.worst = "input " + result.worst;
  return merge(result, check_gradient(f, parameters, parameter_gradient, options), "parameter ");
}

GradientCheckResult check_network(Network& network, const Loss& loss, ConstMatrixView inputs,
                                  ConstMatrixView targets, const GradientCheckOptions& options) {
  std::vector<float> gradient(network.parameters().size());
  network.loss_and_gradient(inputs, targets, loss, gradient);
  return check_gradient([&] { return network.mean_loss(inputs, targets, loss); },
                        network.parameters(), gradient, options);
}

}  // namespace fnn
