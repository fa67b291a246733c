// The fully-connected layer: output = input · W + b, with W stored inputs × outputs as the
// article's Θ, and its three GEMMs per batch (forward, input gradient, weight gradient).
#include <algorithm>
#include <fnn/plugin.hpp>
#include <fnn/sizes.hpp>
#include <string>
#include <vector>

namespace {

using fnn::ConstMatrixView;
using fnn::MatrixView;
using fnn::blas::Op;

class Dense final : public fnn::Layer {
 public:
  explicit Dense(const fnn::Options& options)
      : units_(options.count("units")),
        bias_(options.flag("bias", true)),
        declared_inputs_(options.count("inputs", 0)) {}

  std::size_t parameter_count() const override { return parameter_count_; }

  void reset_parameters(const fnn::Initializer& init, fnn::Rng& rng) override {
    init.fill(parameters().first(input_size() * units_), input_size(), units_, rng);
    std::ranges::fill(bias(), 0.0F);
  }

  void forward(ConstMatrixView input, MatrixView output,
               const fnn::PassContext& /*context*/) const override {
    float beta = 0.0F;
    if (bias_) {  // start every row from b, then accumulate input · W onto it
      for (std::size_t r = 0; r < output.rows(); ++r) std::ranges::copy(bias(), output.row(r).begin());
      beta = 1.0F;
    }
    fnn::blas::gemm(Op::none, Op::none, 1.0F, input, weights(), beta, output);
  }

  void backward(ConstMatrixView /*input*/, ConstMatrixView /*output*/,
                ConstMatrixView output_gradient, MatrixView input_gradient,
                const fnn::PassContext& /*context*/) const override {
    fnn::blas::gemm(Op::none, Op::transpose, 1.0F, output_gradient, weights(), 0.0F,
                    input_gradient);
  }

  void gradient(ConstMatrixView input, ConstMatrixView output_gradient,
                std::span<float> parameter_gradient) const override {
    const MatrixView weight_gradient(parameter_gradient.data(), input_size(), units_);
    fnn::blas::gemm(Op::transpose, Op::none, 1.0F, input, output_gradient, 0.0F, weight_gradient);
    if (!bias_) return;
    const std::span<float> bias_gradient = parameter_gradient.subspan(input_size() * units_);
    std::ranges::fill(bias_gradient, 0.0F);
    for (std::size_t r = 0; r < output_gradient.rows(); ++r) {
      const std::span<const float> row = output_gradient.row(r);
      for (std::size_t c = 0; c < units_; ++c) bias_gradient[c] += row[c];
    }
  }

  // Gemm computes input · B + C: B is W as stored (inputs × units), C the bias.
  std::optional<std::string> to_onnx(fnn::OnnxGraph& graph,
                                     const std::string& input) const override {
    const auto inputs = static_cast<std::int64_t>(input_size());
    const auto units = static_cast<std::int64_t>(units_);
    const std::string weight =
        graph.add_initializer("weight", {inputs, units}, parameters().first(input_size() * units_));
    std::vector<std::string> operands{input, weight};
    if (bias_) operands.push_back(graph.add_initializer("bias", {units}, bias()));
    return graph.add_node("Gemm", std::move(operands));
  }

 protected:
  std::size_t configure(std::size_t input_size) override {
    if (declared_inputs_ != 0 && declared_inputs_ != input_size) {
      throw fnn::SpecError("it declares inputs=" + std::to_string(declared_inputs_) +
                           " but the layer before it has " + std::to_string(input_size) +
                           " outputs");
    }
    // Widths come from options and model files: counted with overflow checks, once.
    parameter_count_ = fnn::checked_add(
        fnn::checked_multiply(input_size, units_, "its weight count (inputs × units)"),
        bias_ ? units_ : 0, "its parameter count (weights + biases)");
    return units_;
  }

 private:
  ConstMatrixView weights() const { return {parameters().data(), input_size(), units_}; }
  std::span<float> bias() const {
    return bias_ ? parameters().subspan(input_size() * units_) : std::span<float>();
  }

  std::size_t units_;
  bool bias_;
  std::size_t declared_inputs_;  // 0: take whatever the previous layer gives
  std::size_t parameter_count_ = 0;
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.layer<Dense>("dense",
                         "fully-connected layer input * W + b; options units (required), "
                         "bias (true), inputs (checked if given)");
}
