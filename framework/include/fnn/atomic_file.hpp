#pragma once
#include <filesystem>
#include <string_view>

#include "fnn/export.hpp"

namespace fnn {

/// Replaces `file` with `bytes` atomically: writes a temporary file beside it (".NAME.tmp-PID-N"),
/// checks every write, syncs and closes it, then renames it over `file`. On any failure the
/// temporary is removed, `file` is untouched and DataError names the file and the failing step.
/// A process killed mid-write (SIGKILL, power loss) leaves only its temporary; after a successful
/// write, temporaries of `file` whose writing process no longer exists are removed.
FNN_API void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

/// Removes temporaries that `write_file_atomically(file, ...)` calls in processes that no longer
/// exist left beside `file` (a kill between create and rename). Best effort, never throws.
FNN_API void remove_stale_temporaries(const std::filesystem::path& file);

}  // namespace fnn
