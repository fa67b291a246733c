#include "support/process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/test_support.hpp"

extern char** environ;

namespace fnn::test {

ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args) {
  // Output goes to files, not pipes: no deadlock however much the child writes.
  const TemporaryDirectory capture;
  const std::string out_file = (capture.path() / "out").string();
  const std::string err_file = (capture.path() / "err").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

  std::vector<std::string> words{program.string()};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  pid_t child = 0;
  const int failed = posix_spawn(&child, words[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error("cannot start " + words[0]);
  int status = 0;
  waitpid(child, &status, 0);

  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

ProcessResult run_fnn(const std::vector<std::string>& args) {
  return run_process(FNN_CLI_PATH, args);
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

}  // namespace fnn::test
