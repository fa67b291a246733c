#include "fnn/model.hpp"

#include <charconv>

#include "fnn/error.hpp"
#include "fnn/names.hpp"
#include "fnn/registry.hpp"

namespace fnn {

namespace {

// The metadata keys of the training state. A file has all of the required ones or none; the
// others have defaults (docs/model-format.md).
const std::vector<std::string> required_training_keys = {"optimizer", "epochs_done",
                                                         "shuffle_state", "batch_size", "seed"};

// Reads a loaded file's metadata and tensors; every failure is a DataError naming the file.
class MetadataReader {
 public:
  MetadataReader(const std::filesystem::path& file, const ModelFile& model)
      : file_(file), model_(model) {}

  bool has(const std::string& key) const { return model_.metadata.contains(key); }

  std::string text(const std::string& key, const std::string& fallback) const {
    const auto found = model_.metadata.find(key);
    return found == model_.metadata.end() ? fallback : found->second;
  }

  std::uint64_t number(const std::string& key, std::uint64_t fallback) const {
    if (!has(key)) return fallback;
    const std::string value = text(key, "");
    std::uint64_t result = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (error != std::errc{} || end != value.data() + value.size()) {
      fail("entry '" + key + "' is '" + value + "', expected a whole number");
    }
    return result;
  }

  double real(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const std::string value = text(key, "");
    double result = 0.0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (error != std::errc{} || end != value.data() + value.size()) {
      fail("entry '" + key + "' is '" + value + "', expected a number");
    }
    return result;
  }

  ComponentSpec component(const std::string& key, const ComponentSpec& fallback) const {
    if (!has(key)) return fallback;
    try {
      return parse_component_spec(text(key, ""));
    } catch (const SpecError&) {
      fail("entry '" + key + "' is '" + text(key, "") + "', not a component");
    }
  }

  // A list written by `encode_names`; {} when the entry is absent.
  std::vector<std::string> names(const std::string& key) const {
    if (!has(key)) return {};
    const std::string value = text(key, "");
    std::vector<std::string> names(1);
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == ',') {
        names.emplace_back();
      } else if (value[i] != '%') {
        names.back() += value[i];
      } else {
        unsigned byte = 0;
        const char* digits = value.data() + i + 1;
        if (value.size() - i < 3 ||
            std::from_chars(digits, digits + 2, byte, 16).ptr != digits + 2) {
          fail("entry '" + key + "' has a bad escape at character " + std::to_string(i + 1) +
               ", expected %XX");
        }
        names.back() += static_cast<char>(byte);
        i += 2;
      }
    }
    return names;
  }

  std::vector<float> tensor(const std::string& name, bool required) const {
    const auto found = model_.tensors.find(name);
    if (found != model_.tensors.end()) return found->second;
    if (required) fail("has no '" + name + "' tensor");
    return {};
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file_.string() + ": this fnn model " + what);
  }

 private:
  const std::filesystem::path& file_;
  const ModelFile& model_;
};

// Column names as one metadata entry that any name survives, even one with commas or bytes that
// are not UTF-8 (which the model file's JSON header cannot hold): comma-separated, with '%', ','
// and every byte outside printable ASCII written %XX.
std::string encode_names(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t n = 0; n < names.size(); ++n) {
    if (n != 0) text += ',';
    for (const char c : names[n]) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte > 0x7e || c == '%' || c == ',') {
        constexpr char hex[] = "0123456789ABCDEF";
        text += {'%', hex[byte >> 4], hex[byte & 0xf]};
      } else {
        text += c;
      }
    }
  }
  return text;
}

// What is wrong with `info` for `network`, or "" when it fits: the checks that save and load
// share, so that what one writes the other reads.
std::string misfit(const Network& network, const ModelInfo& info) {
  const std::string inputs = std::to_string(network.input_size());
  const DataLayout& layout = info.layout;
  if (layout.classes != 0 && layout.classes != network.output_size()) {
    return "the model says " + std::to_string(layout.classes) + " classes, but its network has " +
           std::to_string(network.output_size()) + " outputs";
  }
  if (info.scaler.method() != Scaler::Method::none &&
      (info.scaler.offsets().size() != network.input_size() ||
       info.scaler.factors().size() != network.input_size())) {
    return "the scaler has " + std::to_string(info.scaler.offsets().size()) + " offsets and " +
           std::to_string(info.scaler.factors().size()) + " factors, but the network takes " +
           inputs + " inputs";
  }
  if (layout.input_names.empty() != layout.target_names.empty() ||
      (!layout.input_names.empty() && layout.input_names.size() != network.input_size())) {
    return "the column names ('input_columns', 'target_columns') name " +
           std::to_string(layout.input_names.size()) + " inputs and " +
           std::to_string(layout.target_names.size()) +
           " targets, expected one per network input (" + inputs + ") and at least one target";
  }
  if (info.training) {  // early stopping's other weights (best or latest) fit the network too
    for (const auto* other : {&info.training->best_parameters, &info.training->latest_parameters}) {
      if (!other->empty() && other->size() != network.parameters().size()) {
        return "it holds " + std::to_string(other->size()) +
               " best or latest parameters, but its network has " +
               std::to_string(network.parameters().size());
      }
    }
  }
  return {};
}

