#include "saved_model.hpp"

#include <charconv>
#include <fnn/error.hpp>
#include <fnn/model_file.hpp>
#include <fnn/names.hpp>

#include "command_line.hpp"

namespace fnn::cli {

namespace {

// Metadata keys of the file. Optimizer options are stored one key each, under this prefix.
constexpr const char* optimizer_prefix = "optimizer.";

class MetadataReader {
 public:
  MetadataReader(const std::filesystem::path& file, const ModelFile& model)
      : file_(file), model_(model) {}

  std::string text(const std::string& key) const {
    const auto found = model_.metadata.find(key);
    if (found == model_.metadata.end()) fail("has no '" + key + "' entry");
    return found->second;
  }

  std::uint64_t number(const std::string& key) const {
    const std::string value = text(key);
    std::uint64_t result = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (error != std::errc{} || end != value.data() + value.size()) {
      fail("entry '" + key + "' is '" + value + "', expected a whole number");
    }
    return result;
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
  metadata["loss"] = model.loss;
  metadata["optimizer"] = model.optimizer;
  for (const auto& [key, value] : model.optimizer_options.entries()) {
    metadata[optimizer_prefix + key] = value;
  }
  metadata["schedule"] = model.schedule;
  metadata["init"] = model.init;
  metadata["target"] = join(model.layout.target_columns, ",");
  metadata["classes"] = std::to_string(model.layout.classes);
  metadata["scale"] = Scaler::name(model.scaler.method());
  metadata["epochs_done"] = std::to_string(model.epochs_done);
  metadata["batch_size"] = std::to_string(model.batch_size);
  metadata["seed"] = std::to_string(model.seed);
  metadata["shuffle_state"] = model.shuffle_state;
  save_model(file, out);
}

SavedModel load(const std::filesystem::path& file) {
  const ModelFile in = load_model(file);
  const MetadataReader read(file, in);
  SavedModel model;
  model.network = in.network;
  model.parameters = read.tensor("parameters", true);
  model.optimizer_state = read.tensor("optimizer_state", false);
  model.loss = read.text("loss");
  model.optimizer = read.text("optimizer");
  for (const auto& [key, value] : in.metadata) {
    if (key.starts_with(optimizer_prefix)) {
      model.optimizer_options.set(key.substr(std::string(optimizer_prefix).size()), value);
    }
  }
  model.schedule = read.text("schedule");
  model.init = read.text("init");
  model.layout.target_columns = split_list(read.text("target"));
  model.layout.classes = read.number("classes");
  const Scaler::Method method = Scaler::parse(read.text("scale"));
  if (method != Scaler::Method::none) {
    model.scaler = Scaler(method, read.tensor("scaler_offsets", true),
                          read.tensor("scaler_factors", true));
  }
  model.epochs_done = read.number("epochs_done");
  model.batch_size = read.number("batch_size");
  model.seed = read.number("seed");
  model.shuffle_state = read.text("shuffle_state");
  return model;
}

}  // namespace fnn::cli
