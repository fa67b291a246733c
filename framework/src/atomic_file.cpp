#include "fnn/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "crc32_text.hpp"
#include "fnn/error.hpp"
#include "fnn/file_identity.hpp"

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

std::filesystem::path directory_of(const std::filesystem::path& file) {
  return file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
}

// The longest file name the directory's file system takes (255 where it does not say).
std::size_t name_limit(const std::filesystem::path& directory) {
  const long limit = ::pathconf(directory.c_str(), _PC_NAME_MAX);
  return limit > 0 ? static_cast<std::size_t>(limit) : 255;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ::ssize_t written = ::write(fd, bytes.data(), bytes.size());
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

  bool write_all(std::string_view bytes) { return fnn::write_all(fd_, bytes); }

  // The replaced file's permission bits, and its owner and group where this process may set
  // them (root; or a group the user is in): chown first, since it clears set-id bits.
  bool take_attributes_of(const struct ::stat& existing) {
    (void)::fchown(fd_, existing.st_uid, existing.st_gid);
    return ::fchmod(fd_, existing.st_mode & 07777) == 0;
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
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// This machine's name as temporaries carry it: a directory shared between hosts (NFS, ranks of
// an MPI job) may hold other hosts' temporaries, whose process ids mean nothing here. Up to 64
// characters of [A-Za-z0-9._-], others replaced by '_'.
const std::string& host_tag() {
  static const std::string tag = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return std::string("host");
    std::string text(name, std::min<std::size_t>(std::strlen(name), 64));
    for (char& c : text) {
      const bool kept = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                        c == '-';
      if (!kept) c = '_';
    }
    return text;
  }();
  return tag;
}

// ".NAME.tmp-": the part of a temporary's name before the writer's host and process id.
std::string temporary_prefix(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  // "." + NAME + ".tmp-" + HOST + "-" + a process id and a sequence number of up to 10 digits
  // each, with a "-" between them.
  const std::size_t fixed = 1 + 5 + host_tag().size() + 1 + 10 + 1 + 10;
  const std::size_t limit = name_limit(directory_of(file));
  if (name.size() + fixed > limit) {
    const std::string checksum = detail::crc32_hex(detail::crc32_of(name.data(), name.size()));
    std::size_t keep = limit > fixed + 9 ? limit - fixed - 9 : 0;
    while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xc0) == 0x80) --keep;  // UTF-8
    name.resize(keep);
    name.append("~").append(checksum);
  }
  std::string prefix = ".";  // appended piecewise for GCC 12, as in quoted()
  return prefix.append(name).append(".tmp-");
}

// A test hook for the kill tests (tests/apps/cli_checkpoint_test.cpp): with FNN_TEST_STOP_WRITING
// set to a file name, each write of a file of that name stops the process (SIGSTOP) halfway
// through its temporary file, so that a test can SIGKILL it exactly there, or let it go on.
bool stop_while_writing(const std::filesystem::path& file) {
  const char* name = std::getenv("FNN_TEST_STOP_WRITING");
  return name != nullptr && file.filename() == name;
}

// How a write reaches `file`, decided before anything is written.
struct WritePlan {
  enum class Kind { replace, in_place, descriptor } kind = Kind::replace;
  std::filesystem::path target;           // the file itself, its symbolic links followed
  std::optional<struct ::stat> existing;  // a regular file to replace
  int descriptor = -1;
};

WritePlan plan_write(const std::filesystem::path& file, const std::string& failed) {
  if (file.empty()) throw DataError("cannot save a file: no file name given (an empty path)");
  if (const std::optional<int> descriptor = process_descriptor(file)) {
    return {WritePlan::Kind::descriptor, file, std::nullopt, *descriptor};
  }
  WritePlan plan;
  try {
    plan.target = follow_symlinks(file);
  } catch (const DataError& error) {
    throw DataError(failed + error.what());
  }
  struct ::stat status {};
  if (::stat(plan.target.c_str(), &status) == 0) {
    if (S_ISDIR(status.st_mode)) throw DataError(failed + "it is a directory; give a file name");
    if (S_ISCHR(status.st_mode) || S_ISFIFO(status.st_mode)) {
      plan.kind = WritePlan::Kind::in_place;
      return plan;
    }
    if (!S_ISREG(status.st_mode)) {
      throw DataError(failed + "it is neither a regular file nor a character device or FIFO");
    }
    if (::access(plan.target.c_str(), W_OK) != 0 && errno == EACCES) {
      throw DataError(failed + "it is read-only; make it writable to replace it");
    }
    plan.existing = status;
    return plan;
  }
  const std::string name = plan.target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    throw DataError(failed + "it names a directory; give a file name");
  }
  const std::size_t limit = name_limit(directory_of(plan.target));
  if (name.size() > limit) {
    throw DataError(failed + "the file name is too long: " + std::to_string(name.size()) +
                    " bytes, this file system takes at most " + std::to_string(limit));
  }
  return plan;
}

std::string failed_to_save(const std::filesystem::path& file) {
  return "cannot save " + quoted(file) + ": ";
}

}  // namespace

std::string temporary_name(const std::filesystem::path& file, pid_t writer, unsigned sequence) {
  return temporary_prefix(file)
      .append(host_tag())
      .append("-")
      .append(std::to_string(writer))
      .append("-")
      .append(std::to_string(sequence));
}

