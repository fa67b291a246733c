// Glorot & Bengio (2010): U(−l, l) with l = √(6 / (fan_in + fan_out)) keeps the activation and
// gradient variances about equal across layers. fnn's default initializer.
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

class GlorotUniform final : public fnn::Initializer {
 public:
  void fill(std::span<float> weights, std::size_t fan_in, std::size_t fan_out,
            fnn::Rng& rng) const override {
    const auto limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
    for (float& weight : weights) weight = rng.uniform(-limit, limit);
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.initializer<GlorotUniform>(
      "glorot_uniform", "Glorot/Xavier uniform U(-l, l), l = sqrt(6 / (fan_in + fan_out))");
}
