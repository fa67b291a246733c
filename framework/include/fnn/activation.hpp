#pragma once
#include <optional>
#include <string>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"
#include "fnn/onnx_graph.hpp"

namespace fnn {

/// An activation function a = φ(z), applied to a batch (one sample per row). Implementations are
/// element-wise or row-wise (softmax); they are stateless, so one object serves many threads.
///
/// Plugin authors implement both functions; `fnn gradcheck` and the test suite compare
/// `backward` with finite differences of `forward`.
class FNN_API Activation {
 public:
  virtual ~Activation();

  /// a = φ(z). `a` has the shape of `z` and never aliases it.
  virtual void forward(ConstMatrixView z, MatrixView a) const = 0;

  /// dz = ∂L/∂z given da = ∂L/∂a, with z and a = φ(z) from the forward pass (use whichever gives
  /// the cheaper derivative: sigmoid uses a). All four have the same shape.
  virtual void backward(ConstMatrixView z, ConstMatrixView a, ConstMatrixView da,
                        MatrixView dz) const = 0;

  /// ONNX export (optional): adds φ to `graph` as operators on the value named `input` and
  /// returns the name of the result (same shape). The default returns nothing: "not
  /// exportable", which `fnn export` reports naming the activation. An element-wise activation
  /// provides it through its Math instead (fnn/elementwise_activation.hpp).
  virtual std::optional<std::string> to_onnx(OnnxGraph& graph, const std::string& input) const;
};

}  // namespace fnn
