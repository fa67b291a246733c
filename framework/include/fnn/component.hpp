#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "fnn/export.hpp"

namespace fnn {

/// The kinds of component a plugin can provide.
enum class Kind { layer, activation, loss, optimizer, initializer };

/// "layer", "activation", ... — the word used in messages and listings.
FNN_API std::string_view to_string(Kind kind);

/// What the registry knows of one registered component.
struct ComponentInfo {
  Kind kind;
  std::string name;
  std::string description;
  std::filesystem::path library;  ///< the shared object that registered it
};

}  // namespace fnn
