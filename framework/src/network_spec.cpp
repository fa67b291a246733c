#include "fnn/network_spec.hpp"

#include <sstream>

#include "fnn/error.hpp"
#include "fnn/names.hpp"

namespace fnn {

ComponentSpec parse_component_spec(const std::string& text) {
  const std::size_t colon = text.find(':');
  ComponentSpec component{text.substr(0, colon), {}};
  const auto fail = [&] {
    throw SpecError("'" + text + "': expected NAME or NAME:KEY=VALUE,..., such as sgd:momentum=0.9");
  };
  if (component.name.empty()) fail();
  if (colon == std::string::npos) return component;
  for (const std::string& pair : split_list(text.substr(colon + 1))) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) fail();
    component.options.set(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return component;
}

std::vector<LayerSpec> parse_layer_list(const std::string& text) {
  std::vector<LayerSpec> layers;
  std::istringstream entries(text);
  std::string entry;
  while (entries >> entry) {
    try {
      layers.push_back(parse_component_spec(entry));
    } catch (const SpecError& error) {
      throw SpecError("entry " + std::to_string(layers.size() + 1) + " " + error.what());
    }
  }
  if (layers.empty()) {
    throw SpecError("the layer list is empty: expected entries such as 'dense:units=16 relu "
                    "dense sigmoid'");
  }
  return layers;
}

std::string to_text(const std::vector<LayerSpec>& layers) {
  std::vector<std::string> entries;
  entries.reserve(layers.size());
  for (const LayerSpec& layer : layers) entries.push_back(to_text(layer));
  return join(entries, " ");
}

std::string to_text(const ComponentSpec& component) {
  std::string text = component.name;
  char separator = ':';
  for (const auto& [key, value] : component.options.entries()) {
    text += separator + key + "=" + value;
    separator = ',';
  }
  return text;
}

}  // namespace fnn
