#include <filesystem>
#include <fnn/plugin.hpp>
#include <fstream>
#include <functional>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;
using fnn::test::fixture;

TEST_CASE("fnn's own plugins provide the core components by name", "[registry]") {
  const fnn::Registry& registry = fnn::test::plugins();
  CHECK(registry.names(fnn::Kind::layer) == std::vector<std::string>{"dense", "dropout"});
  CHECK(registry.names(fnn::Kind::activation) ==
        std::vector<std::string>{"elu", "identity", "leaky_relu", "relu", "sigmoid", "softmax",
                                 "softplus", "tanh"});
  CHECK(registry.names(fnn::Kind::loss) ==
        std::vector<std::string>{"binary_cross_entropy", "cross_entropy", "huber", "mae", "mse"});
  CHECK(registry.names(fnn::Kind::optimizer) ==
        std::vector<std::string>{"adam", "rmsprop", "sgd"});
  CHECK(registry.names(fnn::Kind::initializer) ==
        std::vector<std::string>{"glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                                 "uniform01"});
  for (const fnn::ComponentInfo& component : registry.components()) {
    INFO(component.name);
    CHECK_FALSE(component.description.empty());
    CHECK(component.library.filename().string() == "fnn_" + component.name + ".so");
  }
}

TEST_CASE("the registry lists the plugin files it loaded, sorted, once each", "[registry]") {
  fnn::Registry registry;
  CHECK(registry.plugin_files().empty());
  const std::filesystem::path directory = fnn::Registry::default_plugin_directory();
  registry.load_plugin(directory / "fnn_relu.so");
  registry.load_plugin(directory / "fnn_adam.so");
  registry.load_plugin(directory / "fnn_relu.so");  // again: nothing new
  const std::vector<std::filesystem::path> files = registry.plugin_files();
  REQUIRE(files.size() == 2);
  CHECK(files[0] == std::filesystem::canonical(directory / "fnn_adam.so"));
  CHECK(files[1] == std::filesystem::canonical(directory / "fnn_relu.so"));
}

TEST_CASE("objects keep their plugin loaded after the registry is gone", "[registry]") {
  std::shared_ptr<fnn::Activation> sigmoid;
  {
    const fnn::Registry registry = fnn::Registry::with_plugins();
    sigmoid = registry.make_activation("sigmoid");
  }
  fnn::Matrix z{{0.0F}};
  fnn::Matrix a(1, 1);
  sigmoid->forward(z, a);  // would crash if the plugin had been unloaded
  CHECK(a(0, 0) == 0.5F);
}

TEST_CASE("a file that is not a shared object is refused, naming the file", "[registry]") {
  fnn::Registry registry;
  const std::string message =
      error_message([&] { registry.load_plugin(fixture("not_a_shared_object.so")); });
  CHECK_THAT(message, Contains("cannot load plugin") && Contains("not_a_shared_object.so") &&
                          Contains("is not a shared object (ELF)") &&
                          Contains("remove it from the plugin directory") &&
                          !Contains("Bad file descriptor"));
}

TEST_CASE("an ELF file the loader refuses gives the loader's reason, not errno", "[registry]") {
  fnn::test::TemporaryDirectory directory;
  const std::filesystem::path truncated = directory.path() / "truncated.so";
  {  // the first 200 bytes of a real plugin: an ELF header whose sections are cut off
    std::ifstream plugin(fixture("twin_a.so"), std::ios::binary);
    std::string head(200, '\0');
    plugin.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(truncated, std::ios::binary) << head;
  }
  fnn::Registry registry;
  const std::string message = error_message([&] { registry.load_plugin(truncated); });
  CHECK_THAT(message, Contains("cannot load plugin") && Contains("truncated.so") &&
                          Contains("rebuild it for this machine") &&
                          !Contains("Bad file descriptor") && !Contains("dlerror"));
}

TEST_CASE("a shared object without the fnn entry point is refused", "[registry]") {
  fnn::Registry registry;
  const std::string message =
      error_message([&] { registry.load_plugin(fixture("no_entry_point.so")); });
  CHECK_THAT(message, Contains("no_entry_point.so") && Contains("not an fnn plugin") &&
                          Contains("FNN_PLUGIN"));
}

TEST_CASE("a plugin built against another ABI is refused with both versions", "[registry]") {
  fnn::Registry registry;
  const std::string message =
      error_message([&] { registry.load_plugin(fixture("abi_mismatch.so")); });
  CHECK_THAT(message, Contains("abi_mismatch.so") && Contains("plugin ABI 999") &&
                          Contains("plugin ABI " + std::to_string(fnn::abi_version)) &&
                          Contains(std::string("fnn ") + fnn::version) &&
                          Contains("rebuild the plugin against this fnn"));
}

TEST_CASE("a plugin whose registration throws leaves nothing registered", "[registry]") {
  fnn::Registry registry;
  const std::string message =
      error_message([&] { registry.load_plugin(fixture("registration_throws.so")); });
  CHECK_THAT(message, Contains("registration_throws.so") &&
                          Contains("failed while registering") &&
                          Contains("the plugin's configuration file is missing"));
  CHECK_FALSE(registry.contains(fnn::Kind::activation, "half"));
}

TEST_CASE("a component name registered by two plugins names both files", "[registry]") {
  fnn::Registry registry;
  registry.load_plugin(fixture("twin_a.so"));
  const std::string message = error_message([&] { registry.load_plugin(fixture("twin_b.so")); });
  CHECK_THAT(message, Contains("activation 'twin'") && Contains("twin_a.so") &&
                          Contains("twin_b.so") && Contains("remove one of the two plugins"));
  // The first registration stands.
  CHECK(registry.components().front().description == "twin from plugin a");
}

TEST_CASE("an unknown component name lists the registered ones and the nearest", "[registry]") {
  const std::string message =
      error_message([] { fnn::test::plugins().make_activation("sigmod"); });
  CHECK_THAT(message, Contains("unknown activation 'sigmod'") &&
                          Contains("did you mean 'sigmoid'?") &&
                          Contains("Registered activations: elu, identity, leaky_relu, relu, "
                                   "sigmoid, softmax, softplus, tanh.") &&
                          Contains("Plugins were searched in"));

  try {
    fnn::test::plugins().make_loss("hinge");
    FAIL("no error");
  } catch (const fnn::UnknownComponentError& error) {  // a program can tell it apart
    CHECK(error.name() == "hinge");
    CHECK(error.role() == "the loss");
  }
  const std::string far_off = error_message([] { fnn::test::plugins().make_loss("hinge"); });
  CHECK_THAT(far_off, Contains("unknown loss 'hinge'") &&
                          Contains("Registered losses: binary_cross_entropy, cross_entropy, "
                                   "huber, mae, mse.") &&
                          !Contains("did you mean"));
}

TEST_CASE("an option a component does not take is an error", "[registry]") {
  const std::string message = error_message(
      [] { fnn::test::plugins().make_optimizer("sgd", {{"learning_rte", "0.1"}}); });
  CHECK_THAT(message, Contains("optimizer 'sgd' does not take option learning_rte") &&
                          Contains("did you mean 'learning_rate' for 'learning_rte'?"));
  try {
    fnn::test::plugins().make_activation("leaky_relu", {{"slop", "0.3"}, {"units", "3"}});
    FAIL("no error");
  } catch (const fnn::UnknownOptionError& error) {  // the keys, for a program to act on
    CHECK(error.unknown() == std::vector<std::string>{"slop", "units"});
    CHECK(error.known() == std::vector<std::string>{"slope"});
    CHECK_THAT(error.what(), Contains("did you mean 'slope' for 'slop'?") &&
                                 !Contains("for 'units'"));
  }
}

TEST_CASE("a bad option value is an error naming component, option and value", "[registry]") {
  const std::string message = error_message(
      [] { fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "fast"}}); });
  CHECK_THAT(message, Contains("optimizer 'sgd'") && Contains("learning_rate") &&
                          Contains("'fast'") && Contains("number"));
}

