// fnn inspect: what a model file holds, for people: the network as a --layers line, parameters
// per layer, the data it expects, how it was trained, its format and checksum.
#include <cstdio>
#include <fnn/model.hpp>
#include <fnn/names.hpp>
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"

namespace fnn::cli {

namespace {

std::string columns(const std::vector<std::string>& names) {
  std::vector<std::string> list;
  for (const std::string& name : names) list.push_back(in_quotes(name));
  return join(list);
}

void print_network(const Network& network) {
  std::printf("network: %zu inputs -> %zu outputs, %zu parameters\n", network.input_size(),
              network.output_size(), network.parameters().size());
  // The network as `fnn train --layers` takes it, quoted for a shell: it can be pasted back.
  std::printf("  --layers %s\n", in_quotes(to_text(network.spec().layers)).c_str());
  std::printf("  %-5s %-32s %12s %8s\n", "layer", "component", "parameters", "outputs");
  for (std::size_t i = 0; i < network.layer_count(); ++i) {
    const Layer& layer = network.layer(i);
    std::printf("  %-5zu %-32s %12zu %8zu\n", i + 1, to_text(network.spec().layers[i]).c_str(),
                layer.parameter_count(), layer.output_size());
  }
}

void print_data(const ModelInfo& info) {
  const DataLayout& layout = info.layout;
  std::cout << "loss: " << to_text(info.loss) << "\n";
  std::cout << "targets: "
            << (layout.target_columns.empty() ? "the last column"
                                              : "column " + join(layout.target_columns, ", "));
  if (layout.classes > 0) std::cout << ", class labels 0.." << layout.classes - 1;
  std::cout << "\n";
  if (!layout.input_names.empty()) {
    std::cout << "columns by name: inputs " << columns(layout.input_names) << "; targets "
              << columns(layout.target_names) << "\n";
  } else {
    std::cout << "columns by position (the training data had no header)\n";
  }
  std::cout << "input scaling: " << Scaler::name(info.scaler.method()) << "\n";
}

// Early stopping and the plateau schedule: what they watch and where they stand.
void print_monitoring(const TrainingState& training) {
  if (!training.monitoring) return;
  const Monitoring& watch = *training.monitoring;
  const MonitorState& state = training.monitor_state;
  std::cout << "  watching " << monitor_name(watch.monitor) << " (min delta "
            << to_text(watch.min_delta) << ", from epoch " << watch.start_from_epoch + 1 << ")";
  if (watch.patience > 0) std::cout << ", early stopping after " << watch.patience << " epochs";
  std::cout << "\n";
  if (state.best_epoch > 0) {
    std::cout << "  best epoch: " << state.best_epoch << " (" << monitor_name(watch.monitor) << " "
              << to_text(state.best.value_or(0.0)) << ")";
    if (!training.latest_parameters.empty()) std::cout << ": these are its weights";
    std::cout << "\n";
  }
  if (state.stopped_epoch > 0) {
    std::cout << "  stopped epoch: " << state.stopped_epoch << " (patience ran out)\n";
  }
  if (state.rate_factor != 1.0) {
    std::cout << "  plateau: the rate is " << to_text(state.rate_factor) << " x the first\n";
  }
}

void print_training(const std::optional<TrainingState>& training) {
  if (!training) {
    std::cout << "training state: none (evaluates and predicts; fnn train --resume refuses it)\n";
    return;
  }
  const TrainingPosition& position = training->position;
  std::cout << "training: " << to_text(training->optimizer) << ", schedule " << training->schedule
            << ", batch size " << training->batch_size << ", shards " << training->shards
            << ", seed " << training->seed
            << ", init " << to_text(training->init) << "\n";
  std::cout << "  " << position.epochs_done << " of "
            << (training->total_epochs ? std::to_string(training->total_epochs) : "?")
            << " epochs done";
  if (position.batches_done > 0) {
    std::cout << ", and " << position.batches_done << " batches of epoch "
              << position.epochs_done + 1;
  }
  std::cout << "; optimizer state: " << training->optimizer_state.size() << " values\n";
  print_monitoring(*training);
}

}  // namespace

int inspect_command(const std::vector<std::string>& args) {
  po::options_description own("fnn inspect MODEL [options]\n\n"
                              "Describes a saved model: its network as a --layers line, the "
                              "parameters of each layer,\nthe data it expects, how it was "
                              "trained, its format version and checksum");
  own.add_options()("model", po::value<std::string>()->value_name("FILE"),
                    "model file (also the first positional argument)");
  po::positional_options_description positional;
  positional.add("model", 1);
  const auto parsed = parse_command("inspect", own, args, positional);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  const std::string file = required<std::string>(values, "inspect", "model");

  const ModelFile contents = read_model_file(file);  // checks the format and the checksum
  const Registry registry = load_plugins(values);
  const LoadedModel model = load_model(contents, file, registry);
  std::printf("%s: fnn model format %d, written by fnn %s, checksum %s (matches)\n", file.c_str(),
              contents.format_version, contents.written_by.c_str(), contents.checksum.c_str());
  print_network(model.network);
  print_data(model.info);
  print_training(model.info.training);
  return 0;
}

}  // namespace fnn::cli
