// Row-wise softmax a_i = e^{z_i} / Σ_j e^{z_j}: each sample's outputs are a probability
// distribution, for classification with cross_entropy (which fuses with it).
#include <algorithm>
#include <cmath>
#include <fnn/plugin.hpp>

namespace {

class Softmax final : public fnn::Activation {
 public:
  void forward(fnn::ConstMatrixView z, fnn::MatrixView a) const override {
    for (std::size_t r = 0; r < z.rows(); ++r) {
      const std::span<const float> in = z.row(r);
      const std::span<float> out = a.row(r);
      // Subtracting the row's maximum changes nothing mathematically and keeps every exponent
      // ≤ 0, so z = 1000 does not overflow and the sum is at least 1.
      const float top = *std::ranges::max_element(in);
      double total = 0.0;
      for (std::size_t c = 0; c < in.size(); ++c) {
        out[c] = std::exp(in[c] - top);
        total += out[c];
      }
      const auto inverse = static_cast<float>(1.0 / total);
      for (float& value : out) value *= inverse;
    }
  }

  // The Jacobian is diag(a) − a·aᵀ per row, so its product with da is a ⊙ (da − Σ da ⊙ a):
  // O(n) per row, without forming the n × n matrix.
  void backward(fnn::ConstMatrixView /*z*/, fnn::ConstMatrixView a, fnn::ConstMatrixView da,
                fnn::MatrixView dz) const override {
    for (std::size_t r = 0; r < a.rows(); ++r) {
      double dot = 0.0;
      for (std::size_t c = 0; c < a.cols(); ++c) dot += static_cast<double>(da(r, c)) * a(r, c);
      const auto shift = static_cast<float>(dot);
      for (std::size_t c = 0; c < a.cols(); ++c) dz(r, c) = a(r, c) * (da(r, c) - shift);
    }
  }

  // Opset 13 and later normalise along the one axis given: each sample's row.
  std::optional<std::string> to_onnx(fnn::OnnxGraph& graph,
                                     const std::string& input) const override {
    return graph.add_node("Softmax", {input}, {{"axis", std::int64_t{-1}}});
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.activation<Softmax>(
      "softmax", "row-wise e^z_i / sum_j e^z_j (max-subtracted); fuses with cross_entropy");
}