TEST_CASE("plugins are searched in explicit directories, then FNN_PLUGIN_PATH", "[registry]") {
  fnn::test::TemporaryDirectory first;
  fnn::test::TemporaryDirectory second;
  // The same file name in two directories: the earlier directory's file wins.
  std::filesystem::copy_file(fixture("twin_a.so"), first.path() / "twin.so");
  std::filesystem::copy_file(fixture("twin_b.so"), second.path() / "twin.so");

  SECTION("explicit before the environment") {
    const fnn::test::ScopedEnvironment environment("FNN_PLUGIN_PATH", second.path().string());
    const fnn::Registry registry = fnn::Registry::with_plugins({first.path()});
    const auto path = fnn::Registry::search_path({first.path()});
    REQUIRE(path.size() == 3);
    CHECK(path[0] == first.path());
    CHECK(path[1] == second.path());
    CHECK(path[2] == fnn::Registry::default_plugin_directory());
    bool found = false;
    for (const auto& component : registry.components()) {
      if (component.name == "twin") {
        found = true;
        CHECK(component.description == "twin from plugin a");
      }
    }
    CHECK(found);
    CHECK(registry.contains(fnn::Kind::layer, "dense"));  // the default directory still follows
  }
  SECTION("the environment alone, colon-separated, empty entries ignored") {
    const fnn::test::ScopedEnvironment environment("FNN_PLUGIN_PATH",
                                                   "::" + second.path().string() + ":");
    const fnn::Registry registry = fnn::Registry::with_plugins();
    CHECK(registry.contains(fnn::Kind::activation, "twin"));
  }
  SECTION("an empty entry is not the current directory") {
    const std::string a = first.path().string();
    const std::string b = second.path().string();
    const fnn::test::ScopedEnvironment environment("FNN_PLUGIN_PATH", ":" + a + "::" + b + ":");
    CHECK(fnn::Registry::search_path() ==
          std::vector<std::filesystem::path>{a, b, fnn::Registry::default_plugin_directory()});
  }
}

