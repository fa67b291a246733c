#pragma once
#include <string>

#include "fnn/network_spec.hpp"

namespace fnn::detail {

/// The spec as compact JSON: {"inputs": 2, "layers": [{"name": "dense", "options": {"units":
/// "4"}}, ...]}. Option values stay text, so nothing depends on the locale.
std::string network_spec_to_json(const NetworkSpec& spec);

/// The inverse of `network_spec_to_json`. Throws DataError saying what is malformed (not JSON,
/// missing or negative inputs, layers not an array, a layer without a name, an option value that
/// is not a string...); the caller adds where the text came from.
NetworkSpec network_spec_from_json(const std::string& text);

}  // namespace fnn::detail
