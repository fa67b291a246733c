#pragma once
#include <fnn/error.hpp>
#include <string>

#include "usage_error.hpp"

namespace fnn::cli {

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

}  // namespace fnn::cli
