// Loading plugins as a user meets it: a plugin directory others can write to, FNN_PLUGIN_PATH's
// relative and empty entries, a broken entry in a plugin directory.
#include <filesystem>

#include "support/process.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

/// A fresh directory holding one working plugin, twin.so (the activation 'twin'), mode 0755.
struct PluginFolder {
  fnn::test::TemporaryDirectory folder;
  fs::path plugin = folder.path() / "twin.so";
  PluginFolder() {
    fs::copy_file(fnn::test::fixture("twin_a.so"), plugin);
    fs::permissions(folder.path(), fs::perms(0755));
  }
  std::string path() const { return folder.path().string(); }
};

/// `fnn args...` run in `directory` with FNN_PLUGIN_PATH set to `value`.
fnn::test::ProcessResult run_fnn_with_plugin_path(const std::string& value,
                                                  const fs::path& directory,
                                                  const std::vector<std::string>& args) {
  std::vector<std::string> command{"-C", directory.string(), "FNN_PLUGIN_PATH=" + value,
                                   FNN_CLI_PATH};
  command.insert(command.end(), args.begin(), args.end());
  return fnn::test::run_process("/usr/bin/env", command);
}

}  // namespace

TEST_CASE("a plugin directory other users can write to is named in a warning on stderr",
          "[cli][plugins]") {
  PluginFolder plugins;
  fs::permissions(plugins.folder.path(), fs::perms(0777));
  const std::string directory = fs::canonical(plugins.folder.path()).string();
  const auto check_warned = [&](const std::string& err) {
    CHECK_THAT(err, Contains("fnn: warning: plugin directory '") && Contains(directory) &&
                        Contains("' is writable by other users (mode 0777)"));
  };

  const auto listed = run_fnn({"plugins", "--plugin-dir", plugins.path()});
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Contains("twin") && !Contains("warning"));
  check_warned(listed.err);

  const std::string data = (plugins.folder.path() / "xor.csv").string();
  fnn::test::write_file(data, "a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  const auto trained = run_fnn(
      {"train", "--train", data, "--hidden", "2", "--epochs", "1", "--plugin-dir", plugins.path()});
  CHECK(trained.exit_code == 0);
  check_warned(trained.err);
}

TEST_CASE("a relative FNN_PLUGIN_PATH entry is refused, not read from the current directory",
          "[cli][plugins]") {
  fnn::test::TemporaryDirectory here;
  fs::create_directory(here.path() / "plugins");
  fs::copy_file(fnn::test::fixture("twin_a.so"), here.path() / "plugins" / "twin.so");
  const auto result = run_fnn_with_plugin_path("plugins", here.path(), {"plugins"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains("fnn: FNN_PLUGIN_PATH entry 'plugins' is a relative path") &&
                             Contains("absolute path") && !Contains("unexpected error"));
  CHECK_THAT(result.out, !Contains("twin"));
}

TEST_CASE("an empty FNN_PLUGIN_PATH entry is not the current directory", "[cli][plugins]") {
  PluginFolder plugins;
  const auto result = run_fnn_with_plugin_path("::", plugins.folder.path(), {"plugins"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("dense") && !Contains("twin"));
}

TEST_CASE("a symbolic link loop in a plugin directory is an error naming it", "[cli][plugins]") {
  PluginFolder plugins;
  const fs::path loop = plugins.folder.path() / "loop.so";
  fs::create_symlink("loop.so", loop);
  const auto result = run_fnn({"plugins", "--plugin-dir", plugins.path()});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains(loop.string()) && Contains("Too many levels of symbolic links") &&
                             Contains("remove it from the plugin directory") &&
                             !Contains("unexpected error"));
}

TEST_CASE("a missing --plugin-dir is a usage error that says where fnn looks instead",
          "[cli][plugins]") {
  const auto result = run_fnn({"plugins", "--plugin-dir", "/nonexistent/fnn-plugins"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err,
             Contains("--plugin-dir: plugin directory '/nonexistent/fnn-plugins' does not exist") &&
                 Contains("check the path") && Contains("FNN_PLUGIN_PATH") &&
                 Contains("fnn/plugins") && Contains("`fnn plugins` lists"));
}

TEST_CASE("a text file named .so in a plugin directory is named, without errno noise",
          "[cli][plugins]") {
  PluginFolder plugins;
  const fs::path text = plugins.folder.path() / "x.so";
  fnn::test::write_file(text, "not a plugin\n");
  const auto result = run_fnn({"plugins", "--plugin-dir", plugins.path()});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains(text.string()) && Contains("is not a shared object (ELF)") &&
                             Contains("remove it from the plugin directory") &&
                             !Contains("Bad file descriptor"));
}
