// Plain stochastic gradient descent: θ ← θ − η·g.
#include <fnn/plugin.hpp>

namespace {

class Sgd final : public fnn::Optimizer {
 public:
  explicit Sgd(const fnn::Options& options) : Optimizer(options, 0.1) {}

  void step(std::span<float> parameters, std::span<const float> gradient) override {
    const auto rate = static_cast<float>(learning_rate());
    for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] -= rate * gradient[i];
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.optimizer<Sgd>("sgd", "stochastic gradient descent; option learning_rate (0.1)");
}
