#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fnn/export.hpp"
#include "fnn/initializer.hpp"
#include "fnn/matrix.hpp"
#include "fnn/onnx_graph.hpp"
#include "fnn/random.hpp"

namespace fnn {

/// What a pass through the network is for. Most layers ignore it; a layer that behaves differently
/// in training (dropout) or draws random numbers reads it.
struct PassContext {
  bool training = false;      ///< true in training batches, false in prediction and evaluation
  std::uint64_t seed = 0;     ///< differs per batch: same training seed, same random numbers
  /// The row of the whole batch where the `input` block starts (0 when it is the whole batch),
  /// so that per-sample randomness, seeded by seed and first_row + row, does not depend on how a
  /// batch is cut into blocks.
  std::size_t first_row = 0;
};

/// One step of a sequential network, mapping a batch `input` (rows × input_size) to `output`
/// (rows × output_size).
///
/// A layer holds its configuration and a view of its parameters, never per-batch state: inputs,
/// outputs and gradients are passed in by the caller, so one layer object serves many threads.
/// Its parameters live in the network's flat buffer; the network hands each layer its slice
/// with `bind`. The life of a layer:
///   1. `setup(input_size)` (non-virtual) validates and calls `configure`, which returns the
///      output width;
///   2. `bind(slice)` with `parameter_count()` floats, then `reset_parameters` to initialise;
///   3. any number of `forward`, `backward` and `gradient` calls, from any threads.
class FNN_API Layer {
 public:
  virtual ~Layer();

  /// Fixes the input width, asks the layer for its output width and checks both are non-zero.
  /// Throws SpecError on a zero width or when `configure` rejects the input.
  std::size_t setup(std::size_t input_size);
  std::size_t input_size() const noexcept { return input_size_; }
  std::size_t output_size() const noexcept { return output_size_; }

  /// Floats of parameters this layer needs; valid after setup.
  virtual std::size_t parameter_count() const { return 0; }
  /// Gives the layer its parameters: exactly `parameter_count()` floats that outlive it.
  void bind(std::span<float> parameters);
  /// Sets the parameters to fresh starting values (weights from `init`, biases zero).
  virtual void reset_parameters(const Initializer& init, Rng& rng);

  /// output = f(input).
  virtual void forward(ConstMatrixView input, MatrixView output,
                       const PassContext& context) const = 0;

  /// input_gradient = ∂L/∂input from output_gradient = ∂L/∂output, with the input and output of
  /// the forward pass. The network skips it for the first layer (nothing needs ∂L/∂x).
  virtual void backward(ConstMatrixView input, ConstMatrixView output,
                        ConstMatrixView output_gradient, MatrixView input_gradient,
                        const PassContext& context) const = 0;

  /// Writes ∂L/∂parameters (overwriting, `parameter_count()` floats) from the forward input and
  /// ∂L/∂output. Layers without parameters keep the default, which does nothing.
  virtual void gradient(ConstMatrixView input, ConstMatrixView output_gradient,
                        std::span<float> parameter_gradient) const;

  /// ONNX export (optional): adds this layer's inference computation to `graph`, reading the
  /// value named `input` ([batch, input_size()]), and returns the name of its output
  /// ([batch, output_size()]); a layer that is the identity at inference (dropout) returns
  /// `input`. The default returns nothing: "this layer cannot be exported", which `fnn export`
  /// reports naming the layer. See docs/writing-plugins.md, "Exporting to ONNX".
  virtual std::optional<std::string> to_onnx(OnnxGraph& graph, const std::string& input) const;

 protected:
  /// Validates `input_size` for this layer and returns the output width. Throw SpecError to
  /// reject (the network adds which layer it is).
  virtual std::size_t configure(std::size_t input_size) = 0;
  /// The slice given to `bind` (empty before).
  std::span<float> parameters() const noexcept { return parameters_; }

 private:
  std::size_t input_size_ = 0;
  std::size_t output_size_ = 0;
  std::span<float> parameters_;
};

}  // namespace fnn
