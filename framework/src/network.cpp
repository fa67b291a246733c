#include "fnn/network.hpp"

#include <algorithm>
#include <string>

#include "activation_layer.hpp"
#include "inference_pool.hpp"
#include "fnn/error.hpp"
#include "fnn/registry.hpp"
#include "fnn/names.hpp"
#include "fnn/parallel.hpp"
#include "fnn/sizes.hpp"

namespace fnn {

namespace {

// A spec entry names a layer ("dense") or an activation ("sigmoid"), which becomes a layer; a
// layer of the name wins.
bool names_activation(const Registry& registry, const std::string& name) {
  return !registry.contains(Kind::layer, name) && registry.contains(Kind::activation, name);
}

// Runs a call into component code. What a plugin throws there (perhaps inside a TBB task) comes
// out as a TrainingError that names the component; the name is only built on failure, so the
// hot path does not allocate.
template <class Call, class Describe>
void guarded(Call&& call, Describe&& describe) {
  try {
    call();
  } catch (const std::exception& error) {
    throw TrainingError(describe() + ": " + error.what());
  }
}

// The first `rows` rows of a workspace buffer, as a dense rows × cols block.
MatrixView block(Matrix& buffer, std::size_t rows, std::size_t cols) {
  return {buffer.data(), rows, cols};
}

}  // namespace

std::shared_ptr<Layer> make_network_layer(const Registry& registry, const LayerSpec& spec) {
  if (registry.contains(Kind::layer, spec.name)) {
    return registry.make_layer(spec.name, spec.options);
  }
  if (names_activation(registry, spec.name)) {
    return std::make_shared<detail::ActivationLayer>(
        registry.make_activation(spec.name, spec.options));
  }
  const std::vector<std::string> layers = registry.names(Kind::layer);
  const std::vector<std::string> activations = registry.names(Kind::activation);
  std::vector<std::string> known = layers;
  known.insert(known.end(), activations.begin(), activations.end());
  std::string message = "no layer or activation is called '" + spec.name + "'";
  const std::string nearest = nearest_name(spec.name, known);
  message += nearest.empty() ? "." : "; did you mean '" + nearest + "'?";
  message += " Layers: " + (layers.empty() ? "none" : join(layers)) +
             "; activations: " + (activations.empty() ? "none" : join(activations)) +
             " (a missing name may mean a plugin was not found: see `fnn plugins`)";
  throw UnknownComponentError(message, spec.name, "a layer");
}

Network::Network(const Registry& registry, NetworkSpec spec) : spec_(std::move(spec)) {
  if (spec_.inputs == 0) throw SpecError("the network's input width is 0: give it the number of "
                                         "input features");
  if (spec_.layers.empty()) throw SpecError("the network has no layers");
  std::size_t width = spec_.inputs;
  offsets_.push_back(0);
  for (std::size_t i = 0; i < spec_.layers.size(); ++i) {
    const LayerSpec& layer_spec = spec_.layers[i];
    const std::string where = describe_layer(i);
    try {
      std::shared_ptr<Layer> layer = make_network_layer(registry, layer_spec);
      width = layer->setup(width);
      offsets_.push_back(
          checked_add(offsets_.back(), layer->parameter_count(), "the network's parameter count"));
      layers_.push_back(std::move(layer));
    } catch (const UnknownComponentError& error) {
      throw UnknownComponentError(where + ": " + error.what(), error.name(),
                                  "layer " + std::to_string(i + 1));
    } catch (const PluginError& error) {
      throw PluginError(where + ": " + error.what());
    } catch (const Error& error) {
      throw SpecError(where + ": " + error.what());
    }
  }
  if (names_activation(registry, spec_.layers.back().name)) {
    output_activation_ = spec_.layers.back().name;
  }
  if (const auto shortfall = memory_shortfall(static_cast<double>(offsets_.back()))) {
    throw SpecError("the network's " + std::to_string(offsets_.back()) + " parameters need " +
                    *shortfall);
  }
  parameters_.assign(offsets_.back(), 0.0F);
  for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->bind(layer_parameters(i));
  std::size_t widest_hidden = 0;  // the last layer writes the caller's outputs
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) {
    widest_hidden = std::max(widest_hidden, layers_[i]->output_size());
  }
  inference_pool_ = std::make_unique<detail::InferencePool>(widest_hidden);
}

Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

std::size_t Network::output_size() const noexcept { return layers_.back()->output_size(); }

std::string Network::describe_layer(std::size_t index) const {
  return "network layer " + std::to_string(index + 1) + " (" + spec_.layers[index].name + ")";
}

std::span<float> Network::layer_gradient(std::span<float> gradient, std::size_t index) const {
  return gradient.subspan(offsets_[index], offsets_[index + 1] - offsets_[index]);
}

std::span<float> Network::layer_parameters(std::size_t index) {
  return std::span<float>(parameters_).subspan(offsets_.at(index),
                                               offsets_.at(index + 1) - offsets_[index]);
}

