#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace fnn::test {

/// What a finished child process left: its exit code and everything it wrote.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `program` with `args` (no shell), stdin from /dev/null, and waits for it.
ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args);

/// Runs the fnn command-line tool of this build.
ProcessResult run_fnn(const std::vector<std::string>& args);

/// A whole file as a string ("" if it cannot be read).
std::string read_file(const std::filesystem::path& file);
/// Writes `text` to `file`, replacing it.
void write_file(const std::filesystem::path& file, const std::string& text);

}  // namespace fnn::test
