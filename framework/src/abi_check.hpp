#pragma once
// The loader's comparison of a plugin's AbiTag with libfnn's own (fnn/abi_tag.hpp).
#include <filesystem>

#include "fnn/abi_tag.hpp"

namespace fnn {

/// Throws PluginError naming `file` unless a plugin with `tag` can run in this fnn: the plugin
/// ABI number first, then only the C++ ABI fields that differ, each as plugin vs fnn, and what to
/// change in the plugin's build.
void check_abi(const AbiTag& tag, const std::filesystem::path& file);

/// For a plugin the system loader refused (typically an undefined symbol, since a plugin compiled
/// against another standard library or string ABI needs functions libfnn does not have): throws
/// check_abi's error when the plugin's tag, read from a lazily bound load, explains the refusal.
/// Returns when the tag cannot be read or matches, so the caller reports the loader's own error.
void explain_load_failure(const std::filesystem::path& file);

}  // namespace fnn