void Network::set_parameters(std::span<const float> values) {
  if (values.size() != parameters_.size()) {
    throw SpecError("the network has " + std::to_string(parameters_.size()) +
                    " parameters, got " + std::to_string(values.size()));
  }
  std::ranges::copy(values, parameters_.begin());
}

void Network::initialize(const Initializer& init, Rng& rng) {
  for (const auto& layer : layers_) layer->reset_parameters(init, rng);
}

void Network::check_inputs(ConstMatrixView inputs) const {
  if (inputs.cols() != input_size()) {
    throw TrainingError("the network takes " + std::to_string(input_size()) +
                        " inputs per sample, the data has " + std::to_string(inputs.cols()));
  }
}

void Network::check_outputs(std::size_t rows, ConstMatrixView outputs) const {
  if (outputs.rows() != rows || outputs.cols() != output_size()) {
    throw TrainingError("the outputs of " + std::to_string(rows) + " samples need " +
                        std::to_string(rows) + " × " + std::to_string(output_size()) +
                        " floats, the buffer is " + std::to_string(outputs.rows()) + " × " +
                        std::to_string(outputs.cols()));
  }
}

void Network::forward_layer(std::size_t index, ConstMatrixView input, MatrixView output,
                            const PassContext& context) const {
  guarded([&] { layers_[index]->forward(input, output, context); },
          [&] { return describe_layer(index) + " failed in forward"; });
}

ConstMatrixView Network::forward(ConstMatrixView inputs, Workspace& workspace,
                                 const PassContext& context) const {
  check_inputs(inputs);
  if (inputs.rows() > workspace.capacity()) {
    throw TrainingError("a batch of " + std::to_string(inputs.rows()) +
                        " rows does not fit a workspace made for " +
                        std::to_string(workspace.capacity()));
  }
  ConstMatrixView current = inputs;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const MatrixView output = workspace.outputs_[i].view().row_block(0, inputs.rows());
    forward_layer(i, current, output, context);
    current = output;
  }
  return current;
}

// Only the current layer's input and output are alive, so two buffers taking turns hold every
// hidden layer, and the last layer writes straight into the caller's memory.
ConstMatrixView Network::infer(ConstMatrixView inputs, MatrixView outputs,
                               detail::InferenceBuffers& buffers) const {
  const PassContext evaluation{};
  const std::size_t last = layers_.size() - 1;
  ConstMatrixView current = inputs;
  for (std::size_t i = 0; i < last; ++i) {
    Matrix& buffer = i % 2 == 0 ? buffers.even : buffers.odd;
    const MatrixView output = block(buffer, inputs.rows(), layers_[i]->output_size());
    forward_layer(i, current, output, evaluation);
    current = output;
  }
  forward_layer(last, current, outputs, evaluation);
  return current;
}

template <class Pass>
void Network::for_each_block(std::size_t rows, Pass&& pass) const {
  const detail::InferencePool::Lease lease =
      inference_pool_->acquire(std::min(evaluation_block_rows, std::max<std::size_t>(rows, 1)));
  for (std::size_t first = 0; first < rows; first += evaluation_block_rows) {
    pass(first, std::min(evaluation_block_rows, rows - first), lease.buffers());
  }
}

void Network::predict(ConstMatrixView inputs, MatrixView outputs, Workspace& workspace) const {
  check_outputs(inputs.rows(), outputs);
  const ConstMatrixView result = forward(inputs, workspace, PassContext{});
  for (std::size_t r = 0; r < result.rows(); ++r) {
    std::copy_n(result.row(r).data(), result.cols(), outputs.row(r).data());
  }
}

void Network::predict(ConstMatrixView inputs, MatrixView outputs) const {
  check_inputs(inputs);
  check_outputs(inputs.rows(), outputs);
  for_each_block(inputs.rows(), [&](std::size_t first, std::size_t count,
                                    detail::InferenceBuffers& buffers) {
    infer(inputs.row_block(first, count), outputs.row_block(first, count), buffers);
  });
}

Matrix Network::predict(ConstMatrixView inputs) const {
  check_inputs(inputs);
  Matrix outputs(inputs.rows(), output_size());
  predict(inputs, outputs);
  return outputs;
}

double Network::mean_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                          MatrixView outputs) const {
  const double total = total_loss(inputs, targets, loss, outputs);
  return inputs.rows() == 0 ? 0.0 : total / static_cast<double>(inputs.rows());
}

double Network::total_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                           MatrixView outputs) const {
  check_targets(inputs.rows(), targets);
  check_outputs(inputs.rows(), outputs);
  check_inputs(inputs);
  double total = 0.0;
  for_each_block(inputs.rows(), [&](std::size_t first, std::size_t count,
                                    detail::InferenceBuffers& buffers) {
    const MatrixView prediction = outputs.row_block(first, count);
    const ConstMatrixView last_input = infer(inputs.row_block(first, count), prediction, buffers);
    total += loss_sum(last_input, prediction, targets.row_block(first, count), loss);
  });
  return total;
}

