#pragma once
#include <concepts>

#include "fnn/activation.hpp"
#include "fnn/options.hpp"
#include "fnn/parallel.hpp"

namespace fnn {

/// An Activation from two scalar functions, for the common element-wise case. `Math` provides
///     float value(float z);                  // φ(z)
///     float derivative(float z, float a);    // φ'(z), given also a = φ(z)
/// (static, or members of a Math built from the component's Options when it has such a
/// constructor, e.g. leaky_relu's slope), and the loops, strides, parallel blocks and chain rule
/// (dz = da · φ'(z)) are done here, inlined into the plugin.
template <class Math>
class ElementwiseActivation final : public Activation {
 public:
  ElementwiseActivation() = default;
  explicit ElementwiseActivation(const Options& options)
    requires std::constructible_from<Math, const Options&>
      : math_(options) {}

  void forward(ConstMatrixView z, MatrixView a) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      const Math math = math_;  // a local: stores through `out` cannot alias it, so loops vectorise
      for (std::size_t r = begin; r < end; ++r) {
        const float* in = z.row(r).data();
        float* out = a.row(r).data();
        for (std::size_t c = 0; c < z.cols(); ++c) out[c] = math.value(in[c]);
      }
    });
  }

  void backward(ConstMatrixView z, ConstMatrixView a, ConstMatrixView da,
                MatrixView dz) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      const Math math = math_;
      for (std::size_t r = begin; r < end; ++r) {
        const float* zr = z.row(r).data();
        const float* ar = a.row(r).data();
        const float* dar = da.row(r).data();
        float* dzr = dz.row(r).data();
        for (std::size_t c = 0; c < z.cols(); ++c) {
          dzr[c] = dar[c] * math.derivative(zr[c], ar[c]);
        }
      }
    });
  }

 private:
  // Rows per parallel task: about 4096 values, below which scheduling costs more than it saves.
  static std::size_t rows_per_task(ConstMatrixView z) { return 4096 / (z.cols() + 1) + 1; }

  Math math_{};
};

}  // namespace fnn
