#include "fnn/registry.hpp"

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "abi_check.hpp"
#include "fnn/error.hpp"
#include "fnn/plugin.hpp"
#include "fnn/names.hpp"

namespace fnn {

namespace fs = std::filesystem;

namespace {

using Library = std::shared_ptr<boost::dll::shared_library>;

template <class Base> constexpr Kind kind_of();
template <> constexpr Kind kind_of<Layer>() { return Kind::layer; }
template <> constexpr Kind kind_of<Activation>() { return Kind::activation; }
template <> constexpr Kind kind_of<Loss>() { return Kind::loss; }
template <> constexpr Kind kind_of<Optimizer>() { return Kind::optimizer; }
template <> constexpr Kind kind_of<Initializer>() { return Kind::initializer; }

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

/// A file or directory whose status cannot be read (a symbolic link loop, a permission).
PluginError unreadable(const std::string& what, const fs::path& path,
                       const std::error_code& error) {
  return PluginError("cannot read " + what + " " + quoted(path) + ": " + error.message() +
                     "; remove it from the plugin directory or mend it");
}

/// Options a component did not read, with the nearest key it did ask for as the likely meant one.
UnknownOptionError unknown_options(const std::string& who, std::vector<std::string> unread,
                                   std::vector<std::string> asked) {
  std::string message = who + " does not take option" + (unread.size() > 1 ? "s " : " ") +
                        join(unread);
  for (const std::string& key : unread) {
    const std::string nearest = nearest_name(key, asked);
    if (!nearest.empty()) message += "; did you mean '" + nearest + "' for '" + key + "'?";
  }
  message += " (check the spelling; `fnn plugins` lists each component)";
  return {message, std::move(unread), std::move(asked)};
}

/// A plugin directory that was named but is not there, and where fnn looks without it.
PluginError missing_directory(const fs::path& directory) {
  return PluginError("plugin directory " + quoted(directory) +
                     " does not exist or is not a directory: check the path. Without it, fnn "
                     "loads plugins from the directories of FNN_PLUGIN_PATH and from its own " +
                     quoted(Registry::default_plugin_directory()) +
                     "; `fnn plugins` lists the components found and their files");
}

/// A file that cannot be a shared object: it does not start with the ELF magic number.
bool lacks_elf_magic(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  char magic[4] = {};
  stream.read(magic, sizeof magic);
  return !stream || std::string_view(magic, sizeof magic) != "\x7f" "ELF";
}

/// The dynamic loader's own reason from Boost.DLL's exception, without the errno text Boost adds
/// ("Bad file descriptor"), which says nothing about the file.
std::string loader_reason(const std::exception& failure) {
  const std::string_view what = failure.what();
  constexpr std::string_view marker = "(dlerror system message: ";
  const std::size_t start = what.find(marker);
  const std::size_t end = what.rfind(')');
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) {
    return std::string(what);
  }
  return std::string(what.substr(start + marker.size(), end - start - marker.size()));
}

/// A warning when users other than the owner may write `path`: a group- or world-writable file,
/// or such a directory without the sticky bit (in a sticky one, as /tmp, only a file's owner may
/// replace it). "" when they may not, or when the status cannot be read.
std::string writable_by_others(const std::string& what, const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  const fs::perms mode = status.permissions();
  const bool others_write =
      (mode & (fs::perms::group_write | fs::perms::others_write)) != fs::perms::none;
  const bool sticky_directory =
      fs::is_directory(status) && (mode & fs::perms::sticky_bit) != fs::perms::none;
  if (error || !others_write || sticky_directory) return "";
  std::ostringstream octal;
  octal << std::oct << std::setw(4) << std::setfill('0')
        << static_cast<unsigned>(mode & fs::perms::mask);
  const std::string name = quoted(path);
  const std::string advice = "make it writable by its owner only: chmod go-w " + name;
  return what + " " + name + " is writable by other users (mode " + octal.str() +
         "): any of them can change the code fnn runs; " + advice;
}

template <class Base>
struct Entry {
  static constexpr Kind kind = kind_of<Base>();
  Library library;  // first member, so destroyed last: the factory's code stays loaded until then
  std::string name;
  std::string description;
  Factory<Base> make;
  fs::path file;
};

template <class Base>
using Table = std::map<std::string, Entry<Base>, std::less<>>;

template <class Base>
using Staged = std::vector<Entry<Base>>;

/// One of something per component kind, indexed by the interface type.
template <template <class> class Of>
using PerKind = std::tuple<Of<Layer>, Of<Activation>, Of<Loss>, Of<Optimizer>, Of<Initializer>>;

/// Collects a plugin's registrations; nothing reaches the registry unless all of them succeed.
class StagingRegistrar final : public Registrar {
 public:
  void add(std::string name, std::string description, Factory<Layer> make) override {
    stage(std::move(name), std::move(description), std::move(make));
  }
  void add(std::string name, std::string description, Factory<Activation> make) override {
    stage(std::move(name), std::move(description), std::move(make));
  }
  void add(std::string name, std::string description, Factory<Loss> make) override {
    stage(std::move(name), std::move(description), std::move(make));
  }
  void add(std::string name, std::string description, Factory<Optimizer> make) override {
    stage(std::move(name), std::move(description), std::move(make));
  }
  void add(std::string name, std::string description, Factory<Initializer> make) override {
    stage(std::move(name), std::move(description), std::move(make));
  }
  void fail(const char* reason) noexcept override {
    try {
      failure = reason ? reason : "no reason given";
    } catch (...) {
      failure_unrecorded = true;
    }
  }

