// swish(z) = z·σ(z), an activation fnn does not ship: its math and one registration line.
#include <cmath>
#include <fnn/plugin.hpp>
#include <string>

struct Swish {
  static float sigmoid(float z) { return 1 / (1 + std::exp(-z)); }
  static float value(float z) { return z * sigmoid(z); }
  // d/dz z·σ(z) = σ(z) + z·σ(z)·(1 − σ(z)) = σ(z)·(1 + z·(1 − σ(z)))
  static float derivative(float z, float) {
    const float s = sigmoid(z);
    return s * (1 + z * (1 - s));
  }
  // For `fnn export`: the same function from ONNX operators, z · Sigmoid(z).
  static std::string onnx(fnn::OnnxGraph& graph, const std::string& z) {
    return graph.add_node("Mul", {z, graph.add_node("Sigmoid", {z})});
  }
};

FNN_PLUGIN(registrar) {
  registrar.activation<fnn::ElementwiseActivation<Swish>>("swish", "z * sigmoid(z), a.k.a. SiLU");
}
