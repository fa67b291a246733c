#include "fnn/network_spec.hpp"

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
