// Stochastic gradient descent θ ← θ − η·g, optionally with momentum (heavy ball or Nesterov)
// and L2 weight decay.
#include <fnn/plugin.hpp>
#include <type_traits>

#include "shared/optimizer.hpp"
#include "shared/options.hpp"

namespace {

class Sgd final : public fnn_plugins::StatefulOptimizer {
 public:
  explicit Sgd(const fnn::Options& options)
      : StatefulOptimizer(options, 0.1),
        momentum_(static_cast<float>(fnn_plugins::fraction_option(options, "momentum", 0.0))),
        nesterov_(options.flag("nesterov", false)) {
    if (nesterov_ && momentum_ == 0.0F) {
      throw fnn::SpecError(
          "option 'nesterov' needs a momentum above 0; set option 'momentum' "
          "(e.g. momentum=0.9) or drop nesterov");
    }
  }

  // Without momentum there is no state, so a plain-SGD model file stays as it was.
  void setup(std::size_t parameter_count) override {
    memory().assign(momentum_ > 0.0F ? parameter_count : 0, 0.0F);
  }

  // The velocity accumulates gradients, v ← μ·v + g, and the rate multiplies it at each step
  // (PyTorch's form, rather than folding η into v): a learning-rate schedule then changes the
  // step at once instead of through the decaying memory of old rates.
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    const auto rate = static_cast<float>(learning_rate());
    const float decay = weight_decay();
    float* theta = parameters.data();
    const float* g = gradient.data();
    if (memory().empty()) {
      for_each_parameter(parameters.size(), [=](std::size_t i) {
        theta[i] -= rate * decayed(g[i], theta[i], decay);
      });
      return;
    }
    float* velocity = memory().data();
    const float momentum = momentum_;
    const auto update = [=](std::size_t i, auto nesterov) {
      const float d = decayed(g[i], theta[i], decay);
      velocity[i] = momentum * velocity[i] + d;
      // Nesterov looks ahead: the step uses the gradient plus the velocity it is about to add.
      theta[i] -= rate * (nesterov ? d + momentum * velocity[i] : velocity[i]);
    };
    if (nesterov_) {
      for_each_parameter(parameters.size(), [=](std::size_t i) { update(i, std::true_type{}); });
    } else {
      for_each_parameter(parameters.size(), [=](std::size_t i) { update(i, std::false_type{}); });
    }
  }

 private:
  float momentum_;
  bool nesterov_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.optimizer<Sgd>("sgd",
                           "stochastic gradient descent; options learning_rate (0.1), "
                           "momentum (0), nesterov (false), weight_decay (0)");
}
