#include "fnn/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>
#include <system_error>

#include "fnn/error.hpp"

namespace fnn {

namespace {

std::string quoted(const std::filesystem::path& path) {
  // Appended, not "'" + text: GCC 12 warns falsely (-Wrestrict) about that expression.
  std::string text = "'";
  text += path.string();
  return text += "'";
}

std::string errno_text() {
  return std::generic_category().message(errno);
}

// Owns the temporary file until it has been renamed: any exit before that removes it.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

  bool write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ::ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) return false;
      if (written == 0) {
        errno = EIO;  // no progress and no reason given: do not spin
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
  }

  // Syncs and closes; the descriptor is gone whatever the outcome.
  bool sync_and_close() {
    const bool synced = ::fsync(fd_) == 0;
    const int saved_errno = errno;
    const bool closed = ::close(fd_) == 0;
    fd_ = -1;
    if (!synced) errno = saved_errno;
    return synced && closed;
  }

  bool rename_to(const std::filesystem::path& target) {
    renamed_ = ::rename(path_.c_str(), target.c_str()) == 0;
    return renamed_;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool renamed_ = false;
};

// Makes the rename itself durable; best effort, since the data is already safe on disk.
void sync_directory(const std::filesystem::path& directory) {
  const int fd =
      ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

std::string temporary_prefix(const std::filesystem::path& file) {
  std::string prefix = ".";  // appended piecewise for GCC 12, as in quoted()
  return prefix.append(file.filename().string()).append(".tmp-");
}

// A test hook for the kill tests (tests/apps/cli_checkpoint_test.cpp): with FNN_TEST_STOP_WRITING
// set to a file name, each write of a file of that name stops the process (SIGSTOP) halfway
// through its temporary file, so that a test can SIGKILL it exactly there, or let it go on.
bool stop_while_writing(const std::filesystem::path& file) {
  const char* name = std::getenv("FNN_TEST_STOP_WRITING");
  return name != nullptr && file.filename() == name;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
  const std::string failed = "cannot save " + quoted(file) + ": ";
  std::error_code ignored;
  if (file.filename().empty() || std::filesystem::is_directory(file, ignored)) {
    throw DataError(failed + "it is a directory; give a file name");
  }
  // The process id and a counter keep concurrent writers of the same file apart.
  static std::atomic<unsigned> counter{0};
  const std::string prefix = temporary_prefix(file);
  std::string name = prefix;
  name.append(std::to_string(::getpid())).append("-").append(std::to_string(counter++));
  TemporaryFile temporary(file.parent_path() / name);
  if (!temporary.is_open()) {
    throw DataError(failed + "cannot create the temporary file " + quoted(temporary.path()) + " (" +
                    errno_text() + "); check that the directory exists and is writable");
  }
  bool written = true;
  if (stop_while_writing(file)) {
    written = temporary.write_all(bytes.substr(0, bytes.size() / 2));
    ::raise(SIGSTOP);
    bytes.remove_prefix(bytes.size() / 2);
  }
  if (!written || !temporary.write_all(bytes)) {
    throw DataError(failed + "writing " + quoted(temporary.path()) + " failed (" + errno_text() +
                    "); check the free disk space");
  }
  if (!temporary.sync_and_close()) {
    throw DataError(failed + "flushing " + quoted(temporary.path()) + " failed (" + errno_text() +
                    "); check the free disk space");
  }
  if (!temporary.rename_to(file)) {
    throw DataError(failed + "renaming " + quoted(temporary.path()) + " over it failed (" +
                    errno_text() + ")");
  }
  sync_directory(file.parent_path());
  remove_stale_temporaries(file);
}

// The temporaries' names are ".NAME.tmp-PID-N": a writer is known by its process id. The
// process's own, and any whose writer is alive or cannot be signalled, are left alone.
void remove_stale_temporaries(const std::filesystem::path& file) {
  const std::string prefix = temporary_prefix(file);
  const std::filesystem::path directory = file.parent_path().empty() ? "." : file.parent_path();
  std::error_code error;
  std::filesystem::directory_iterator entry(directory, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    ::pid_t writer = 0;
    const char* digits = name.data() + prefix.size();
    const auto [end, failed] = std::from_chars(digits, name.data() + name.size(), writer);
    if (failed != std::errc{} || end == digits || *end != '-' || writer <= 0) continue;
    if (writer == ::getpid() || ::kill(writer, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove(entry->path(), ignored);
  }
}

}  // namespace fnn