TEST_CASE("a relative FNN_PLUGIN_PATH entry is refused, naming it", "[registry]") {
  fnn::test::TemporaryDirectory absolute;
  const fnn::test::ScopedEnvironment environment("FNN_PLUGIN_PATH",
                                                 absolute.path().string() + ":build/plugins");
  for (const auto& load : std::vector<std::function<void()>>{
           [] { fnn::Registry::with_plugins(); }, [] { fnn::Registry::search_path(); }}) {
    CHECK_THAT(error_message(load), Contains("FNN_PLUGIN_PATH") && Contains("'build/plugins'") &&
                                        Contains("relative") && Contains("absolute"));
  }
}

namespace {

/// 'path', as messages quote it. (Built by appending: GCC 12 warns, wrongly, of overlapping copies
/// in "'" + text + "'".)
std::string quoted(const std::filesystem::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

/// The registry's warnings that name `path` (by its canonical name, as warnings do).
std::vector<std::string> warnings_naming(const fnn::Registry& registry,
                                         const std::filesystem::path& path) {
  const std::string name = quoted(std::filesystem::canonical(path));
  std::vector<std::string> naming;
  for (const std::string& warning : registry.warnings()) {
    if (warning.find(name) != std::string::npos) naming.push_back(warning);
  }
  return naming;
}

}  // namespace

TEST_CASE("a plugin directory or file other users can write to gives a warning naming it",
          "[registry]") {
  namespace fs = std::filesystem;
  fnn::test::TemporaryDirectory directory;
  const fs::path plugin = directory.path() / "twin.so";
  fs::copy_file(fixture("twin_a.so"), plugin);
  fs::permissions(directory.path(), fs::perms(0755));
  fs::permissions(plugin, fs::perms(0755));

  SECTION("neither: no warning") {
    const fnn::Registry registry = fnn::Registry::with_plugins({directory.path()});
    CHECK(warnings_naming(registry, directory.path()).empty());
    CHECK(warnings_naming(registry, plugin).empty());
  }
  SECTION("a world-writable directory") {
    fs::permissions(directory.path(), fs::perms(0777));
    const fnn::Registry registry = fnn::Registry::with_plugins({directory.path()});
    const auto warnings = warnings_naming(registry, directory.path());
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Contains("plugin directory") && Contains("writable by other users") &&
                                Contains("0777") && Contains("chmod go-w"));
    CHECK(registry.contains(fnn::Kind::activation, "twin"));  // a warning, not a refusal
  }
  SECTION("a group-writable directory") {
    fs::permissions(directory.path(), fs::perms(0775));
    const fnn::Registry registry = fnn::Registry::with_plugins({directory.path()});
    CHECK(warnings_naming(registry, directory.path()).size() == 1);
  }
  SECTION("a world-writable directory with the sticky bit (as /tmp): no warning") {
    fs::permissions(directory.path(), fs::perms(01777));
    const fnn::Registry registry = fnn::Registry::with_plugins({directory.path()});
    CHECK(warnings_naming(registry, directory.path()).empty());
  }
  SECTION("a group- or world-writable plugin file, found or loaded by name") {
    fs::permissions(plugin, fs::perms(0775));
    const fnn::Registry found = fnn::Registry::with_plugins({directory.path()});
    const auto warnings = warnings_naming(found, plugin);
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0],
               Contains("plugin file") && Contains("writable by other users") && Contains("0775"));
    fs::permissions(plugin, fs::perms(0666));
    fnn::Registry named;
    named.load_plugin(plugin);
    CHECK(warnings_naming(named, plugin).size() == 1);
  }
}

