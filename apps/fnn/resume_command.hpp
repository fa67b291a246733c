#pragma once
#include <boost/program_options.hpp>
#include <string>

namespace fnn::cli {

/// The `fnn train --resume CHECKPOINT ...` command line that continues an interrupted run: the
/// run's own options (data files, epochs, outputs, checkpoints, threads, plugin directories, as
/// given on the command line or in its config file) without those a model file carries (the
/// network, loss, optimizer, scaling, batch size, seed, schedule). Words are quoted for a POSIX
/// shell where needed. `program` is how fnn was started (argv[0]).
std::string resume_command(const std::string& program,
                           const boost::program_options::variables_map& values,
                           const std::string& checkpoint);

/// An option's value as its text on a command line or in a config file (string, whole number,
/// number as to_text writes it, true/false); "" for other types.
std::string value_text(const boost::any& value);

/// `word` as one word for a POSIX shell: unchanged when it holds only safe characters, else in
/// single quotes.
std::string shell_quoted(const std::string& word);

}  // namespace fnn::cli
