#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fnn::test {

/// What a finished child process left: its exit code and everything it wrote.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long peak_kb = 0;  ///< its peak resident memory (ru_maxrss, KiB); run_process only
};

/// Runs `program` with `args` (no shell), stdin from /dev/null, and waits for it.
ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args);

/// Runs the fnn command-line tool of this build.
ProcessResult run_fnn(const std::vector<std::string>& args);

/// A child process a test controls: started without waiting, then waited for until it stops
/// itself (SIGSTOP) or ends, continued, or killed with SIGKILL. Output goes to files. The
/// destructor kills and reaps a child that is still there.
class ChildProcess {
 public:
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Waits until the child stops (true) or ends (false); throws after `limit`.
  bool wait_until_stopped(std::chrono::milliseconds limit = std::chrono::seconds(60));
  /// SIGCONT to a stopped child.
  void resume();
  /// SIGKILL and reap; true if it was killed, false if it had already ended by itself.
  bool kill();
  /// Waits until the child ends (continuing it whenever it stops) and returns what it left.
  ProcessResult wait(std::chrono::milliseconds limit = std::chrono::seconds(60));
  /// What it has written so far (exit_code -1 while it runs).
  ProcessResult output() const;
  /// True until the child has been reaped.
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path capture_;
  pid_t pid_ = 0;
  int last_status_ = 0;  // the wait status it ended with
};

/// Starts the fnn command-line tool of this build as a ChildProcess.
std::unique_ptr<ChildProcess> start_fnn(const std::vector<std::string>& args);

/// A whole file as a string ("" if it cannot be read).
std::string read_file(const std::filesystem::path& file);
/// Writes `text` to `file`, replacing it.
void write_file(const std::filesystem::path& file, const std::string& text);
/// An IDX image file of `count` images of 10 x 10 u8 pixels, and its labels (0..4).
void write_idx(const std::filesystem::path& images_file, const std::filesystem::path& labels_file,
               std::uint32_t count);

}  // namespace fnn::test
