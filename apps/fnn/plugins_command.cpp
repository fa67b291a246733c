// fnn plugins: every registered component, by kind, with its description and shared object.
#include <fnn/registry.hpp>
#include <iomanip>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"

namespace fnn::cli {

int plugins_command(const std::vector<std::string>& args) {
  po::options_description own("fnn plugins [options]\n\nLists every component the plugins "
                              "provide, and where the plugins were searched");
  const auto parsed = parse_command("plugins", own, args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  const auto directories = plugin_directories(values);
  const Registry registry = load_plugins(values);
  std::cout << "plugin search path:\n";
  for (const auto& directory : Registry::search_path(directories)) {
    std::cout << "  " << directory.string() << "\n";
  }
  for (const Kind kind : {Kind::layer, Kind::activation, Kind::loss, Kind::optimizer,
                          Kind::initializer}) {
    std::cout << "\n" << to_string(kind) << (kind == Kind::loss ? "es" : "s") << ":\n";
    for (const ComponentInfo& component : registry.components()) {
      if (component.kind != kind) continue;
      std::cout << "  " << std::left << std::setw(16) << component.name << " "
                << component.description << "\n"
                << "  " << std::setw(16) << "" << " from " << component.library.string() << "\n";
    }
  }
  return 0;
}

}  // namespace fnn::cli
