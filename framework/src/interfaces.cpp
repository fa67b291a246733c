// Out-of-line destructors and defaults of the plugin interfaces: they anchor each vtable in
// libfnn, so objects made in a plugin are the same types to the host.
#include "fnn/activation.hpp"
#include "fnn/initializer.hpp"
#include "fnn/loss.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/registrar.hpp"

namespace fnn {

Activation::~Activation() = default;
Initializer::~Initializer() = default;
Registrar::~Registrar() = default;

Loss::~Loss() = default;
double Loss::mean(ConstMatrixView prediction, ConstMatrixView target) const {
  return prediction.rows() == 0 ? 0.0
                                : sum(prediction, target) / static_cast<double>(prediction.rows());
}

Optimizer::~Optimizer() = default;
void Optimizer::setup(std::size_t /*parameter_count*/) {}
std::span<float> Optimizer::state() { return {}; }

}  // namespace fnn
