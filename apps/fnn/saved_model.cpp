#include "saved_model.hpp"

#include <charconv>
#include <fnn/error.hpp>
#include <fnn/model_file.hpp>
#include <fnn/names.hpp>

#include "command_line.hpp"

namespace fnn::cli {

namespace {

class MetadataReader {
 public:
  MetadataReader(const std::filesystem::path& file, const ModelFile& model)
      : file_(file), model_(model) {}

  std::string text(const std::string& key) const {
    const auto found = model_.metadata.find(key);
    if (found == model_.metadata.end()) fail("has no '" + key + "' entry");
    return found->second;
  }

  bool has(const std::string& key) const { return model_.metadata.contains(key); }

  std::uint64_t number(const std::string& key) const {
    const std::string value = text(key);
    std::uint64_t result = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (error != std::errc{} || end != value.data() + value.size()) {
      fail("entry '" + key + "' is '" + value + "', expected a whole number");
    }
    return result;
  }

  double real(const std::string& key) const {
    const std::string value = text(key);
    double result = 0.0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (error != std::errc{} || end != value.data() + value.size()) {
      fail("entry '" + key + "' is '" + value + "', expected a number");
    }
    return result;
  }

  ComponentChoice component(const std::string& key) const {
    try {
      return parse_component(key, text(key));
    } catch (const Error&) {
      fail("entry '" + key + "' is '" + text(key) + "', not a component");
    }
  }

  std::vector<float> tensor(const std::string& name, bool required) const {
    const auto found = model_.tensors.find(name);
    if (found != model_.tensors.end()) return found->second;
    if (required) fail("has no '" + name + "' tensor");
    return {};
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file_.string() + ": this fnn model " + what +
                    "; was it written by `fnn train --save`?");
  }

 private:
  const std::filesystem::path& file_;
  const ModelFile& model_;
};

}  // namespace

void save(const std::filesystem::path& file, const SavedModel& model) {
  ModelFile out;
  out.network = model.network;
  out.tensors["parameters"] = model.parameters;
  out.tensors["optimizer_state"] = model.optimizer_state;
  out.tensors["scaler_offsets"] = model.scaler.offsets();
  out.tensors["scaler_factors"] = model.scaler.factors();
  auto& metadata = out.metadata;
  // Components as the command line writes them: "sgd:learning_rate=0.5,momentum=0.9".
  metadata["loss"] = to_text(model.loss);
  metadata["optimizer"] = to_text(model.optimizer);
  metadata["schedule"] = model.schedule;
  metadata["total_epochs"] = std::to_string(model.total_epochs);
  metadata["init"] = to_text(model.init);
  metadata["target"] = join(model.layout.target_columns, ",");
  metadata["classes"] = std::to_string(model.layout.classes);
  metadata["scale"] = Scaler::name(model.scaler.method());
  metadata["epochs_done"] = std::to_string(model.position.epochs_done);
  metadata["shuffle_state"] = model.position.rng_state;
  if (model.position.batches_done > 0) {  // files at an epoch boundary read as they always did
    metadata["batches_done"] = std::to_string(model.position.batches_done);
    metadata["epoch_loss_sum"] = to_text(model.position.loss_sum);  // exact: shortest round trip
  }
  metadata["batch_size"] = std::to_string(model.batch_size);
  metadata["seed"] = std::to_string(model.seed);
  save_model(file, out);
}

SavedModel load(const std::filesystem::path& file) {
  const ModelFile in = load_model(file);
  const MetadataReader read(file, in);
  SavedModel model;
  model.network = in.network;
  model.parameters = read.tensor("parameters", true);
  model.optimizer_state = read.tensor("optimizer_state", false);
  model.loss = read.component("loss");
  model.optimizer = read.component("optimizer");
  model.schedule = read.text("schedule");
  if (read.has("total_epochs")) model.total_epochs = read.number("total_epochs");
  model.init = read.component("init");
  model.layout.target_columns = split_list(read.text("target"));
  model.layout.classes = read.number("classes");
  const Scaler::Method method = Scaler::parse(read.text("scale"));
  if (method != Scaler::Method::none) {
    model.scaler = Scaler(method, read.tensor("scaler_offsets", true),
                          read.tensor("scaler_factors", true));
  }
  model.position.epochs_done = read.number("epochs_done");
  model.position.rng_state = read.text("shuffle_state");
  if (read.has("batches_done")) {  // absent in files from before batch checkpoints
    model.position.batches_done = read.number("batches_done");
    model.position.loss_sum = read.real("epoch_loss_sum");
  }
  model.batch_size = read.number("batch_size");
  model.seed = read.number("seed");
  return model;
}

}  // namespace fnn::cli