double Network::mean_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss) const {
  Matrix outputs(inputs.rows(), output_size());
  return mean_loss(inputs, targets, loss, outputs);
}

void Network::check_targets(std::size_t rows, ConstMatrixView targets) const {
  if (targets.rows() != rows || targets.cols() != output_size()) {
    throw TrainingError("the network has " + std::to_string(output_size()) +
                        " outputs, the targets are " + std::to_string(targets.rows()) + " × " +
                        std::to_string(targets.cols()) + " for " + std::to_string(rows) +
                        " samples");
  }
}

bool Network::fuses(const Loss& loss) const {
  return !output_activation_.empty() && loss.fused_activation() == output_activation_;
}

double Network::loss_sum(ConstMatrixView last_input, ConstMatrixView prediction,
                         ConstMatrixView targets, const Loss& loss) const {
  double total = 0.0;
  guarded(
      [&] {
        // A fused activation's loss comes from its input (the logits).
        total = fuses(loss) ? loss.fused_sum(last_input, prediction, targets)
                            : loss.sum(prediction, targets);
      },
      [] { return std::string("the loss failed"); });
  return total;
}

double Network::loss_and_gradient(ConstMatrixView inputs, ConstMatrixView targets,
                                  const Loss& loss, std::span<float> gradient) const {
  Workspace workspace(*this, inputs.rows());
  const double rows = static_cast<double>(std::max<std::size_t>(inputs.rows(), 1));
  return backpropagate(inputs, targets, loss, static_cast<float>(1.0 / rows), gradient,
                       workspace, PassContext{}) /
         rows;
}

double Network::backpropagate(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                              float gradient_scale, std::span<float> gradient,
                              Workspace& workspace, const PassContext& context) const {
  const std::size_t rows = inputs.rows();
  check_targets(rows, targets);
  if (gradient.size() != parameters_.size()) {
    throw TrainingError("the gradient buffer holds " + std::to_string(gradient.size()) +
                        " floats, the network has " + std::to_string(parameters_.size()) +
                        " parameters");
  }
  const ConstMatrixView prediction = forward(inputs, workspace, context);
  const std::size_t last = layers_.size() - 1;
  const ConstMatrixView last_input =
      last == 0 ? inputs : ConstMatrixView(workspace.outputs_[last - 1].view().row_block(0, rows));
  const double total_loss = loss_sum(last_input, prediction, targets, loss);

  // With a fused loss (softmax + cross-entropy) the loss gives ∂L/∂z of the last activation
  // directly, and that activation's own backward is skipped.
  const bool fused = fuses(loss);
  const auto loss_failed = [] { return std::string("the loss failed"); };
  std::size_t next_layer = layers_.size();
  MatrixView upstream = block(workspace.gradient_a_, rows, output_size());
  if (fused) {
    guarded([&] { loss.fused_gradient(prediction, targets, upstream); }, loss_failed);
    --next_layer;
  } else {
    guarded([&] { loss.gradient(prediction, targets, upstream); }, loss_failed);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    for (float& value : upstream.row(r)) value *= gradient_scale;
  }

  // Two buffers take turns: the layer reads ∂L/∂output from one and writes ∂L/∂input to the other.
  Matrix* free_buffer = &workspace.gradient_b_;
  for (std::size_t i = next_layer; i-- > 0;) {
    const Layer& layer = *layers_[i];
    const ConstMatrixView input =
        i == 0 ? inputs : ConstMatrixView(workspace.outputs_[i - 1].view().row_block(0, rows));
    const auto parameter_gradient = [&] {
      guarded([&] { layer.gradient(input, upstream, layer_gradient(gradient, i)); },
              [&] { return describe_layer(i) + " failed computing its parameter gradient"; });
    };
    if (i == 0) {  // nothing upstream of the first layer needs ∂L/∂input
      parameter_gradient();
      break;
    }
    const MatrixView downstream = block(*free_buffer, rows, layer.input_size());
    const auto input_gradient = [&] {
      guarded(
          [&] {
            layer.backward(input, workspace.outputs_[i].view().row_block(0, rows), upstream,
                           downstream, context);
          },
          [&] { return describe_layer(i) + " failed in backward"; });
    };
    // Both read only ∂L/∂output and write different buffers: run side by side, so that one's
    // small serial products fill the gaps of the other's parallel ones.
    if (layer.parameter_count() > 0) {
      run_side_by_side(parameter_gradient, input_gradient);
    } else {
      input_gradient();
    }
    free_buffer = upstream.data() == workspace.gradient_a_.data() ? &workspace.gradient_a_
                                                                   : &workspace.gradient_b_;
    upstream = downstream;
  }
  return total_loss;
}

}  // namespace fnn
