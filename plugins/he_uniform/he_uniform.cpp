// He et al. (2015) for ReLU layers: U(−l, l) with l = √(6 / fan_in), variance 2 / fan_in, which
// makes up for ReLU zeroing half of its inputs.
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

class HeUniform final : public fnn::Initializer {
 public:
  void fill(std::span<float> weights, std::size_t fan_in, std::size_t /*fan_out*/,
            fnn::Rng& rng) const override {
    const auto limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in)));
    for (float& weight : weights) weight = rng.uniform(-limit, limit);
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.initializer<HeUniform>("he_uniform",
                                   "He/Kaiming uniform U(-l, l), l = sqrt(6 / fan_in), for relu");
}
