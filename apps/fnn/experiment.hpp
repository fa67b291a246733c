#pragma once
#include <cstddef>
#include <filesystem>
#include <fnn/dataset.hpp>
#include <fnn/loss.hpp>
#include <fnn/network.hpp>
#include <fnn/registry.hpp>
#include <optional>
#include <string>
#include <vector>

#include "saved_model.hpp"

namespace fnn::cli {

/// The multilayer perceptron the options describe: for each hidden width a dense layer,
/// `activation` and (when `dropout` > 0) a dropout layer; then a dense layer of `outputs` units
/// and `output_activation` (none: a linear output).
NetworkSpec perceptron(std::size_t inputs, const std::vector<std::size_t>& hidden,
                       const ComponentChoice& activation,
                       const std::optional<ComponentChoice>& output_activation,
                       std::size_t outputs, double dropout);

/// Rebuilds a saved network with its weights. DataError when the file's parameter count does
/// not fit its own network.
Network restore_network(const Registry& registry, const SavedModel& model,
                        const std::filesystem::path& file);

/// Loss and, for class targets, accuracy of a network on a data set.
struct Evaluation {
  double loss = 0.0;
  std::optional<double> accuracy;
  std::size_t correct = 0;
  std::size_t samples = 0;
};
Evaluation evaluate(const Network& network, const Loss& loss, const Dataset& data, bool classes);

/// For a run resumed into epoch `next_epoch` with `epochs` in all, of a model saved by a run of
/// `saved_epochs` (0: unknown): when its schedule depends on the total and the total changed, the
/// line that says so ("the cosine schedule now spans 20 epochs instead of the 10 it was saved
/// with: epoch 11 trains at 0.2 (0.5 × 0.4)"); else "".
std::string schedule_change(const std::string& schedule, double base_rate, std::size_t next_epoch,
                            std::size_t saved_epochs, std::size_t epochs);

/// "loss 0.0123, accuracy 0.9150 (915/1000)".
std::string describe(const Evaluation& evaluation);

}  // namespace fnn::cli
