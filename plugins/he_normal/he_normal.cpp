// He et al. (2015) for ReLU layers, normal form: N(0, 2 / fan_in).
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

class HeNormal final : public fnn::Initializer {
 public:
  void fill(std::span<float> weights, std::size_t fan_in, std::size_t /*fan_out*/,
            fnn::Rng& rng) const override {
    const auto deviation = static_cast<float>(std::sqrt(2.0 / static_cast<double>(fan_in)));
    for (float& weight : weights) weight = deviation * rng.normal();
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.initializer<HeNormal>("he_normal", "He/Kaiming normal N(0, 2 / fan_in), for relu");
}