struct AtomicFileWriter::State {
  std::string failed;  // "cannot save 'FILE': ", the start of every message
  WritePlan plan;
  std::unique_ptr<TemporaryFile> temporary;  // when replacing a regular file
  int device = -1;  // an opened device or FIFO, written in place
  bool committed = false;
};

AtomicFileWriter::AtomicFileWriter(const std::filesystem::path& file)
    : state_(new State{failed_to_save(file), plan_write(file, failed_to_save(file)), nullptr, -1,
                       false}) {
  State& s = *state_;
  if (s.plan.kind == WritePlan::Kind::in_place) {
    s.device = ::open(s.plan.target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (s.device < 0) throw DataError(s.failed + "cannot open it for writing (" + errno_text() + ")");
    return;
  }
  if (s.plan.kind != WritePlan::Kind::replace) return;
  // The process id and a counter keep concurrent writers of the same file apart.
  static std::atomic<unsigned> counter{0};
  s.temporary = std::make_unique<TemporaryFile>(
      directory_of(s.plan.target) / temporary_name(s.plan.target, ::getpid(), counter++));
  if (!s.temporary->is_open()) {
    throw DataError(s.failed + "cannot create the temporary file " +
                    quoted(s.temporary->path()) + " (" + errno_text() +
                    "); check that the directory exists and is writable");
  }
  if (s.plan.existing && !s.temporary->take_attributes_of(*s.plan.existing)) {
    throw DataError(s.failed + "cannot give " + quoted(s.temporary->path()) +
                    " the permissions of the file it replaces (" + errno_text() + ")");
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (state_->device >= 0) ::close(state_->device);
}  // an uncommitted temporary is removed by its own destructor

void AtomicFileWriter::write(std::string_view bytes) {
  State& s = *state_;
  if (s.committed) throw SpecError(s.failed + "written after commit");
  if (s.temporary) {
    if (!s.temporary->write_all(bytes)) {
      throw DataError(s.failed + "writing " + quoted(s.temporary->path()) + " failed (" +
                      errno_text() + "); check the free disk space");
    }
  } else if (s.plan.kind == WritePlan::Kind::descriptor) {
    if (!write_all(s.plan.descriptor, bytes)) {
      throw DataError(s.failed + "writing to descriptor " + std::to_string(s.plan.descriptor) +
                      " failed (" + errno_text() + ")");
    }
  } else if (!write_all(s.device, bytes)) {
    throw DataError(s.failed + "writing it failed (" + errno_text() + ")");
  }
}

void AtomicFileWriter::commit() {
  State& s = *state_;
  if (s.committed) throw SpecError(s.failed + "committed twice");
  s.committed = true;
  if (s.device >= 0) {
    const int device = std::exchange(s.device, -1);
    if (::close(device) != 0) throw DataError(s.failed + "writing it failed (" + errno_text() + ")");
  }
  if (!s.temporary) return;
  if (!s.temporary->sync_and_close()) {
    throw DataError(s.failed + "flushing " + quoted(s.temporary->path()) + " failed (" +
                    errno_text() + "); check the free disk space");
  }
  if (!s.temporary->rename_to(s.plan.target)) {
    throw DataError(s.failed + "renaming " + quoted(s.temporary->path()) + " over it failed (" +
                    errno_text() + ")");
  }
  sync_directory(directory_of(s.plan.target));
  remove_stale_temporaries(s.plan.target);
}

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
  AtomicFileWriter writer(file);
  if (stop_while_writing(file)) {
    writer.write(bytes.substr(0, bytes.size() / 2));
    ::raise(SIGSTOP);
    bytes.remove_prefix(bytes.size() / 2);
  }
  writer.write(bytes);
  writer.commit();
}

void check_writable(const std::filesystem::path& file) {
  const std::string failed = failed_to_save(file);
  const WritePlan plan = plan_write(file, failed);
  if (plan.kind == WritePlan::Kind::descriptor) {
    const int flags = ::fcntl(plan.descriptor, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
      throw DataError(failed + "descriptor " + std::to_string(plan.descriptor) +
                      " is not open for writing");
    }
  } else if (plan.kind == WritePlan::Kind::in_place) {
    if (::access(plan.target.c_str(), W_OK) != 0) {
      throw DataError(failed + "it is not writable (" + errno_text() + ")");
    }
  } else {
    const TemporaryFile probe(directory_of(plan.target) /
                              temporary_name(plan.target, ::getpid(), ~0u));
    if (!probe.is_open()) {
      throw DataError(failed + "cannot create a file in " + quoted(directory_of(plan.target)) +
                      " (" + errno_text() + "); check that the directory exists and is writable");
    }
  }
}

// The temporaries' names are ".NAME.tmp-HOST-PID-N": a writer on this host is known by its
// process id. Other hosts' temporaries, the process's own, and any whose writer is alive or
// cannot be signalled, are left alone.
void remove_stale_temporaries(const std::filesystem::path& file) {
  std::filesystem::path target = file;
  try {
    target = follow_symlinks(file);
  } catch (const DataError&) {
    return;
  }
  const std::string prefix = temporary_prefix(target).append(host_tag()).append("-");
  std::error_code error;
  std::filesystem::directory_iterator entry(directory_of(target), error);
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
