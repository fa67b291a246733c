#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/test_support.hpp"

extern char** environ;

namespace fnn::test {

namespace {

// Spawns `program` with stdin from /dev/null and stdout, stderr into `out_file`, `err_file`.
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args,
            const std::string& out_file, const std::string& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> words{program.string()};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  // The child starts with the default action for the signals tests send, whatever this process
  // inherited (a test runner started in the background of a script ignores SIGINT).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  const int failed =
      posix_spawn(&child, words[0].c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error("cannot start " + words[0]);
  return child;
}

}  // namespace

ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args) {
  // Output goes to files, not pipes: no deadlock however much the child writes.
  const TemporaryDirectory capture;
  const std::string out_file = (capture.path() / "out").string();
  const std::string err_file = (capture.path() / "err").string();
  const pid_t child = spawn(program, args, out_file, err_file);
  int status = 0;
  struct rusage usage {};
  wait4(child, &status, 0, &usage);

  ProcessResult result;
  result.peak_kb = usage.ru_maxrss;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

ProcessResult run_fnn(const std::vector<std::string>& args) {
  return run_process(FNN_CLI_PATH, args);
}

namespace {

std::filesystem::path capture_directory() {
  static std::atomic<int> counter{0};
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("fnn-child-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

}  // namespace

ChildProcess::ChildProcess(const std::filesystem::path& program,
                           const std::vector<std::string>& args)
    : capture_(capture_directory()) {
  pid_ = spawn(program, args, (capture_ / "out").string(), (capture_ / "err").string());
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) kill();
  std::error_code ignored;
  std::filesystem::remove_all(capture_, ignored);
}

bool ChildProcess::wait_until_stopped(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (pid_ > 0) {
    int status = 0;
    const pid_t changed = ::waitpid(pid_, &status, WNOHANG | WUNTRACED);
    if (changed == pid_ && WIFSTOPPED(status)) return true;
    if (changed == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) {
      pid_ = 0;
      last_status_ = status;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill();
      throw std::runtime_error("the child process neither stopped nor ended in time");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

void ChildProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

bool ChildProcess::kill() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
  last_status_ = status;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds limit) {
  while (wait_until_stopped(limit)) resume();
  ProcessResult result = output();
  result.exit_code =
      WIFEXITED(last_status_) ? WEXITSTATUS(last_status_) : 128 + WTERMSIG(last_status_);
  return result;
}

ProcessResult ChildProcess::output() const {
  return {-1, read_file(capture_ / "out"), read_file(capture_ / "err")};
}

std::unique_ptr<ChildProcess> start_fnn(const std::vector<std::string>& args) {
  return std::make_unique<ChildProcess>(FNN_CLI_PATH, args);
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

void write_idx(const std::filesystem::path& images_file, const std::filesystem::path& labels_file,
               std::uint32_t count) {
  std::string images{'\0', '\0', '\x08', '\x03'};
  std::string labels{'\0', '\0', '\x08', '\x01'};
  for (const int shift : {24, 16, 8, 0}) {
    images += static_cast<char>((count >> shift) & 0xff);
    labels += static_cast<char>((count >> shift) & 0xff);
  }
  images += std::string{0, 0, 0, 10, 0, 0, 0, 10};
  for (std::uint32_t i = 0; i < count * 100; ++i) images += static_cast<char>(i * 37 % 251);
  for (std::uint32_t i = 0; i < count; ++i) labels += static_cast<char>(i % 5);
  write_file(images_file, images);
  write_file(labels_file, labels);
}

}  // namespace fnn::test
