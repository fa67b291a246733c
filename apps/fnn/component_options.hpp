#pragma once
#include <fnn/error.hpp>
#include <fnn/options.hpp>
#include <string>

#include "usage_error.hpp"

namespace fnn::cli {

/// A component as an option names it: "sgd" or "sgd:momentum=0.9,nesterov=true".
struct ComponentChoice {
  std::string name;
  Options options;
};

/// Parses NAME or NAME:KEY=VALUE,KEY=VALUE; UsageError naming `option` otherwise.
ComponentChoice parse_component(const std::string& option, const std::string& text);

/// Back to text: "sgd:momentum=0.9" (options in key order).
std::string to_text(const ComponentChoice& choice);

/// Runs `make`, which builds components from the values of command-line options; an unknown
/// component name or a bad component option is then the user's usage error (exit 2), reported
/// with the options concerned.
template <class Make>
auto from_options(const std::string& options, Make&& make) {
  try {
    return make();
  } catch (const SpecError& error) {
    throw UsageError(options + ": " + error.what());
  } catch (const PluginError& error) {
    throw UsageError(options + ": " + error.what());
  }
}

/// Runs `make`, which builds components that a model file names: an unknown name or a bad option
/// is then a fault of that file (DataError naming it, exit 1), not of the command line.
template <class Make>
auto from_model_file(const std::string& file, Make&& make) {
  try {
    return make();
  } catch (const SpecError& error) {
    throw DataError(file + ": " + error.what());
  } catch (const PluginError& error) {
    throw DataError(file + ": " + error.what());
  }
}

}  // namespace fnn::cli