// Early stopping and the plateau schedule: their configuration and where they stand. Written only
// when the run watches something, so files without it read as they always did.
void write_monitoring(const TrainingState& training, ModelFile& out) {
  if (!training.monitoring) return;
  auto& metadata = out.metadata;
  const Monitoring& watch = *training.monitoring;
  const MonitorState& state = training.monitor_state;
  metadata["monitor"] = monitor_name(watch.monitor);
  metadata["patience"] = std::to_string(watch.patience);
  metadata["min_delta"] = to_text(watch.min_delta);
  metadata["start_from_epoch"] = std::to_string(watch.start_from_epoch);
  if (state.best) metadata["best_value"] = to_text(*state.best);
  metadata["best_epoch"] = std::to_string(state.best_epoch);
  metadata["wait"] = std::to_string(state.wait);
  metadata["plateau_wait"] = std::to_string(state.plateau_wait);
  metadata["rate_factor"] = to_text(state.rate_factor);
  if (state.stopped_epoch > 0) metadata["stopped_epoch"] = std::to_string(state.stopped_epoch);
  if (!training.best_parameters.empty()) out.tensors["best_parameters"] = training.best_parameters;
  if (!training.latest_parameters.empty()) {
    out.tensors["latest_parameters"] = training.latest_parameters;
  }
}

void read_monitoring(const MetadataReader& read, TrainingState& training) {
  if (!read.has("monitor")) return;
  Monitoring watch;
  try {
    watch.monitor = parse_monitor(read.text("monitor", ""));
  } catch (const SpecError&) {
    read.fail("entry 'monitor' is '" + read.text("monitor", "") +
              "', expected val_loss, val_accuracy, loss or accuracy");
  }
  watch.patience = read.number("patience", 0);
  watch.min_delta = read.real("min_delta", 0.0);
  watch.start_from_epoch = read.number("start_from_epoch", 0);
  MonitorState& state = training.monitor_state;
  if (read.has("best_value")) state.best = read.real("best_value", 0.0);
  state.best_epoch = read.number("best_epoch", 0);
  state.wait = read.number("wait", 0);
  state.plateau_wait = read.number("plateau_wait", 0);
  state.rate_factor = read.real("rate_factor", 1.0);
  state.stopped_epoch = read.number("stopped_epoch", 0);
  if (!(watch.min_delta >= 0.0) || !(state.rate_factor > 0.0 && state.rate_factor <= 1.0)) {
    read.fail("has a min_delta below 0 or a rate_factor outside (0, 1]");
  }
  training.monitoring = watch;
  training.best_parameters = read.tensor("best_parameters", false);
  training.latest_parameters = read.tensor("latest_parameters", false);
}

void write_training_state(const TrainingState& training, ModelFile& out) {
  auto& metadata = out.metadata;
  if (!all_finite(training.optimizer_state) || !all_finite(training.best_parameters) ||
      !all_finite(training.latest_parameters)) {
    throw TrainingError(
        "the optimizer state or early stopping's weights are no longer finite: "
        "they are not saved");
  }
  out.tensors["optimizer_state"] = training.optimizer_state;
  // Components as the command line writes them: "sgd:learning_rate=0.5,momentum=0.9".
  metadata["optimizer"] = to_text(training.optimizer);
  metadata["schedule"] = training.schedule;
  metadata["total_epochs"] = std::to_string(training.total_epochs);
  metadata["init"] = to_text(training.init);
  metadata["epochs_done"] = std::to_string(training.position.epochs_done);
  metadata["shuffle_state"] = training.position.rng_state;
  if (training.position.batches_done > 0) {  // files at an epoch boundary read as they always did
    metadata["batches_done"] = std::to_string(training.position.batches_done);
    metadata["epoch_loss_sum"] = to_text(training.position.loss_sum);  // exact: shortest round trip
  }
  metadata["batch_size"] = std::to_string(training.batch_size);
  metadata["shards"] = std::to_string(training.shards);
  metadata["seed"] = std::to_string(training.seed);
  write_monitoring(training, out);
}

