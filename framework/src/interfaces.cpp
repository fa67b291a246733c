// Out-of-line destructors and defaults of the plugin interfaces: they anchor each vtable in
// libfnn, so objects made in a plugin are the same types to the host.
#include <cmath>

#include "fnn/activation.hpp"
#include "fnn/error.hpp"
#include "fnn/initializer.hpp"
#include "fnn/loss.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/registrar.hpp"

namespace fnn {

Activation::~Activation() = default;
std::optional<std::string> Activation::to_onnx(OnnxGraph& /*graph*/,
                                               const std::string& /*input*/) const {
  return std::nullopt;
}
Initializer::~Initializer() = default;
Registrar::~Registrar() = default;

Loss::~Loss() = default;
double Loss::mean(ConstMatrixView prediction, ConstMatrixView target) const {
  return prediction.rows() == 0 ? 0.0
                                : sum(prediction, target) / static_cast<double>(prediction.rows());
}

std::string_view Loss::fused_activation() const { return {}; }
void Loss::fused_gradient(ConstMatrixView /*prediction*/, ConstMatrixView /*target*/,
                          MatrixView /*gradient*/) const {
  throw SpecError("this loss has no fused gradient (fused_activation() is empty)");
}
double Loss::fused_sum(ConstMatrixView /*z*/, ConstMatrixView prediction,
                       ConstMatrixView target) const {
  return sum(prediction, target);
}

Optimizer::Optimizer(const Options& options, double fallback)
    : learning_rate_(options.number("learning_rate", fallback)) {
  if (!(learning_rate_ > 0.0)) {
    throw SpecError("option 'learning_rate' must be positive, is " +
                    options.text("learning_rate"));
  }
  // The steps run in float: a rate that rounds to 0 (below ~1.4e-45) would silently train
  // nothing, one above ~3.4e38 would make every weight infinite.
  const auto as_float = static_cast<float>(learning_rate_);
  if (!(as_float > 0.0F) || !std::isfinite(as_float)) {
    throw SpecError("option 'learning_rate' is " + options.text("learning_rate") +
                    ", which is not a positive float (the steps are computed in float: about "
                    "1.4e-45 to 3.4e38)");
  }
}
Optimizer::~Optimizer() = default;
void Optimizer::setup(std::size_t /*parameter_count*/) {}
std::span<float> Optimizer::state() { return {}; }

}  // namespace fnn
