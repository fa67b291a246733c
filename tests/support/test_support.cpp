#include "support/test_support.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace fnn::test {

const Registry& plugins() {
  static const Registry registry = Registry::with_plugins();
  return registry;
}

std::string tensor_bytes(const std::filesystem::path& file, const std::string& name) {
  const ModelFile model = read_model_file(file);
  const auto found = model.tensors.find(name);
  if (found == model.tensors.end()) return "";
  return {reinterpret_cast<const char*>(found->second.data()),
          found->second.size() * sizeof(float)};
}

std::filesystem::path fixture(const std::string& file_name) {
  return std::filesystem::path(FNN_FIXTURE_DIR) / file_name;
}

TemporaryDirectory::TemporaryDirectory() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("fnn-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ScopedEnvironment::ScopedEnvironment(std::string name, const std::string& value)
    : name_(std::move(name)) {
  const char* previous = std::getenv(name_.c_str());
  had_previous_ = previous != nullptr;
  if (had_previous_) previous_ = previous;
  ::setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnvironment::~ScopedEnvironment() {
  if (had_previous_) {
    ::setenv(name_.c_str(), previous_.c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

XorDirectory::XorDirectory() {
  std::ofstream(xor_data) << "a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";
}

}  // namespace fnn::test
