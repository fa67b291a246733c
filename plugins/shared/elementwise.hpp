#pragma once
// Element-wise losses whose math lives in one small struct, so that each plugin file is its math
// and its registration (activations have fnn::ElementwiseActivation), with the clamp and the
// logit arithmetic that the log losses share.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <fnn/plugin.hpp>
#include <limits>
#include <span>
#include <string_view>

namespace fnn_plugins {

/// A Loss whose sum is Σ over every element of `Math::value(prediction, target)` (in double) and
/// whose gradient is `Math::derivative(prediction, target)` element by element. `Math` is built
/// from the options when it has such a constructor. A `Math` with
///     static constexpr std::string_view fused_activation = "softmax";
/// declares that, after that activation, ∂(sum)/∂z is prediction − target (true of
/// cross-entropy after softmax and of binary cross-entropy after sigmoid), which the network
/// then uses instead of dividing by probabilities that may round to 0. Such a `Math` also has
///     static double from_logits(std::span<const float> z, std::span<const float> target);
/// the loss of one sample from the activation's input, which the network reports instead of
/// `value` of probabilities that may round to 0 or 1.
template <class Math>
class ElementwiseLoss final : public fnn::Loss {
 public:
  ElementwiseLoss() = default;
  explicit ElementwiseLoss(const fnn::Options& options)
    requires std::constructible_from<Math, const fnn::Options&>
      : math_(options) {}

  double sum(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target) const override {
    double total = 0.0;
    for (std::size_t r = 0; r < prediction.rows(); ++r) {
      for (std::size_t c = 0; c < prediction.cols(); ++c) {
        total += math_.value(prediction(r, c), target(r, c));
      }
    }
    return total;
  }

  void gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                fnn::MatrixView gradient) const override {
    for (std::size_t r = 0; r < prediction.rows(); ++r) {
      for (std::size_t c = 0; c < prediction.cols(); ++c) {
        gradient(r, c) = math_.derivative(prediction(r, c), target(r, c));
      }
    }
  }

  std::string_view fused_activation() const override {
    if constexpr (fused) return Math::fused_activation;
    return {};
  }

  double fused_sum(fnn::ConstMatrixView z, fnn::ConstMatrixView prediction,
                   fnn::ConstMatrixView target) const override {
    if constexpr (!fused) {
      return sum(prediction, target);
    } else {
      double total = 0.0;
      for (std::size_t r = 0; r < z.rows(); ++r)
        total += Math::from_logits(z.row(r), target.row(r));
      return total;
    }
  }

  void fused_gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                      fnn::MatrixView gradient) const override {
    if constexpr (!fused) {
      fnn::Loss::fused_gradient(prediction, target, gradient);  // throws: nothing is fused
    } else {
      for (std::size_t r = 0; r < prediction.rows(); ++r) {
        for (std::size_t c = 0; c < prediction.cols(); ++c) {
          gradient(r, c) = prediction(r, c) - target(r, c);
        }
      }
    }
  }

 private:
  static constexpr bool fused = requires { Math::fused_activation; };
  static_assert(
      !fused ||
          requires(std::span<const float> values) {
            { Math::from_logits(values, values) } -> std::convertible_to<double>;
          },
      "a Math with a fused_activation computes its loss from the logits too: from_logits(z, y)");
  Math math_;
};

/// log(1 + e^z) in double, without overflow for large z: the binary cross-entropy of logit z with
/// target 0.
inline double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

/// log Σ e^z over a sample's logits in double, taken about the largest so that nothing overflows.
inline double log_sum_exp(std::span<const float> z) {
  if (z.empty()) return -std::numeric_limits<double>::infinity();
  const double top = *std::ranges::max_element(z);
  double total = 0.0;
  for (const float value : z) total += std::exp(static_cast<double>(value) - top);
  return top + std::log(total);
}

/// p, or the smallest normal float if p is below it: in the log losses a probability that rounded
/// to 0 then costs −log(tiny) ≈ 87.3 and a gradient of about −8.5e37·y instead of infinities,
/// and every p ≥ tiny is untouched.
inline float clamped_probability(float p) {
  return std::max(p, std::numeric_limits<float>::min());
}

}  // namespace fnn_plugins
