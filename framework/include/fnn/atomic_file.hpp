#pragma once
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fnn/export.hpp"

namespace fnn {

/// Writes `bytes` to `file`, keeping what the target is:
/// - a regular file, or a name not taken yet, is replaced atomically: a temporary file
///   (`temporary_name`) is written beside it, every write checked, synced and closed, given the
///   existing file's permission bits (and, where allowed, its owner and group), then renamed over
///   it. A reader sees the old file or the new one, never a mix. A file with other hard links
///   is replaced like this too (as `sed -i` does): the other names keep the old contents;
/// - a symbolic link is followed: its final target is replaced (or created), the link stays;
/// - an existing character device or FIFO (/dev/null, a named pipe) is written in place;
/// - one of this process's descriptors (/dev/stdout, /dev/fd/N) is written to that descriptor.
/// Refused with DataError naming the file and the reason, before anything is written: "" (no
/// file name), a directory, a block device or socket, a read-only existing file, a name longer
/// than the file system allows. On any later failure the temporary is removed and the target is
/// untouched. A process killed mid-write (SIGKILL, power loss) leaves only its temporary; after
/// a successful write, temporaries of `file` whose writing process no longer exists are removed.
FNN_API void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

/// `write_file_atomically` with the bytes given piece by piece (output too large to hold in
/// memory, e.g. fnn predict's): the same plan, refusals and messages. The constructor refuses
/// what cannot be written and creates the temporary; `write` appends to it (to a device, FIFO or
/// descriptor, writes go straight there); `commit` syncs it and renames it over the file.
/// Destroyed without `commit` (an error on the way), it removes the temporary: the file is
/// untouched and nothing is left behind.
class FNN_API AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::filesystem::path& file);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view bytes);
  void commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Proves, without touching `file`, that `write_file_atomically(file, ...)` can write it: the
/// checks above, and a temporary created and removed in its directory (or, for a device, FIFO or
/// descriptor, that it is open or openable for writing). DataError naming the file otherwise.
FNN_API void check_writable(const std::filesystem::path& file);

/// The name of the temporary that process `writer`'s `sequence`-th write of `file` uses on this
/// host: ".NAME.tmp-HOST-PID-N" (HOST: this machine's name, up to 64 of [A-Za-z0-9._-]), where a NAME too long for the directory's name limit is cut and followed by
/// "~" and the CRC-32 of the whole name, so that the temporary's name always fits.
FNN_API std::string temporary_name(const std::filesystem::path& file, pid_t writer,
                                   unsigned sequence);

/// Removes temporaries that `write_file_atomically(file, ...)` calls in processes of this host
/// that no longer exist left beside `file` (a kill between create and rename); other hosts'
/// temporaries in a shared directory are left alone. Best effort, never throws.
FNN_API void remove_stale_temporaries(const std::filesystem::path& file);

}  // namespace fnn
