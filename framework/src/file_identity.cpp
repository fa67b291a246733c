#include "fnn/file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <system_error>

#include "fnn/error.hpp"

namespace fnn {

namespace {

constexpr int symlink_limit = 40;  // Linux's own limit on links followed in one lookup

std::optional<std::filesystem::path> link_target(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_symlink(path, error)) return std::nullopt;
  std::filesystem::path target = std::filesystem::read_symlink(path, error);
  if (error) return std::nullopt;
  return target.is_absolute() ? target : path.parent_path() / target;
}

// /proc/self/fd/N or /proc/PID/fd/N for this process's PID: descriptor N.
std::optional<int> descriptor_entry(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path directory =
      std::filesystem::canonical(path.parent_path().empty() ? "." : path.parent_path(), error);
  if (error || directory != std::filesystem::path("/proc") / std::to_string(::getpid()) / "fd") {
    return std::nullopt;
  }
  const std::string name = path.filename().string();
  int descriptor = -1;
  const auto [end, failed] = std::from_chars(name.data(), name.data() + name.size(), descriptor);
  if (failed != std::errc{} || end != name.data() + name.size() || descriptor < 0) {
    return std::nullopt;
  }
  return descriptor;
}

}  // namespace

std::filesystem::path follow_symlinks(const std::filesystem::path& path) {
  std::filesystem::path current = path;
  for (int followed = 0; followed <= symlink_limit; ++followed) {
    const std::optional<std::filesystem::path> next = link_target(current);
    if (!next) return current;
    current = *next;
  }
  throw DataError("'" + path.string() + "': more than " + std::to_string(symlink_limit) +
                  " symbolic links in a row (a loop?)");
}

std::optional<int> process_descriptor(const std::filesystem::path& path) {
  std::filesystem::path current = path;
  for (int followed = 0; followed <= symlink_limit; ++followed) {
    if (const std::optional<int> descriptor = descriptor_entry(current)) return descriptor;
    const std::optional<std::filesystem::path> next = link_target(current);
    if (!next) return std::nullopt;
    current = *next;
  }
  return std::nullopt;
}

FileIdentity file_identity(const std::filesystem::path& path) {
  struct ::stat status {};
  if (::stat(path.c_str(), &status) == 0) {
    return {status.st_dev, status.st_ino, "", true, S_ISREG(status.st_mode)};
  }
  std::filesystem::path target = path;
  try {
    target = follow_symlinks(path);
  } catch (const DataError&) {
    // A loop: the path itself is all there is to compare.
  }
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (::stat(directory.c_str(), &status) == 0) {
    return {status.st_dev, status.st_ino, target.filename().string(), false, false};
  }
  std::error_code error;
  return {0, 0, std::filesystem::absolute(target, error).lexically_normal().string(), false, false};
}

}  // namespace fnn
