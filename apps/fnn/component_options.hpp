#pragma once
#include <fnn/error.hpp>
#include <fnn/network_spec.hpp>
#include <string>
#include <utility>

#include "usage_error.hpp"

namespace fnn::cli {

/// A component as an option names it: "sgd" or "sgd:momentum=0.9,nesterov=true".
using ComponentChoice = ComponentSpec;

/// Parses NAME or NAME:KEY=VALUE,KEY=VALUE; UsageError naming `where` (such as "--loss")
/// otherwise.
ComponentChoice parse_component(const std::string& where, const std::string& text);

namespace detail {
// Runs `make`; a SpecError or PluginError from it is thrown again as `Rethrown`, prefixed with
// where the components came from.
template <class Rethrown, class Make>
auto blaming(const std::string& source, Make&& make) {
  try {
    return make();
  } catch (const SpecError& error) {
    throw Rethrown(source + ": " + error.what());
  } catch (const PluginError& error) {
    throw Rethrown(source + ": " + error.what());
  }
}
}  // namespace detail

/// Runs `make`, which builds components from the values of command-line options; an unknown
/// component name or a bad component option is then the user's usage error (exit 2), reported
/// with the options concerned.
template <class Make>
auto from_options(const std::string& options, Make&& make) {
  return detail::blaming<UsageError>(options, std::forward<Make>(make));
}

/// Runs `make`, which builds components that a model file names: an unknown name or a bad option
/// is then a fault of that file (DataError naming it, exit 1), not of the command line.
template <class Make>
auto from_model_file(const std::string& file, Make&& make) {
  return detail::blaming<DataError>(file, [&] {
    try {
      return make();
    } catch (const UnknownComponentError& error) {
      throw DataError(error.missing_plugin_message(file));
    }
  });
}

}  // namespace fnn::cli
