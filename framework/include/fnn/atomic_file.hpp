#pragma once
#include <filesystem>
#include <string_view>

#include "fnn/export.hpp"

namespace fnn {

/// Replaces `file` with `bytes` atomically: writes a temporary file beside it (".NAME.tmp-PID-N"),
/// checks every write, syncs and closes it, then renames it over `file`. On any failure the
/// temporary is removed, `file` is untouched and DataError names the file and the failing step.
FNN_API void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

}  // namespace fnn
