#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/initializer.hpp"
#include "fnn/layer.hpp"
#include "fnn/loss.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network_spec.hpp"
#include "fnn/random.hpp"
#include "fnn/workspace.hpp"

namespace fnn {

class Registry;
namespace detail {
class InferencePool;
struct InferenceBuffers;
}  // namespace detail

/// The rows an evaluation pass (predict, mean_loss) runs at a time: a data set is evaluated in
/// memory bounded by this block, whatever its size.
inline constexpr std::size_t evaluation_block_rows = 1024;

/// One entry of a NetworkSpec made as the network makes it: the layer of that name, else the
/// activation of that name as an element-wise layer (a layer wins a shared name); not yet set
/// up. UnknownComponentError listing the layers and activations when neither exists,
/// UnknownOptionError for options it does not take. For checking an entry on its own.
FNN_API std::shared_ptr<Layer> make_network_layer(const Registry& registry, const LayerSpec& spec);

/// A sequential network built from a NetworkSpec. It owns one flat parameter vector; each layer
/// sees its slice. Parameters start at zero: call `initialize` (the Trainer does not).
///
/// Thread safety: the const members (`predict`, `mean_loss`, `loss_and_gradient`, the
/// accessors) may run on any number of threads at once on one network, as long as nothing
/// changes it meanwhile: training it, `initialize`, `set_parameters`, writing through
/// `parameters()` or `layer_parameters()`, and moving or destroying it must wait until they
/// have returned.
/// Inference needs no caller workspace: each running prediction borrows buffers from a pool the
/// network keeps (one set per concurrent call, made on first need, reused afterwards), so after
/// warm-up `predict` into caller memory allocates nothing. Up to 3 rows run on the calling
/// thread only (no TBB tasks); larger batches cut their matrix products into tiles on the
/// caller's TBB arena (bound it with a tbb::task_arena or tbb::global_control).
/// docs/architecture.md, "Thread safety", says what is tested.
class FNN_API Network {
 public:
  /// Makes every layer through the registry and chains their widths. Throws SpecError (or
  /// PluginError for an unknown name) naming the layer by position and name.
  Network(const Registry& registry, NetworkSpec spec);
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  const NetworkSpec& spec() const noexcept { return spec_; }
  std::size_t input_size() const noexcept { return spec_.inputs; }
  std::size_t output_size() const noexcept;
  std::size_t layer_count() const noexcept { return layers_.size(); }
  const Layer& layer(std::size_t index) const { return *layers_.at(index); }

  /// All parameters, layer after layer (each layer's own order, e.g. dense: weights then bias).
  std::span<float> parameters() noexcept { return parameters_; }
  std::span<const float> parameters() const noexcept { return parameters_; }
  /// Copies `values` into the parameters: SpecError, before anything changes, unless it holds
  /// exactly parameter count values ("the network has 235146 parameters, got 235140").
  void set_parameters(std::span<const float> values);
  /// The range of `parameters()` that belongs to layer `index`.
  std::span<float> layer_parameters(std::size_t index);

  /// Fresh parameters: every layer's `reset_parameters`, in order, from one generator.
  void initialize(const Initializer& init, Rng& rng);

  /// Outputs for a batch of inputs (rows × input_size), in evaluation mode (no dropout).
  Matrix predict(ConstMatrixView inputs) const;
  /// The same into caller-owned memory (rows × output_size(), not overlapping the inputs).
  void predict(ConstMatrixView inputs, MatrixView outputs) const;
  /// The same through a training workspace of at least inputs.rows() capacity, which keeps
  /// every layer's output (the caller's; one workspace per thread).
  void predict(ConstMatrixView inputs, MatrixView outputs, Workspace& workspace) const;

  /// The mean loss of a data set, block by block in evaluation mode (no dropout), with the
  /// outputs written to `outputs` (rows × output_size()). When the network ends in the loss's
  /// fused activation, the loss comes from that activation's input (Loss::fused_sum), as the
  /// loss a training run reports does.
  double mean_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                   MatrixView outputs) const;
  double mean_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss) const;
  /// The loss summed over the rows, as `mean_loss` adds it up (it divides this by the rows):
  /// block by block, each block's sum added in order. Adding the totals of consecutive blocks of
  /// evaluation_block_rows rows (the last may be smaller) gives the total of all of them bit for
  /// bit, so data read from a file block by block is evaluated as if it had been read whole.
  double total_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                    MatrixView outputs) const;

  /// The batch-mean loss of `inputs` against `targets`, and its gradient with respect to every
  /// parameter (batch mean, written to `gradient`, parameter_count() floats). An evaluation-mode
  /// pass (no dropout), as the gradient checks need.
  double loss_and_gradient(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                           std::span<float> gradient) const;

  /// The training hot path, for one batch: forward, loss, backward. Returns the loss summed over
  /// the rows and writes the parameter gradient of that sum times `gradient_scale` (1 / rows
  /// gives the batch mean).
  double backpropagate(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                       float gradient_scale, std::span<float> gradient, Workspace& workspace,
                       const PassContext& context) const;

 private:
  friend class Workspace;
  std::string describe_layer(std::size_t index) const;  ///< "network layer 2 (dense)"
  std::span<float> layer_gradient(std::span<float> gradient, std::size_t index) const;
  void forward_layer(std::size_t index, ConstMatrixView input, MatrixView output,
                     const PassContext& context) const;
  ConstMatrixView forward(ConstMatrixView inputs, Workspace& workspace,
                          const PassContext& context) const;
  /// An evaluation pass of a block that fits `buffers`, the last layer writing `outputs`;
  /// returns the last layer's input.
  ConstMatrixView infer(ConstMatrixView inputs, MatrixView outputs,
                        detail::InferenceBuffers& buffers) const;
  /// Calls `pass(first, count, buffers)` for blocks of at most evaluation_block_rows of `rows`
  /// rows, with buffers borrowed from the pool.
  template <class Pass>
  void for_each_block(std::size_t rows, Pass&& pass) const;
  void check_inputs(ConstMatrixView inputs) const;
  void check_outputs(std::size_t rows, ConstMatrixView outputs) const;
  void check_targets(std::size_t rows, ConstMatrixView targets) const;
  bool fuses(const Loss& loss) const;  ///< the network ends in the loss's fused activation
  /// The loss summed over the rows of a pass, given the last layer's input and output.
  double loss_sum(ConstMatrixView last_input, ConstMatrixView prediction, ConstMatrixView targets,
                  const Loss& loss) const;

  NetworkSpec spec_;
  std::vector<std::shared_ptr<Layer>> layers_;
  std::vector<std::size_t> offsets_;  ///< offsets_[i]: start of layer i in parameters_; back(): total
  std::vector<float> parameters_;
  std::string output_activation_;  ///< the last layer's activation name, if it is one
  std::unique_ptr<detail::InferencePool> inference_pool_;  ///< buffers of running predictions
};

}  // namespace fnn
