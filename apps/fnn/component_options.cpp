#include "component_options.hpp"

#include "command_line.hpp"

namespace fnn::cli {

ComponentChoice parse_component(const std::string& where, const std::string& text) {
  try {
    return parse_component_spec(text);
  } catch (const SpecError& error) {
    throw UsageError(where + " " + error.what());
  }
}

}  // namespace fnn::cli
