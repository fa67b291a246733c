// Plain stochastic gradient descent: θ ← θ − η·g.
#include <fnn/plugin.hpp>

namespace {

class Sgd final : public fnn::Optimizer {
 public:
  explicit Sgd(const fnn::Options& options)
      : learning_rate_(static_cast<float>(options.number("learning_rate", 0.1))) {
    if (!(learning_rate_ > 0.0F)) {
      throw fnn::SpecError("option 'learning_rate' must be positive, is " +
                           options.text("learning_rate"));
    }
  }

  void step(std::span<float> parameters, std::span<const float> gradient) override {
    for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] -= learning_rate_ * gradient[i];
  }

 private:
  float learning_rate_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.optimizer<Sgd>("sgd", "stochastic gradient descent; option learning_rate (0.1)");
}
