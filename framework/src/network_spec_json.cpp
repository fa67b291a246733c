#include "network_spec_json.hpp"

#include <nlohmann/json.hpp>

#include "fnn/error.hpp"

namespace fnn::detail {

namespace {

using Json = nlohmann::json;

[[noreturn]] void malformed(const std::string& what) {
  throw DataError(what);
}

// A JSON value in a message: a scalar as written, an array or object by its kind only. dump()
// recurses into nested values, so a deeply nested value from a file would overflow the stack.
std::string describe(const Json& value) {
  return value.is_structured() ? std::string("a JSON ") + value.type_name() : value.dump();
}

LayerSpec layer_from_json(const Json& entry, std::size_t index) {
  const std::string where = "layer " + std::to_string(index + 1);
  if (!entry.is_object()) malformed(where + " is not a JSON object");
  const auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    malformed(where + " has no \"name\" string");
  }
  LayerSpec layer{name->get<std::string>(), {}};
  const auto options = entry.find("options");
  if (options == entry.end()) return layer;
  if (!options->is_object()) malformed(where + " \"options\" is not a JSON object");
  for (const auto& [key, value] : options->items()) {
    if (!value.is_string()) {
      malformed(where + " option '" + key + "' is " + describe(value) + ", not a string");
    }
    layer.options.set(key, value.get<std::string>());
  }
  return layer;
}

}  // namespace

std::string network_spec_to_json(const NetworkSpec& spec) {
  Json layers = Json::array();
  for (const LayerSpec& layer : spec.layers) {
    layers.push_back({{"name", layer.name}, {"options", layer.options.entries()}});
  }
  try {
    return Json{{"inputs", spec.inputs}, {"layers", std::move(layers)}}.dump();
  } catch (const Json::type_error&) {  // the only one dump() raises: text that is not UTF-8
    throw SpecError("a layer name or option of the network is not valid UTF-8 text");
  }
}

NetworkSpec network_spec_from_json(const std::string& text) {
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) malformed("it is not valid JSON");
  if (!json.is_object()) malformed("it is not a JSON object");
  const auto inputs = json.find("inputs");
  if (inputs == json.end() || !inputs->is_number_unsigned()) {
    malformed("\"inputs\" is missing or not a whole number");
  }
  const auto layers = json.find("layers");
  if (layers == json.end() || !layers->is_array()) {
    malformed("\"layers\" is missing or not an array");
  }
  NetworkSpec spec(inputs->get<std::size_t>());
  for (std::size_t i = 0; i < layers->size(); ++i) {
    spec.layers.push_back(layer_from_json((*layers)[i], i));
  }
  return spec;
}

}  // namespace fnn::detail