  PerKind<Staged> staged;
  std::string failure;
  bool failure_unrecorded = false;

 private:
  template <class Base>
  void stage(std::string name, std::string description, Factory<Base> make) {
    if (name.empty()) throw PluginError("a " + std::string(to_string(kind_of<Base>())) +
                                        " was registered with an empty name");
    if (!make) throw PluginError(std::string(to_string(kind_of<Base>())) + " '" + name +
                                 "' was registered without a factory");
    std::get<Staged<Base>>(staged).push_back(
        {{}, std::move(name), std::move(description), std::move(make), {}});
  }
};

}  // namespace

struct Registry::Impl {
  PerKind<Table> tables;
  std::set<fs::path> loaded_files;        // canonical paths
  std::vector<fs::path> searched;         // for "unknown name" messages
  std::vector<std::string> warnings;

  void warn_if_writable_by_others(const std::string& what, const fs::path& path) {
    std::string warning = writable_by_others(what, path);
    if (!warning.empty() &&
        std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
      warnings.push_back(std::move(warning));
    }
  }

  template <class Base>
  Table<Base>& table() { return std::get<Table<Base>>(tables); }
  template <class Base>
  const Table<Base>& table() const { return std::get<Table<Base>>(tables); }

  // Refuses names registered twice (within the plugin, or already by another one).
  template <class Base>
  void check_duplicates(const Staged<Base>& staged, const fs::path& file) const {
    const std::string kind(to_string(kind_of<Base>()));
    std::set<std::string, std::less<>> seen;
    for (const Entry<Base>& entry : staged) {
      if (!seen.insert(entry.name).second) {
        throw PluginError(kind + " '" + entry.name + "' is registered twice by " + quoted(file) +
                          ": give each component its own name");
      }
      const auto existing = table<Base>().find(entry.name);
      if (existing != table<Base>().end()) {
        throw PluginError(kind + " '" + entry.name + "' is registered by both " +
                          quoted(existing->second.file) + " and " + quoted(file) +
                          ": remove one of the two plugins from the search path, or rename the "
                          "component in one of them");
      }
    }
  }

  template <class Base>
  void commit(Staged<Base>& staged, const fs::path& file, const Library& library) {
    for (Entry<Base>& entry : staged) {
      entry.file = file;
      entry.library = library;
      std::string name = entry.name;
      table<Base>().emplace(std::move(name), std::move(entry));
    }
  }

  template <class Base>
  std::vector<std::string> names() const {
    std::vector<std::string> result;
    for (const auto& [name, entry] : table<Base>()) result.push_back(name);
    return result;
  }

