#include "fnn/network.hpp"

#include <algorithm>
#include <string>

#include "activation_layer.hpp"
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

std::shared_ptr<Layer> make_layer(const Registry& registry, const LayerSpec& spec) {
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

// Calls `work(first, count, workspace)` for consecutive blocks of `rows` rows, through one
// workspace of at most `block_rows`: evaluation of a large data set in bounded memory.
template <class Work>
void for_each_block(const Network& network, std::size_t rows, Work&& work) {
  constexpr std::size_t block_rows = 1024;
  Workspace workspace(network, std::min(block_rows, std::max<std::size_t>(rows, 1)));
  for (std::size_t first = 0; first < rows; first += block_rows) {
    work(first, std::min(block_rows, rows - first), workspace);
  }
}

// The first `rows` rows of a workspace buffer, as a dense rows × cols block.
MatrixView block(Matrix& buffer, std::size_t rows, std::size_t cols) {
  return {buffer.data(), rows, cols};
}

}  // namespace

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
      std::shared_ptr<Layer> layer = make_layer(registry, layer_spec);
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

ConstMatrixView Network::forward(ConstMatrixView inputs, Workspace& workspace,
                                 const PassContext& context) const {
  if (inputs.cols() != input_size()) {
    throw TrainingError("the network takes " + std::to_string(input_size()) +
                        " inputs per sample, the data has " + std::to_string(inputs.cols()));
  }
  if (inputs.rows() > workspace.capacity()) {
    throw TrainingError("a batch of " + std::to_string(inputs.rows()) +
                        " rows does not fit a workspace made for " +
                        std::to_string(workspace.capacity()));
  }
  ConstMatrixView current = inputs;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const MatrixView output = workspace.outputs_[i].view().row_block(0, inputs.rows());
    guarded([&] { layers_[i]->forward(current, output, context); },
            [&] { return describe_layer(i) + " failed in forward"; });
    current = output;
  }
  return current;
}

void Network::predict(ConstMatrixView inputs, MatrixView outputs, Workspace& workspace) const {
  const ConstMatrixView result = forward(inputs, workspace, PassContext{});
  for (std::size_t r = 0; r < result.rows(); ++r) {
    std::copy_n(result.row(r).data(), result.cols(), outputs.row(r).data());
  }
}

Matrix Network::predict(ConstMatrixView inputs) const {
  Matrix outputs(inputs.rows(), output_size());
  for_each_block(
      *this, inputs.rows(), [&](std::size_t first, std::size_t count, Workspace& workspace) {
        predict(inputs.row_block(first, count), outputs.view().row_block(first, count), workspace);
      });
  return outputs;
}

double Network::mean_loss(ConstMatrixView inputs, ConstMatrixView targets, const Loss& loss,
                          MatrixView outputs) const {
  check_targets(inputs.rows(), targets);
  if (outputs.rows() != inputs.rows() || outputs.cols() != output_size()) {
    throw TrainingError("the outputs of " + std::to_string(inputs.rows()) + " samples need " +
                        std::to_string(inputs.rows()) + " × " + std::to_string(output_size()) +
                        " floats, the buffer is " + std::to_string(outputs.rows()) + " × " +
                        std::to_string(outputs.cols()));
  }
  double total = 0.0;
  for_each_block(
      *this, inputs.rows(), [&](std::size_t first, std::size_t count, Workspace& workspace) {
        const ConstMatrixView block_inputs = inputs.row_block(first, count);
        const ConstMatrixView prediction = forward(block_inputs, workspace, PassContext{});
        total +=
            loss_sum(block_inputs, prediction, targets.row_block(first, count), loss, workspace);
        for (std::size_t r = 0; r < count; ++r) {
          std::ranges::copy(prediction.row(r), outputs.row(first + r).begin());
        }
      });
  return inputs.rows() == 0 ? 0.0 : total / static_cast<double>(inputs.rows());
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

double Network::loss_sum(ConstMatrixView inputs, ConstMatrixView prediction,
                         ConstMatrixView targets, const Loss& loss,
                         const Workspace& workspace) const {
  double total = 0.0;
  guarded(
      [&] {
        if (!fuses(loss)) {
          total = loss.sum(prediction, targets);
          return;
        }
        // The fused activation's input: the output of the layer before it, or the network's input.
        const std::size_t last = layers_.size() - 1;
        const ConstMatrixView logits =
            last == 0 ? inputs : workspace.outputs_[last - 1].view().row_block(0, inputs.rows());
        total = loss.fused_sum(logits, prediction, targets);
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
  const double total_loss = loss_sum(inputs, prediction, targets, loss, workspace);

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