std::optional<TrainingState> read_training_state(const MetadataReader& read) {
  std::vector<std::string> missing;
  for (const std::string& key : required_training_keys) {
    if (!read.has(key)) missing.push_back("'" + key + "'");
  }
  if (missing.size() == required_training_keys.size()) return std::nullopt;  // saved without
  if (!missing.empty()) {
    read.fail("has a training state without " + join(missing) +
              ": a model that can be resumed needs all of optimizer, epochs_done, "
              "shuffle_state, batch_size and seed (docs/model-format.md)");
  }
  TrainingState training;
  training.optimizer = read.component("optimizer", training.optimizer);
  training.optimizer_state = read.tensor("optimizer_state", false);
  training.schedule = read.text("schedule", training.schedule);
  training.total_epochs = read.number("total_epochs", 0);  // 0 in older files: unknown
  training.init = read.component("init", training.init);
  training.position.epochs_done = read.number("epochs_done", 0);
  training.position.rng_state = read.text("shuffle_state", "");
  // Absent in files at an epoch boundary, and in those from before batch checkpoints.
  training.position.batches_done = read.number("batches_done", 0);
  training.position.loss_sum = read.real("epoch_loss_sum", 0.0);
  training.batch_size = read.number("batch_size", training.batch_size);
  training.shards = read.number("shards", training.shards);  // 1 in files from before shards
  if (training.shards == 0 || training.shards > max_shards) {
    read.fail("entry 'shards' is '" + read.text("shards", "") + "', expected 1 to " +
              std::to_string(max_shards));
  }
  training.seed = read.number("seed", training.seed);
  read_monitoring(read, training);
  return training;
}

// A component named by the file that cannot be made is the file's fault, not the caller's.
template <class Make>
auto blaming(const std::filesystem::path& file, Make&& make) {
  try {
    return make();
  } catch (const UnknownComponentError& error) {
    throw DataError(error.missing_plugin_message(file.string()));
  } catch (const SpecError& error) {
    throw DataError(file.string() + ": " + error.what());
  } catch (const PluginError& error) {
    throw DataError(file.string() + ": " + error.what());
  }
}

}  // namespace

void save_model(const std::filesystem::path& file, const Network& network, const ModelInfo& info) {
  if (const std::string problem = misfit(network, info); !problem.empty()) {
    throw SpecError("cannot save " + file.string() + ": " + problem);
  }
  if (!all_finite(network.parameters())) {
    throw TrainingError("cannot save " + file.string() +
                        ": the network's parameters are no longer finite");
  }
  ModelFile out;
  out.network = network.spec();
  const std::span<const float> parameters = network.parameters();
  out.tensors["parameters"].assign(parameters.begin(), parameters.end());
  auto& metadata = out.metadata;
  metadata["loss"] = to_text(info.loss);
  metadata["target"] = join(info.layout.target_columns, ",");
  metadata["classes"] = std::to_string(info.layout.classes);
  if (!info.layout.input_names.empty()) {  // a model trained on a file with a header
    metadata["input_columns"] = encode_names(info.layout.input_names);
    metadata["target_columns"] = encode_names(info.layout.target_names);
  }
  metadata["scale"] = Scaler::name(info.scaler.method());
  if (info.scaler.method() != Scaler::Method::none) {
    out.tensors["scaler_offsets"] = info.scaler.offsets();
    out.tensors["scaler_factors"] = info.scaler.factors();
  }
  if (info.training) write_training_state(*info.training, out);
  write_model_file(file, out);
}

LoadedModel load_model(const std::filesystem::path& file, const Registry& registry) {
  return load_model(read_model_file(file), file, registry);
}

LoadedModel load_model(const ModelFile& contents, const std::filesystem::path& file,
                       const Registry& registry) {
  const MetadataReader read(file, contents);
  ModelInfo info;
  info.loss = read.component("loss", info.loss);
  info.layout.target_columns = split_list(read.text("target", ""));
  info.layout.classes = read.number("classes", 0);
  // Absent in models trained on files without a header, and in those from before names.
  info.layout.input_names = read.names("input_columns");
  info.layout.target_names = read.names("target_columns");
  info.layout.model = "the model (" + file.string() + ")";
  const Scaler::Method method =
      blaming(file, [&] { return Scaler::parse(read.text("scale", "none")); });
  if (method != Scaler::Method::none) {
    info.scaler = Scaler(method, read.tensor("scaler_offsets", true),
                         read.tensor("scaler_factors", true));
  }
  info.training = read_training_state(read);

  Network network = blaming(file, [&] { return Network(registry, contents.network); });
  const std::vector<float> parameters = read.tensor("parameters", true);
  if (parameters.size() != network.parameters().size()) {
    throw DataError(file.string() + ": the model holds " + std::to_string(parameters.size()) +
                    " parameters, but its network needs " +
                    std::to_string(network.parameters().size()));
  }
  if (const std::string problem = misfit(network, info); !problem.empty()) {
    throw DataError(file.string() + ": " + problem);
  }
  network.set_parameters(parameters);
  // The loss and optimizer are made by what uses them (fnn::TrainingRun, an evaluation), so a
  // model predicts where the plugin of its training's optimizer is not installed.
  return {std::move(network), std::move(info)};
}

}  // namespace fnn
