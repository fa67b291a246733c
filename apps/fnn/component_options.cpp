#include "component_options.hpp"

#include "command_line.hpp"

namespace fnn::cli {

ComponentChoice parse_component(const std::string& where, const std::string& text) {
  const std::size_t colon = text.find(':');
  ComponentChoice choice{text.substr(0, colon), {}};
  const auto fail = [&] {
    throw UsageError(where + " '" + text +
                     "': expected NAME or NAME:KEY=VALUE,..., such as sgd:momentum=0.9");
  };
  if (choice.name.empty()) fail();
  if (colon == std::string::npos) return choice;
  for (const std::string& pair : split_list(text.substr(colon + 1))) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) fail();
    choice.options.set(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return choice;
}

std::string missing_plugin_message(const std::string& file, const UnknownComponentError& error) {
  const std::string name = "'" + error.name() + "'";
  return file + ": " + error.role() + " is " + name + ", which no loaded plugin provides; " +
         "install the plugin that provides " + name + " or give its directory with --plugin-dir " +
         "(`fnn plugins` lists the plugins found)";
}

std::string to_text(const ComponentChoice& choice) {
  std::string text = choice.name;
  char separator = ':';
  for (const auto& [key, value] : choice.options.entries()) {
    text += separator + key + "=" + value;
    separator = ',';
  }
  return text;
}

}  // namespace fnn::cli
