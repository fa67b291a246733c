#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fnn/names.hpp>
#include <fnn/trainer.hpp>
#include <fstream>
#include <iostream>

#include "usage_error.hpp"

namespace fnn::cli {

namespace {

std::vector<std::string> long_names(const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options()) names.push_back(option->long_name());
  return names;
}

std::string suggestion(const std::string& name, const po::options_description& options,
                       const std::string& prefix) {
  const std::string nearest = nearest_name(name, long_names(options));
  return nearest.empty() ? "" : "; did you mean '" + prefix + nearest + "'?";
}

std::string strip_dashes(std::string name) {
  name.erase(0, name.find_first_not_of('-'));
  return name;
}

// error.what() without Boost 1.74's hang: an error_with_option_name substitutes %value%,
// %option%, ... into its message in a loop that never ends when the substituted text itself
// contains the placeholder (fuzz_cli_config found it: "epochs = 9000%value%" hung fnn). A copy
// of the error with every '%' in its substitutions replaced by '?' gives the message instead.
struct SafeMessage : po::error_with_option_name {
  static std::string of(const po::error& error) {
    const auto* named = dynamic_cast<const po::error_with_option_name*>(&error);
    if (named == nullptr) return error.what();
    po::error_with_option_name copy = *named;
    for (auto& [name, text] : copy.*(&SafeMessage::m_substitutions)) {
      std::replace(text.begin(), text.end(), '%', '?');
    }
    return copy.what();
  }
};

// The first line of an INI file that sets `key` ("  key = value"), for messages; 0 if none.
std::size_t line_of(const std::filesystem::path& file, const std::string& key) {
  std::ifstream in(file);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, key.size(), key) != 0) continue;
    const std::size_t after = line.find_first_not_of(" \t", start + key.size());
    if (after != std::string::npos && line[after] == '=') return number;
  }
  return 0;
}

void store_config_file(const std::string& command, const po::options_description& options,
                       po::variables_map& values) {
  const std::filesystem::path file = values["config"].as<std::string>();
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {  // ifstream would read it as empty
    throw UsageError("fnn " + command + ": --config: '" + file.string() +
                     "' is a directory, not an INI file");
  }
  std::ifstream in(file);
  if (!in) throw UsageError("fnn " + command + ": --config: cannot read '" + file.string() + "'");
  const auto where = [&](const std::string& key) {
    std::string place = file.string();
    if (const std::size_t line = line_of(file, key)) {
      place += ':';  // (appended piecewise: GCC 12 warns wrongly on ":" + std::string)
      place += std::to_string(line);
    }
    return place;
  };
  try {
    po::store(po::parse_config_file(in, options, false), values);
  } catch (const po::unknown_option& error) {
    const std::string key = error.get_option_name();
    throw UsageError(where(key) + ": unknown option '" + key + "'" + suggestion(key, options, ""));
  } catch (const po::error_with_option_name& error) {
    throw UsageError(where(strip_dashes(error.get_option_name())) + ": " + SafeMessage::of(error));
  } catch (const po::error& error) {
    throw UsageError(file.string() + ": " + SafeMessage::of(error));
  }
}

}  // namespace

namespace {
std::string& program_name_storage() {
  static std::string name = "fnn";
  return name;
}
}  // namespace

const std::string& program_name() { return program_name_storage(); }

void set_program_name(std::string name) {
  if (!name.empty()) program_name_storage() = std::move(name);
}

po::options_description common_options() {
  po::options_description options("Common options");
  options.add_options()
      ("help,h", "show this help")
      ("config", po::value<std::string>()->value_name("FILE"),
       "read options from an INI file (key = value, long option names without --); the command "
       "line overrides it")
      ("plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR")->composing(),
       "also load plugins from DIR, searched before FNN_PLUGIN_PATH and fnn's own (repeatable)")
      ("threads", po::value<long long>()->value_name("N"),
       "compute threads, at most 1024 (default: FNN_THREADS, else one per core); fnn train "
       "adds one that reads the next batch meanwhile when a core is left for it");
  return options;
}

