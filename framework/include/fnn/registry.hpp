#pragma once
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "fnn/activation.hpp"
#include "fnn/component.hpp"
#include "fnn/export.hpp"
#include "fnn/initializer.hpp"
#include "fnn/layer.hpp"
#include "fnn/loss.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/options.hpp"

namespace fnn {

/// Loads plugins (shared objects with an FNN_PLUGIN entry point) and makes their components by
/// name. Every object it makes keeps its plugin loaded for as long as the object lives, so the
/// registry itself may be destroyed first.
///
/// Where plugins are searched, first match of a file name wins:
///   1. directories passed explicitly (the API's argument, the command line's --plugin-dir);
///   2. the directories of the environment variable FNN_PLUGIN_PATH (colon-separated, absolute:
///      a relative entry throws PluginError, an empty one is ignored);
///   3. fnn's own plugin directory, `fnn/plugins` next to libfnn (in the build tree and in an
///      installation alike).
/// The current directory is never searched unless named.
///
/// Loading a shared object runs its constructors before any check can refuse it: only trusted
/// directories belong on the path. Every failure throws PluginError with the file, what is wrong
/// and what to do; a directory or file others can write to is reported in `warnings()`.
class FNN_API Registry {
 public:
  /// An empty registry; add plugins with `load_plugin` or `load_search_path`.
  Registry();
  /// A registry holding every plugin of the search path, `directories` first.
  static Registry with_plugins(const std::vector<std::filesystem::path>& directories = {});
  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;
  ~Registry();

  /// Loads one plugin file. Loading the same file again does nothing.
  void load_plugin(const std::filesystem::path& file);
  /// Loads every `*.so` of each search-path directory, skipping a file name already loaded from
  /// an earlier directory (so a plugin in your directory shadows fnn's own of the same name).
  void load_search_path(const std::vector<std::filesystem::path>& directories = {});

  /// The directories `load_search_path(directories)` reads, in order (missing ones included).
  static std::vector<std::filesystem::path> search_path(
      const std::vector<std::filesystem::path>& directories = {});
  /// fnn's own plugin directory: `fnn/plugins` beside the libfnn shared object.
  static std::filesystem::path default_plugin_directory();

  /// Make a component. An unknown name throws PluginError listing the registered names of that
  /// kind and the nearest one; options the component did not read throw SpecError.
  std::shared_ptr<Layer> make_layer(std::string_view name, const Options& options = {}) const;
  std::shared_ptr<Activation> make_activation(std::string_view name,
                                              const Options& options = {}) const;
  std::shared_ptr<Loss> make_loss(std::string_view name, const Options& options = {}) const;
  std::shared_ptr<Optimizer> make_optimizer(std::string_view name,
                                            const Options& options = {}) const;
  std::shared_ptr<Initializer> make_initializer(std::string_view name,
                                                const Options& options = {}) const;

  bool contains(Kind kind, std::string_view name) const;
  /// Every registered component, sorted by kind then name.
  std::vector<ComponentInfo> components() const;
  /// The names of one kind, sorted.
  std::vector<std::string> names(Kind kind) const;
  /// What loading found unsafe but did not refuse, one sentence each, naming the directory or
  /// file: a plugin directory or file that other users can write to. For the program to show.
  const std::vector<std::string>& warnings() const;
  /// The plugin files loaded so far (canonical paths), sorted.
  std::vector<std::filesystem::path> plugin_files() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fnn
