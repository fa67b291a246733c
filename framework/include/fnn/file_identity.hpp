#pragma once
#include <sys/types.h>

#include <compare>
#include <filesystem>
#include <optional>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// Which file a path names, after following every symbolic link: two paths with equal
/// identities read and write the same bytes. An existing file is known by its device and inode;
/// one that does not exist yet by its directory's device and inode and its name in it (so that
/// "out.csv" and "./dir/../out.csv" are one file before either is written); a path whose
/// directory does not exist either, by its absolute, normalised text.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  std::string name;  ///< "" for an existing file
  bool exists = false;
  bool regular = false;  ///< an existing regular file (false for devices, FIFOs, directories)
  auto operator<=>(const FileIdentity&) const = default;
};

/// The identity of the file `path` names now.
FNN_API FileIdentity file_identity(const std::filesystem::path& path);

/// `path` with its last component's symbolic links followed (relative targets resolved against
/// the link's directory), up to the system's limit of 40 links: where a new file written at
/// `path` would land. A link to a missing target gives that target. DataError for a loop.
FNN_API std::filesystem::path follow_symlinks(const std::filesystem::path& path);

/// The descriptor N when `path` names one of this process's own open descriptors
/// (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N): writes to it go to that descriptor.
FNN_API std::optional<int> process_descriptor(const std::filesystem::path& path);

}  // namespace fnn