TEST_CASE("a symbolic link loop in a plugin directory is an error naming it", "[registry]") {
  fnn::test::TemporaryDirectory directory;
  const std::filesystem::path loop = directory.path() / "loop.so";
  std::filesystem::create_symlink("loop.so", loop);
  const std::string message =
      error_message([&] { fnn::Registry::with_plugins({directory.path()}); });
  CHECK_THAT(message, Contains(quoted(loop)) && Contains("Too many levels of symbolic links") &&
                          Contains("remove it from the plugin directory"));
  fnn::Registry registry;
  CHECK_THAT(error_message([&] { registry.load_plugin(loop); }),
             Contains(quoted(loop)) && Contains("Too many levels of symbolic links"));
}

TEST_CASE("a missing explicit plugin directory is an error", "[registry]") {
  const std::string message =
      error_message([] { fnn::Registry::with_plugins({"/nonexistent/fnn-plugins"}); });
  CHECK_THAT(message, Contains("plugin directory '/nonexistent/fnn-plugins' does not exist") &&
                          Contains("check the path") && Contains("FNN_PLUGIN_PATH") &&
                          Contains(fnn::Registry::default_plugin_directory().string()) &&
                          Contains("`fnn plugins` lists"));
}

TEST_CASE("loading the same plugin file twice is harmless", "[registry]") {
  fnn::Registry registry;
  registry.load_plugin(fixture("twin_a.so"));
  REQUIRE_NOTHROW(registry.load_plugin(fixture("twin_a.so")));
  CHECK(registry.components().size() == 1);
}

TEST_CASE("the default plugin directory sits beside libfnn", "[registry]") {
  const auto directory = fnn::Registry::default_plugin_directory();
  CHECK(directory.filename() == "plugins");
  CHECK(std::filesystem::exists(directory / "fnn_dense.so"));
}
