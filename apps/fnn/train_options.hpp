#pragma once
#include <string>
#include <vector>

#include "command_line.hpp"

namespace fnn::cli {

/// fnn train's own options (the common ones apart), for commands that write or check train
/// configurations (fnn sweep).
po::options_description train_options();

/// What a resumed run takes from its model file: fnn train refuses these with --resume.
const std::vector<std::string>& options_from_model_file();

}  // namespace fnn::cli