  template <class Base>
  std::shared_ptr<Base> make(std::string_view name, const Options& options) const {
    const std::string kind(to_string(kind_of<Base>()));
    const auto found = table<Base>().find(name);
    if (found == table<Base>().end()) {
      throw UnknownComponentError(unknown(kind, name, names<Base>()), std::string(name),
                                  "the " + kind);
    }
    const Entry<Base>& entry = found->second;

    Options fresh;  // a copy whose reads are tracked from zero
    for (const auto& [key, value] : options.entries()) fresh.set(key, value);
    std::unique_ptr<Base> object;
    const std::string who = kind + " '" + entry.name + "'";
    try {
      object = entry.make(fresh);
    } catch (const SpecError& error) {
      throw SpecError(who + ": " + error.what());
    } catch (const std::exception& error) {
      throw PluginError(who + " (from " + quoted(entry.file) +
                        ") failed to construct: " + error.what());
    }
    if (!object) throw PluginError(who + " (from " + quoted(entry.file) + ") made no object");
    if (std::vector<std::string> unread = fresh.unread(); !unread.empty()) {
      throw unknown_options(who, std::move(unread), fresh.asked());
    }
    // The deleter holds the library: the object's code stays loaded until it is destroyed.
    return std::shared_ptr<Base>(object.release(),
                                 [library = entry.library](Base* made) { delete made; });
  }

