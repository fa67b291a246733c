#pragma once
#include "fnn/activation.hpp"

namespace fnn {

/// An Activation from two scalar functions, for the common element-wise case. `Math` provides
///     static float value(float z);                  // φ(z)
///     static float derivative(float z, float a);    // φ'(z), given also a = φ(z)
/// and the loops, strides and chain rule (dz = da · φ'(z)) are done here, inlined into the plugin.
template <class Math>
class ElementwiseActivation final : public Activation {
 public:
  void forward(ConstMatrixView z, MatrixView a) const override {
    for (std::size_t r = 0; r < z.rows(); ++r) {
      const float* in = z.row(r).data();
      float* out = a.row(r).data();
      for (std::size_t c = 0; c < z.cols(); ++c) out[c] = Math::value(in[c]);
    }
  }

  void backward(ConstMatrixView z, ConstMatrixView a, ConstMatrixView da,
                MatrixView dz) const override {
    for (std::size_t r = 0; r < z.rows(); ++r) {
      const float* zr = z.row(r).data();
      const float* ar = a.row(r).data();
      const float* dar = da.row(r).data();
      float* dzr = dz.row(r).data();
      for (std::size_t c = 0; c < z.cols(); ++c) dzr[c] = dar[c] * Math::derivative(zr[c], ar[c]);
    }
  }
};

}  // namespace fnn
