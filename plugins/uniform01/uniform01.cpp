// The article's initialisation (its step 2): every weight uniform in [0, 1). Kept to reproduce
// the article; it saturates sigmoid units in wide layers, so it is not the default.
#include <fnn/plugin.hpp>

namespace {

class Uniform01 final : public fnn::Initializer {
 public:
  void fill(std::span<float> weights, std::size_t /*fan_in*/, std::size_t /*fan_out*/,
            fnn::Rng& rng) const override {
    for (float& weight : weights) weight = rng.uniform(0.0F, 1.0F);
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.initializer<Uniform01>("uniform01", "uniform in [0, 1), as in the article");
}
