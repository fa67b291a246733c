#pragma once
#include "fnn/activation.hpp"
#include "fnn/parallel.hpp"

namespace fnn {

/// An Activation from two scalar functions, for the common element-wise case. `Math` provides
///     static float value(float z);                  // φ(z)
///     static float derivative(float z, float a);    // φ'(z), given also a = φ(z)
/// and the loops, strides and chain rule (dz = da · φ'(z)) are done here, inlined into the plugin.
template <class Math>
class ElementwiseActivation final : public Activation {
 public:
  void forward(ConstMatrixView z, MatrixView a) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r) {
        const float* in = z.row(r).data();
        float* out = a.row(r).data();
        for (std::size_t c = 0; c < z.cols(); ++c) out[c] = Math::value(in[c]);
      }
    });
  }

  void backward(ConstMatrixView z, ConstMatrixView a, ConstMatrixView da,
                MatrixView dz) const override {
    parallel_blocks(z.rows(), rows_per_task(z), [&](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r) {
        const float* zr = z.row(r).data();
        const float* ar = a.row(r).data();
        const float* dar = da.row(r).data();
        float* dzr = dz.row(r).data();
        for (std::size_t c = 0; c < z.cols(); ++c) {
          dzr[c] = dar[c] * Math::derivative(zr[c], ar[c]);
        }
      }
    });
  }

 private:
  // Rows per parallel task: about 4096 values, below which scheduling costs more than it saves.
  static std::size_t rows_per_task(ConstMatrixView z) { return 4096 / (z.cols() + 1) + 1; }
};

}  // namespace fnn
