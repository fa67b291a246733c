#pragma once
// Shared helpers of the test suite.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fnn/fnn.hpp>
#include <fnn/gradient_check.hpp>
#include <string>

namespace fnn::test {

/// fnn's own plugins, loaded once for the whole suite.
const Registry& plugins();

/// The directory of the deliberately broken fixture plugins.
std::filesystem::path fixture(const std::string& file_name);

/// A fresh empty directory under the system's temporary directory, removed by the destructor.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A TemporaryDirectory holding xor.csv (header "a,b,xor", the four XOR rows), for CLI tests.
struct XorDirectory {
  XorDirectory();
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  TemporaryDirectory folder;
  std::string xor_data = path("xor.csv");
};

/// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::string name, const std::string& value);
  ~ScopedEnvironment();
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::string name_;
  std::string previous_;
  bool had_previous_;
};

/// A model file's tensor as raw bytes ("" when it has none of that name), for comparing two
/// runs bit for bit.
std::string tensor_bytes(const std::filesystem::path& file, const std::string& name);

/// The message of the fnn::Error that `action` throws ("" and a failed check if none is thrown).
template <class Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  FAIL_CHECK("no fnn::Error was thrown");
  return "";
}

}  // namespace fnn::test

/// Requires a gradient check to pass, printing its worst coordinate otherwise.
#define REQUIRE_GRADIENT_OK(result_expression)                                   \
  do {                                                                           \
    const ::fnn::GradientCheckResult fnn_check_result = (result_expression);     \
    INFO("worst " << fnn_check_result.worst << " (checked "                     \
                  << fnn_check_result.checked << ")");                          \
    REQUIRE(fnn_check_result.checked > 0);                                       \
    REQUIRE(fnn_check_result.passed);                                            \
  } while (false)