  std::string unknown(const std::string& kind, std::string_view name,
                      const std::vector<std::string>& known) const {
    std::string message = "unknown " + kind + " '" + std::string(name) + "'";
    const std::string nearest = nearest_name(name, known);
    message += nearest.empty() ? "." : "; did you mean '" + nearest + "'?";
    if (known.empty()) {
      message += " No loaded plugin provides any " + kind + ".";
    } else {
      const std::string plural = kind.ends_with('s') ? kind + "es" : kind + "s";
      message += " Registered " + plural + ": " + join(known) + ".";
    }
    if (!searched.empty()) {
      std::vector<std::string> directories;
      for (const fs::path& directory : searched) directories.push_back(directory.string());
      message += " Plugins were searched in: " + join(directories) + ".";
    }
    return message;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;
Registry::~Registry() = default;

Registry Registry::with_plugins(const std::vector<fs::path>& directories) {
  Registry registry;
  registry.load_search_path(directories);
  return registry;
}

void Registry::load_plugin(const fs::path& file) {
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (!fs::status_known(status)) throw unreadable("plugin file", file, error);
  if (!fs::is_regular_file(status)) {
    throw PluginError("plugin file " + quoted(file) + " does not exist or is not a file");
  }
  const fs::path canonical = fs::canonical(file, error);
  if (error) throw unreadable("plugin file", file, error);
  if (impl_->loaded_files.contains(canonical)) return;
  impl_->warn_if_writable_by_others("plugin file", canonical);
  impl_->warn_if_writable_by_others("plugin directory", canonical.parent_path());

  if (lacks_elf_magic(canonical)) {
    throw PluginError("cannot load plugin " + quoted(file) + ": it is not a shared object (ELF): "
                      "remove it from the plugin directory, or build the plugin and copy the "
                      "built .so here");
  }
  Library library;
  try {
    library = std::make_shared<boost::dll::shared_library>(
        canonical, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& failure) {
    explain_load_failure(file);
    throw PluginError("cannot load plugin " + quoted(file) + ": it is not a shared object this "
                      "program can load (" + loader_reason(failure) + "); remove it from the "
                      "plugin directory or rebuild it for this machine");
  }
  if (!library->has("fnn_plugin_abi") || !library->has("fnn_plugin_register")) {
    throw PluginError("cannot load plugin " + quoted(file) + ": it is a shared object but not an "
                      "fnn plugin (no fnn_plugin_abi / fnn_plugin_register entry point); define "
                      "one with FNN_PLUGIN from <fnn/plugin.hpp>, or remove the file from the "
                      "plugin directory");
  }
  check_abi(*library->get<const AbiTag*() noexcept>("fnn_plugin_abi")(), file);

  // Declared after `library`, so the staged factories (plugin code) die before it can unload.
  StagingRegistrar staging;
  if (library->get<int(Registrar*) noexcept>("fnn_plugin_register")(&staging) != 0) {
    throw PluginError("plugin " + quoted(file) + " failed while registering its components: " +
                      (staging.failure_unrecorded ? "reason unavailable" : staging.failure) +
                      "; fix the plugin or remove it from the plugin directory");
  }
  std::apply([&](auto&... staged) { (impl_->check_duplicates(staged, canonical), ...); },
             staging.staged);
  std::apply([&](auto&... staged) { (impl_->commit(staged, canonical, library), ...); },
             staging.staged);
  impl_->loaded_files.insert(canonical);
}

void Registry::load_search_path(const std::vector<fs::path>& directories) {
  std::set<fs::path> file_names_seen;
  for (const fs::path& directory : search_path(directories)) {
    impl_->searched.push_back(directory);
    std::error_code error;
    const fs::file_status status = fs::status(directory, error);
    if (!fs::status_known(status)) throw unreadable("plugin directory", directory, error);
    if (!fs::is_directory(status)) {
      const bool explicit_directory =
          std::find(directories.begin(), directories.end(), directory) != directories.end();
      if (explicit_directory) {
        throw missing_directory(directory);
      }
      continue;  // FNN_PLUGIN_PATH entries and the default directory are optional
    }
    impl_->warn_if_writable_by_others("plugin directory", fs::canonical(directory, error));
    std::vector<fs::path> files;
    for (fs::directory_iterator entry(directory, error), end; !error && entry != end;
         entry.increment(error)) {
      if (entry->path().extension() != ".so") continue;
      std::error_code entry_error;
      const fs::file_status entry_status = entry->status(entry_error);
      if (!fs::status_known(entry_status)) {
        throw unreadable("plugin directory entry", entry->path(), entry_error);
      }
      if (fs::is_regular_file(entry_status)) files.push_back(entry->path());  // skips dangling
    }
    if (error) throw unreadable("plugin directory", directory, error);
    std::sort(files.begin(), files.end());  // a fixed load order, whatever the file system does
    for (const fs::path& file : files) {
      if (file_names_seen.insert(file.filename()).second) load_plugin(file);
    }
  }
}

std::vector<fs::path> Registry::search_path(const std::vector<fs::path>& directories) {
  std::vector<fs::path> path = directories;
  if (const char* variable = std::getenv("FNN_PLUGIN_PATH")) {
    std::istringstream entries(variable);
    for (std::string entry; std::getline(entries, entry, ':');) {
      if (entry.empty()) continue;  // not the current directory, as an empty PATH entry would be
      if (fs::path(entry).is_relative()) {
        const std::string what = "FNN_PLUGIN_PATH entry '" + entry + "' is a relative path";
        const std::string fix =
            "give an absolute path (such as \"$PWD/" + entry + "\" in the shell)";
        throw PluginError(what + ": fnn would load plugins from wherever it is run; " + fix);
      }
      path.emplace_back(entry);
    }
  }
  path.push_back(default_plugin_directory());
  return path;
}

fs::path Registry::default_plugin_directory() {
  return (boost::dll::this_line_location().parent_path() / "fnn" / "plugins").lexically_normal();
}

std::shared_ptr<Layer> Registry::make_layer(std::string_view name, const Options& options) const {
  return impl_->make<Layer>(name, options);
}
std::shared_ptr<Activation> Registry::make_activation(std::string_view name,
                                                      const Options& options) const {
  return impl_->make<Activation>(name, options);
}
std::shared_ptr<Loss> Registry::make_loss(std::string_view name, const Options& options) const {
  return impl_->make<Loss>(name, options);
}
std::shared_ptr<Optimizer> Registry::make_optimizer(std::string_view name,
                                                    const Options& options) const {
  return impl_->make<Optimizer>(name, options);
}
std::shared_ptr<Initializer> Registry::make_initializer(std::string_view name,
                                                        const Options& options) const {
  return impl_->make<Initializer>(name, options);
}

bool Registry::contains(Kind kind, std::string_view name) const {
  const std::vector<std::string> known = names(kind);
  return std::find(known.begin(), known.end(), name) != known.end();
}

std::vector<std::string> Registry::names(Kind kind) const {
  switch (kind) {
    case Kind::layer: return impl_->names<Layer>();
    case Kind::activation: return impl_->names<Activation>();
    case Kind::loss: return impl_->names<Loss>();
    case Kind::optimizer: return impl_->names<Optimizer>();
    case Kind::initializer: return impl_->names<Initializer>();
  }
  return {};
}

const std::vector<std::string>& Registry::warnings() const {
  return impl_->warnings;
}

std::vector<fs::path> Registry::plugin_files() const {
  return {impl_->loaded_files.begin(), impl_->loaded_files.end()};  // a std::set: sorted
}

std::vector<ComponentInfo> Registry::components() const {
  std::vector<ComponentInfo> result;
  std::apply(
      [&](const auto&... tables) {
        (
            [&](const auto& table) {
              for (const auto& [name, entry] : table) {
                result.push_back({entry.kind, name, entry.description, entry.file});
              }
            }(tables),
            ...);
      },
      impl_->tables);
  return result;
}

}  // namespace fnn
