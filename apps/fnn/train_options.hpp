#pragma once
#include <string>
#include <vector>

#include "command_line.hpp"

namespace fnn::cli {

/// fnn train's own options (the common ones apart), for commands that write or check train
/// configurations (fnn sweep).
po::options_description train_options();

/// --exchange-timeout in seconds, checked: how long the ranks of a job wait for each other
/// (fnn train: at start-up and for each batch's shards; fnn sweep: for any word from a rank).
double exchange_timeout(const po::variables_map& values);

/// What a resumed run takes from its model file: fnn train refuses these with --resume.
const std::vector<std::string>& options_from_model_file();

}  // namespace fnn::cli
