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

  // A list written by `encode_names`; {} when the entry is absent.
  std::vector<std::string> names(const std::string& key) const {
    if (!has(key)) return {};
    const std::string value = text(key);
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
    throw DataError(file_.string() + ": this fnn model " + what +
                    "; was it written by `fnn train --save`?");
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
  if (!model.layout.input_names.empty()) {  // a model trained on a file with a header
    metadata["input_columns"] = encode_names(model.layout.input_names);
    metadata["target_columns"] = encode_names(model.layout.target_names);
  }
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
  // Absent in models trained on files without a header, and in those from before names.
  model.layout.input_names = read.names("input_columns");
  model.layout.target_names = read.names("target_columns");
  if (model.layout.input_names.empty() != model.layout.target_names.empty() ||
      (!model.layout.input_names.empty() &&
       model.layout.input_names.size() != model.network.inputs)) {
    read.fail("entries 'input_columns' and 'target_columns' name " +
              std::to_string(model.layout.input_names.size()) + " and " +
              std::to_string(model.layout.target_names.size()) +
              " columns, expected one per network input (" + std::to_string(model.network.inputs) +
              ") and at least one target");
  }
  model.layout.model = "the model (" + file.string() + ")";
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
