#pragma once
#include <concepts>
#include <optional>
#include <string>

#include "fnn/activation.hpp"
#include "fnn/multiversion.hpp"
#include "fnn/options.hpp"
#include "fnn/parallel.hpp"

namespace fnn {

/// An Activation from two scalar functions, for the common element-wise case. `Math` provides
///     float value(float z);                  // φ(z)
///     float derivative(float z, float a);    // φ'(z), given also a = φ(z)
/// (static, or members of a Math built from the component's Options when it has such a
/// constructor, e.g. leaky_relu's slope), and the loops, strides, parallel blocks and chain rule
/// (dz = da · φ'(z)) are done here, inlined into the plugin. For ONNX export, a Math may also
/// provide
///     std::string onnx(fnn::OnnxGraph& graph, const std::string& input);   // static or const
/// which adds φ's operators to the graph and returns the result's name (see OnnxGraph); without
/// it the activation cannot be exported.
template <class Math>
class ElementwiseActivation final : public Activation {
 public:
  ElementwiseActivation() = default;
  explicit ElementwiseActivation(const Options& options)
    requires std::constructible_from<Math, const Options&>
      : math_(options) {}

  void forward(ConstMatrixView z, MatrixView a) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r) {
        values(math_, z.row(r).data(), a.row(r).data(), z.cols());
      }
    });
  }

  std::optional<std::string> to_onnx(OnnxGraph& graph, const std::string& input) const override {
    if constexpr (exports_onnx) {
      return math_.onnx(graph, input);
    } else {
      return std::nullopt;
    }
  }

  void backward(ConstMatrixView z, ConstMatrixView a, ConstMatrixView da,
                MatrixView dz) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r) {
        derivatives(math_, z.row(r).data(), a.row(r).data(), da.row(r).data(), dz.row(r).data(),
                    z.cols());
      }
    });
  }

 private:
  static constexpr bool exports_onnx =
      requires(const Math& math, OnnxGraph& graph, const std::string& input) {
        { math.onnx(graph, input) } -> std::convertible_to<std::string>;
      };
  // A Math whose onnx member is declared otherwise (not const, other parameters) would export
  // nothing without a word: refused here instead.
  static_assert(exports_onnx || !requires { &Math::onnx; },
                "Math::onnx must be std::string onnx(fnn::OnnxGraph&, const std::string&), "
                "static or const");

  // Rows per parallel task: about 4096 values, below which scheduling costs more than it saves.
  static std::size_t rows_per_task(ConstMatrixView z) { return 4096 / (z.cols() + 1) + 1; }

  // One row each. `math` is a copy: stores through the output cannot alias it, so the loops
  // vectorise (and with the AVX2 clone, 8 floats at a time).
  FNN_AVX2_CLONE static void values(Math math, const float* z, float* a, std::size_t count) {
    for (std::size_t c = 0; c < count; ++c) a[c] = math.value(z[c]);
  }
  FNN_AVX2_CLONE static void derivatives(Math math, const float* z, const float* a,
                                         const float* da, float* dz, std::size_t count) {
    for (std::size_t c = 0; c < count; ++c) dz[c] = da[c] * math.derivative(z[c], a[c]);
  }

  Math math_{};
};

}  // namespace fnn