po::variables_map parse(const std::string& command, const po::options_description& options,
                        const std::vector<std::string>& args,
                        const po::positional_options_description& positional) {
  po::variables_map values;
  try {
    // No guessing of abbreviations: "--epoch" is a typo to report, not a way to say --epochs.
    const int style = po::command_line_style::default_style &
                      ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(options).positional(positional).style(style).run(),
              values);
  } catch (const po::unknown_option& error) {
    const std::string name = error.get_option_name();
    throw UsageError("fnn " + command + ": unknown option '" + name + "'" +
                     suggestion(strip_dashes(name), options, "--") +
                     " (see fnn " + command + " --help)");
  } catch (const po::too_many_positional_options_error&) {
    throw UsageError("fnn " + command + ": unexpected argument; options start with -- (see fnn " +
                     command + " --help)");
  } catch (const po::error& error) {
    throw UsageError("fnn " + command + ": " + SafeMessage::of(error));
  }
  if (values.count("help")) return values;
  if (values.count("config")) store_config_file(command, options, values);
  try {
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError("fnn " + command + ": " + SafeMessage::of(error));
  }
  return values;
}

std::optional<po::variables_map> parse_command(const std::string& command,
                                               po::options_description options,
                                               const std::vector<std::string>& args,
                                               const po::positional_options_description& positional) {
  options.add(common_options());
  po::variables_map values = parse(command, options, args, positional);
  if (values.count("help")) {
    std::cout << options << "\n";
    return std::nullopt;
  }
  return values;
}

void throw_missing(const std::string& command, const std::string& name) {
  throw UsageError("fnn " + command + ": --" + name + " is required (see fnn " + command +
                   " --help)");
}

std::size_t at_least(const po::variables_map& values, const std::string& name, long long minimum) {
  const long long value = values[name].as<long long>();
  if (value < minimum) {
    throw UsageError("--" + name + " must be at least " + std::to_string(minimum) + ", got " +
                     std::to_string(value));
  }
  return static_cast<std::size_t>(value);
}

std::vector<std::size_t> parse_widths(const std::string& option, const std::string& text) {
  std::vector<std::size_t> widths;
  for (const std::string& item : split_list(text)) {
    std::size_t width = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), width);
    if (error != std::errc{} || end != item.data() + item.size() || width == 0) {
      throw UsageError("--" + option + " '" + text + "': expected positive widths separated by "
                       "commas, such as 256,128; '" + item + "' is not one");
    }
    widths.push_back(width);
  }
  return widths;
}

std::size_t thread_count(const po::variables_map& values) {
  const auto too_many = [](const std::string& what, std::size_t threads) {
    return UsageError(what + " must be at most " + std::to_string(max_threads) + ", got " +
                      std::to_string(threads));
  };
  if (values.count("threads")) {
    const std::size_t threads = at_least(values, "threads", 0);
    if (threads > max_threads) throw too_many("--threads", threads);
    return threads;
  }
  const char* environment = std::getenv("FNN_THREADS");
  if (environment == nullptr || *environment == '\0') return 0;
  const std::string text = environment;
  std::size_t threads = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), threads);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw UsageError("FNN_THREADS is '" + text + "', expected a whole number such as 2");
  }
  if (threads > max_threads) throw too_many("FNN_THREADS", threads);
  return threads;
}

std::optional<tbb::global_control> limit_threads(std::size_t threads) {
  if (threads == 0) return std::nullopt;
  return std::optional<tbb::global_control>(std::in_place,
                                            tbb::global_control::max_allowed_parallelism, threads);
}

std::vector<std::filesystem::path> plugin_directories(const po::variables_map& values) {
  std::vector<std::filesystem::path> directories;
  if (values.count("plugin-dir")) {
    for (const std::string& directory : values["plugin-dir"].as<std::vector<std::string>>()) {
      directories.emplace_back(directory);
    }
  }
  return directories;
}

Registry load_plugins(const po::variables_map& values) {
  const std::vector<std::filesystem::path> directories = plugin_directories(values);
  for (const std::filesystem::path& directory : directories) {
    std::error_code error;
    if (std::filesystem::is_directory(directory, error)) continue;
    try {  // the registry's refusal of it says what to do; a --plugin-dir value is usage (2)
      Registry::with_plugins({directory});
    } catch (const PluginError& refusal) {
      throw UsageError(std::string("--plugin-dir: ") + refusal.what());
    }
  }
  Registry registry = Registry::with_plugins(directories);
  for (const std::string& warning : registry.warnings()) {
    std::cerr << "fnn: warning: " << warning << "\n";
  }
  return registry;
}

}  // namespace fnn::cli
