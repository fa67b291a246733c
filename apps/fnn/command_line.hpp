#pragma once
#include <boost/program_options.hpp>
#include <cstddef>
#include <filesystem>
#include <fnn/names.hpp>
#include <fnn/registry.hpp>
#include <optional>
#include <tbb/global_control.h>
#include <string>
#include <vector>

namespace fnn::cli {

namespace po = boost::program_options;

/// How fnn was started (argv[0]), for commands it prints; "fnn" until main sets it.
const std::string& program_name();
void set_program_name(std::string name);

/// What every command accepts: --help, --config FILE, --plugin-dir DIR, --threads N.
po::options_description common_options();

/// Parses `args` (the words after the command name) against `options`, then the INI file named by
/// --config (if the command has that option), whose values the command line overrides. Throws
/// UsageError naming the option (and the config file and line) for unknown options, with a
/// "did you mean" when a known option is close, and for values of the wrong type.
po::variables_map parse(const std::string& command, const po::options_description& options,
                        const std::vector<std::string>& args,
                        const po::positional_options_description& positional = {});

/// Throws UsageError "fnn COMMAND: --NAME is required".
[[noreturn]] void throw_missing(const std::string& command, const std::string& name);

/// `parse` for a command: adds the common options to `options`, and for --help prints them and
/// returns nothing (the command then exits 0).
std::optional<po::variables_map> parse_command(
    const std::string& command, po::options_description options,
    const std::vector<std::string>& args,
    const po::positional_options_description& positional = {});

/// The value of an option that must be given, or UsageError "fnn COMMAND: --NAME is required".
template <class T>
T required(const po::variables_map& values, const std::string& command, const std::string& name) {
  if (!values.count(name)) throw_missing(command, name);
  return values[name].as<T>();
}

/// An optional option's value.
template <class T>
std::optional<T> optional_value(const po::variables_map& values, const std::string& name) {
  if (!values.count(name)) return std::nullopt;
  return values[name].as<T>();
}

/// A whole number ≥ `minimum`, from an option declared as `long long` (Program_options would
/// read "-3" into an unsigned type as a huge number).
std::size_t at_least(const po::variables_map& values, const std::string& name, long long minimum);

/// "256,128" → {256, 128}; "" → {}. UsageError naming the option for anything else.
std::vector<std::size_t> parse_widths(const std::string& option, const std::string& text);

/// The worker threads to use: --threads if given, else the environment's FNN_THREADS, else 0
/// (one per core). UsageError for a value that is not a whole number or above fnn::max_threads.
std::size_t thread_count(const po::variables_map& values);

/// Holds every parallel loop of the command (training, evaluation, prediction) to `threads`
/// threads while alive; 0 leaves TBB's default, one per core.
std::optional<tbb::global_control> limit_threads(std::size_t threads);

/// --plugin-dir values, in the order given.
std::vector<std::filesystem::path> plugin_directories(const po::variables_map& values);

/// The plugins of the search path, --plugin-dir directories first; the registry's warnings go to
/// stderr ("fnn: warning: ...").
Registry load_plugins(const po::variables_map& values);

}  // namespace fnn::cli
