#pragma once
#include <cstddef>
#include <fnn/network_spec.hpp>
#include <optional>
#include <string>
#include <vector>

#include "component_options.hpp"

namespace fnn::cli {

/// The shorthand for --layers: the multilayer perceptron --hidden, --activation,
/// --output-activation and --dropout describe: for each hidden width a dense layer,
/// `activation` and (when `dropout` > 0) a dropout layer; then a dense layer of `outputs` units
/// and `output_activation` (none: a linear output).
NetworkSpec perceptron(std::size_t inputs, const std::vector<std::size_t>& hidden,
                       const ComponentChoice& activation,
                       const std::optional<ComponentChoice>& output_activation,
                       std::size_t outputs, double dropout);

/// For a run resumed into epoch `next_epoch` with `epochs` in all, of a model saved by a run of
/// `saved_epochs` (0: unknown): when its schedule depends on the total and the total changed, the
/// line that says so ("the cosine schedule now spans 20 epochs instead of the 10 it was saved
/// with: epoch 11 trains at 0.2 (0.5 × 0.4)"); else "".
std::string schedule_change(const std::string& schedule, double base_rate, std::size_t next_epoch,
                            std::size_t saved_epochs, std::size_t epochs);

}  // namespace fnn::cli
