// Glorot & Bengio (2010), normal form: N(0, 2 / (fan_in + fan_out)), the same variance as
// glorot_uniform.
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

class GlorotNormal final : public fnn::Initializer {
 public:
  void fill(std::span<float> weights, std::size_t fan_in, std::size_t fan_out,
            fnn::Rng& rng) const override {
    const auto deviation =
        static_cast<float>(std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
    for (float& weight : weights) weight = deviation * rng.normal();
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.initializer<GlorotNormal>("glorot_normal",
                                      "Glorot/Xavier normal N(0, 2 / (fan_in + fan_out))");
}
