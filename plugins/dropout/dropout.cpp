// Inverted dropout (Srivastava et al., 2014): in training each element is kept with probability
// 1 − rate and scaled by 1 / (1 − rate), so the expected output equals the input and
// evaluation is the plain identity.
#include <cstdint>
#include <fnn/plugin.hpp>

#include "shared/options.hpp"

namespace {

// splitmix64's finaliser (Steele et al., 2014): a bijection of 64-bit words whose every output
// bit depends on every input bit, so consecutive counters give independent-looking words.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Dropout final : public fnn::Layer {
 public:
  explicit Dropout(const fnn::Options& options)
      : rate_(fnn_plugins::fraction_option(options, "rate", 0.5)),
        scale_(static_cast<float>(1.0 / (1.0 - rate_))) {}

  void forward(fnn::ConstMatrixView input, fnn::MatrixView output,
               const fnn::PassContext& context) const override {
    apply_mask(input, output, context);
  }

  // The derivative of x ↦ mask·scale·x is the same mask and scale, recomputed from the context.
  void backward(fnn::ConstMatrixView /*input*/, fnn::ConstMatrixView /*output*/,
                fnn::ConstMatrixView output_gradient, fnn::MatrixView input_gradient,
                const fnn::PassContext& context) const override {
    apply_mask(output_gradient, input_gradient, context);
  }

  // At inference dropout is the identity: the graph goes on from its input.
  std::optional<std::string> to_onnx(fnn::OnnxGraph& /*graph*/,
                                     const std::string& input) const override {
    return input;
  }

 protected:
  std::size_t configure(std::size_t input_size) override { return input_size; }

 private:
  // The mask is not stored (layers hold no per-batch state): element (row, column) is kept when
  // a hash of (seed, batch row, column) clears the rate. The batch row is first_row + row, so a
  // sample gets the same decision however the batch is cut into chunks or threads, and backward
  // sees exactly the mask forward used.
  bool kept(const fnn::PassContext& context, std::size_t row, std::size_t column) const {
    const std::uint64_t h = mix(mix(mix(context.seed) ^ (context.first_row + row)) ^ column);
    // The top 53 bits as a double uniform in [0, 1): kept with probability 1 − rate.
    return static_cast<double>(h >> 11) * 0x1.0p-53 >= rate_;
  }

  void apply_mask(fnn::ConstMatrixView from, fnn::MatrixView to,
                  const fnn::PassContext& context) const {
    for (std::size_t r = 0; r < from.rows(); ++r) {
      for (std::size_t c = 0; c < from.cols(); ++c) {
        if (!context.training) {
          to(r, c) = from(r, c);
        } else {
          to(r, c) = kept(context, r, c) ? from(r, c) * scale_ : 0.0F;
        }
      }
    }
  }

  double rate_;
  float scale_;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.layer<Dropout>("dropout",
                           "inverted dropout in training, identity otherwise; option rate "
                           "(0.5, in [0, 1))");
}
