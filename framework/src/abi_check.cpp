#include "abi_check.hpp"

#include <boost/dll/shared_library.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fnn/error.hpp"

namespace fnn {

namespace {

std::string library_name(std::uint32_t library, std::uint32_t release) {
  switch (static_cast<StandardLibrary>(library)) {
    case StandardLibrary::libstdcxx:
      return "libstdc++ " + std::to_string(release);
    case StandardLibrary::libcxx:  // _LIBCPP_VERSION: 14000 for 14, 160000 from 16 on
      return "libc++ " + std::to_string(release >= 100000 ? release / 10000 : release / 1000);
    case StandardLibrary::unknown:
      break;
  }
  return "an unknown standard library";
}

std::string library_family(std::uint32_t library) {
  switch (static_cast<StandardLibrary>(library)) {
    case StandardLibrary::libstdcxx:
      return "libstdc++";
    case StandardLibrary::libcxx:
      return "libc++";
    case StandardLibrary::unknown:
      break;
  }
  return "fnn's standard library";
}

/// The fields of `plugin` that differ from `ours` as "what plugin vs fnn", and what the plugin's
/// build should change for each.
struct Differences {
  std::vector<std::string> fields;
  std::vector<std::string> remedies;

  void add(std::string field, std::string remedy = "") {
    fields.push_back(std::move(field));
    if (!remedy.empty()) remedies.push_back(std::move(remedy));
  }
};

std::string on_off(std::uint32_t value) {
  return value != 0 ? "on" : "off";
}

Differences differences(const AbiTag& plugin, const AbiTag& ours) {
  Differences found;
  const auto vs = [](auto theirs, auto mine) {
    return std::to_string(theirs) + " vs " + std::to_string(mine);
  };
  if (plugin.standard_library != ours.standard_library) {
    std::string remedy =
        "compile it against " + library_family(ours.standard_library) + ", fnn's standard library";
    if (plugin.standard_library == static_cast<std::uint32_t>(StandardLibrary::libcxx)) {
      remedy += " (drop -stdlib=libc++)";
    }
    found.add("standard library " + library_name(plugin.standard_library, plugin.library_release) +
                  " vs " + library_name(ours.standard_library, ours.library_release),
              std::move(remedy));
  } else if (ours.standard_library == static_cast<std::uint32_t>(StandardLibrary::libstdcxx)) {
    // Flags of libstdc++ only: libc++ has neither the dual ABI nor layout-changing debug mode.
    if (plugin.cxx11_abi != ours.cxx11_abi) {
      found.add("_GLIBCXX_USE_CXX11_ABI " + vs(plugin.cxx11_abi, ours.cxx11_abi),
                "compile it with _GLIBCXX_USE_CXX11_ABI=" + std::to_string(ours.cxx11_abi) +
                    " as fnn was (or leave it undefined, the default)");
    }
    if (plugin.debug_containers != ours.debug_containers) {
      found.add("_GLIBCXX_DEBUG " + on_off(plugin.debug_containers) + " vs " +
                    on_off(ours.debug_containers),
                std::string("compile it ") + (ours.debug_containers != 0 ? "with" : "without") +
                    " -D_GLIBCXX_DEBUG, as fnn was");
    }
  }
  if (plugin.pointer_size != ours.pointer_size) {
    found.add(
        "sizeof(void*) " + vs(plugin.pointer_size, ours.pointer_size),
        "compile it for fnn's architecture (" + std::to_string(8 * ours.pointer_size) + "-bit)");
  }
  if (plugin.string_size != ours.string_size) {
    found.add("sizeof(std::string) " + vs(plugin.string_size, ours.string_size));
  }
  if (plugin.function_size != ours.function_size) {
    found.add("sizeof(std::function) " + vs(plugin.function_size, ours.function_size));
  }
  if (!found.fields.empty() && found.remedies.empty()) {
    found.remedies.push_back("compile it with the standard library and flags fnn was built with");
  }
  return found;
}

template <class Items>
std::string joined(const Items& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

}  // namespace

void check_abi(const AbiTag& tag, const std::filesystem::path& file) {
  const AbiTag ours = current_abi_tag();
  const std::string name = std::string("'").append(file.string()).append("'");
  if (tag.abi_version != ours.abi_version) {
    throw PluginError("plugin " + name + " was built against fnn plugin ABI " +
                      std::to_string(tag.abi_version) + ", but this is fnn " + ours.fnn_version +
                      " with plugin ABI " + std::to_string(ours.abi_version) +
                      ": rebuild the plugin against this fnn");
  }
  const Differences found = differences(tag, ours);
  if (found.fields.empty()) return;
  // The two texts are the plugin's, for messages only: a hand-written tag may leave them null.
  const auto text = [](const char* given) { return std::string(given != nullptr ? given : "?"); };
  throw PluginError("plugin " + name + " (fnn " + text(tag.fnn_version) + ", compiled by " +
                    text(tag.compiler) + ") was built with a C++ ABI this fnn cannot use, " +
                    "plugin vs fnn: " + joined(found.fields, ", ") + "; " +
                    joined(found.remedies, "; ") +
                    ", and rebuild it against this fnn (g++ and clang++ both work)");
}

void explain_load_failure(const std::filesystem::path& file) {
  const AbiTag* tag = nullptr;
  boost::dll::shared_library library;
  try {
    library.load(file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
    if (!library.has("fnn_plugin_abi")) return;
    tag = library.get<const AbiTag*() noexcept>("fnn_plugin_abi")();
  } catch (const std::exception&) {
    return;  // not loadable even lazily: the loader's own error says why
  }
  if (tag == nullptr) return;
  check_abi(*tag, file);
}

}  // namespace fnn
